"""Entry point of the action server: production check, masking log filter + rasa_sdk's app with the domain digest.

`python -m bot.action_server --port 5055` (binds SANIC_HOST, default 127.0.0.1 via the runner). In the production
profile it refuses to start with unsafe settings (``Settings.check_production``), as every production unit does.

The app is rasa_sdk's (``endpoint.create_app``) started as ``endpoint.run`` starts it (plugins' Sanic extensions,
SANIC_HOST, ACTION_SERVER_SANIC_WORKERS), plus a request middleware for the domain digest protocol
(``bot.domain_digest``): a call whose domain is a digest marker gets the cached domain back before any action runs,
or the unknown-digest answer; a call with a full domain stores it.
"""

from __future__ import annotations

import argparse
import logging
import os

from rasa_sdk import endpoint, utils
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.domain_digest import UNKNOWN_DIGEST_STATUS, DomainCache, digest_in, unknown_digest_body
from bot.errors import ConfigurationError
from bot.logging_setup import configure_logging
from bot.settings import get_settings

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "actions"


def expand_domain_digest(app: Sanic, cache: DomainCache) -> None:
    """Add the digest middleware for ``POST /webhook`` to ``app``. Deflate-compressed bodies and bodies that are
    not a JSON object pass unchanged (rasa_sdk's webhook answers them as before)."""

    @app.on_request
    async def domain_digest(request: Request) -> HTTPResponse | None:
        if request.method != "POST" or request.path != "/webhook":
            return None
        if request.headers.get("Content-Encoding") == "deflate":
            return None
        try:
            call = request.json  # parsed once: the webhook reads this same object
        except InvalidUsage:
            return None
        if not isinstance(call, dict):
            return None
        domain = call.get("domain")
        digest = digest_in(domain)
        if digest is not None:
            known = cache.get(digest)
            if known is None:
                logger.info("unknown domain digest %s: asking for the full domain", digest[:12])
                return response.json(unknown_digest_body(digest), status=UNKNOWN_DIGEST_STATUS)
            call["domain"] = known
        elif isinstance(domain, dict):
            cache.put(domain)
        return None


def create_app(cache: DomainCache | None = None) -> Sanic:
    """rasa_sdk's app for the ``actions`` package with the digest middleware and the plugins' extensions."""
    logger.info("Starting action endpoint server...")
    app = endpoint.create_app(ACTIONS_PACKAGE, cors_origins=None)
    expand_domain_digest(app, cache if cache is not None else DomainCache())
    logger.info("Starting plugins...")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def serve(app: Sanic, port: int) -> None:
    """Run ``app`` as ``endpoint.run`` does (no TLS: the action server listens on the loopback or a private net)."""
    host = os.environ.get("SANIC_HOST", "0.0.0.0")
    logger.info("Action endpoint is up and running on http://%s:%s", host, port)
    app.run(host, port, workers=utils.number_of_sanic_workers())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="略阳县社会救助助手 action server")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        settings.check_production()
    except ConfigurationError as exc:
        raise SystemExit(f"error: {exc}") from None
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")  # read by serve
    configure_logging(settings.log_level)
    logger.info("starting the action server on port %s", args.port)
    serve(create_app(), port=args.port)


if __name__ == "__main__":
    main()
