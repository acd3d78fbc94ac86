"""`lueyang web`: the web channel served by uvicorn, with the outbox worker for the web channel's messages.

uvicorn listens on ``WEB_LISTEN:WEB_PORT`` (loopback by default); production puts nginx with TLS in front of it
(``deploy/nginx/lueyang-web.conf``) and sets ``WEB_PUBLIC_URL`` (Secure cookies, the Origin check) and
``WEB_SECRET``. One process: the page transcripts and console logins live in its memory.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import uvicorn

from bot.errors import ConfigurationError
from bot.frontends.core import ConversationCore
from bot.frontends.logs import configure_frontend_logging
from bot.frontends.rasa_client import RasaClient
from bot.frontends.web.app import Job, build_app
from bot.frontends.web.sessions import load_secret
from bot.settings import Settings

log = logging.getLogger(__name__)


def web_address(settings: Settings) -> str:
    """Where people open the page: ``WEB_PUBLIC_URL`` or the listen address."""
    if settings.web_public_url:
        return settings.web_public_url.rstrip("/") + "/"
    host = settings.web_listen if settings.web_listen not in ("0.0.0.0", "::") else "127.0.0.1"
    return f"http://{host}:{settings.web_port}/"


def check_web_settings(settings: Settings) -> bytes:
    """The signing key, after refusing unsafe settings (ConfigurationError)."""
    settings.check_production()
    if settings.profile == "production" and not settings.web_public_url.startswith("https://"):
        raise ConfigurationError("WEB_PUBLIC_URL must be the public https:// address of the page in the production profile")
    if not 0 < settings.web_port < 65536:
        raise ConfigurationError(f"WEB_PORT must be a port number, got {settings.web_port}")
    return load_secret(settings)


def run_web(settings: Settings, *, background: Sequence[Job] = ()) -> int:
    """Serve until interrupted. Returns an exit code (2 for bad configuration)."""
    configure_frontend_logging(settings)
    try:
        secret = check_web_settings(settings)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app = build_app(settings, ConversationCore(rasa=RasaClient.from_settings(settings)), secret=secret,
                    background=background)  # fmt: skip
    config = uvicorn.Config(
        app,
        host=settings.web_listen,
        port=settings.web_port,
        log_config=None,  # the application's masked logging
        access_log=False,  # nginx keeps the access log in production
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        ws="none",  # no WebSockets (the pinned websockets 10 of the Rasa SDK is older than uvicorn's)
    )
    address = web_address(settings)
    print(f"[web] 居民咨询页面：{address}    工作人员控制台：{address}staff", flush=True)
    uvicorn.Server(config).run()
    return 0
