"""Rasa input channel used by our front ends: Rasa's REST channel plus a shared-secret check.

Staff identity is derived from the sender id, so only the front ends may post messages. With
``RASA_CHANNEL_SECRET`` set every request must carry it in the ``X-Assistant-Secret`` header, otherwise it is
refused with 403 before Rasa sees it. The channel refuses to start without a secret unless it runs in the embedded
profile on a loopback address (``Settings.channel_secret_problem``: the runner tells Rasa processes their address
in ``LUEYANG_RASA_INTERFACE``); even then it answers only requests from loopback. In the production profile it
also refuses everything ``Settings.check_production`` refuses, however Rasa was started.
Endpoint: POST /webhooks/secure_rest/webhook with {"sender", "message", "metadata"}.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.errors import ConfigurationError
from bot.privacy import install_masking_everywhere
from bot.settings import Settings, is_loopback_host
from rasa_addons.speedups import freeze_startup_heap, install_speedups

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Assistant-Secret"
MAX_MESSAGE_CHARS = 20_000


class SecureRestInput(RestInput):
    """REST input channel that checks a shared secret and validates the payload."""

    @classmethod
    def name(cls) -> str:
        return "secure_rest"

    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret or ""
        install_speedups()  # this runs once in every Rasa server process, before any message
        install_masking_everywhere()  # Rasa's and Sanic's log handlers mask personal data too

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        secret = str(credentials.get("secret") or os.environ.get("RASA_CHANNEL_SECRET", "")).strip()
        check_start(Settings.from_env({**os.environ, "RASA_CHANNEL_SECRET": secret}))
        return cls(secret)

    def is_authorised(self, request: Request) -> bool:
        if not self.secret:
            return is_loopback_host(request.ip)  # embedded profile on loopback: local front ends only
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.secret.encode())

    def blueprint(self, on_new_message: Any) -> Blueprint:
        guarded = Blueprint("secure_rest_webhook", __name__)
        checks = self

        @guarded.listener("after_server_start")
        async def freeze_loaded_heap(app: Any, loop: Any) -> None:
            freeze_startup_heap()  # the model is loaded (before_server_start): no 290 ms full GC pauses later

        @guarded.route("/", methods=["GET"])
        async def health(request: Request) -> Any:
            return response.json({"status": "ok"})

        @guarded.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            if not checks.is_authorised(request):
                logger.warning("secure_rest: refused a request without the right secret from %s", request.ip)
                return response.json({"error": "forbidden"}, status=403)
            body = request.json if isinstance(request.json, dict) else None
            if body is None:
                return response.json({"error": "JSON object expected"}, status=400)
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > 200:
                return response.json({"error": "sender must be a non-empty string"}, status=400)
            if not isinstance(text, str) or len(text) > MAX_MESSAGE_CHARS:
                return response.json({"error": "message must be a string"}, status=400)
            metadata = body.get("metadata")
            if metadata is not None and not isinstance(metadata, dict):
                return response.json({"error": "metadata must be an object"}, status=400)
            return await _rest_receive(checks, on_new_message, request)

        return guarded


def check_start(settings: Settings) -> None:
    """Refuse to start the channel (ConfigurationError, also logged) with a missing secret or unsafe settings."""
    problems = settings.production_problems()
    channel_problem = settings.channel_secret_problem()
    if channel_problem and not any(p.startswith("RASA_CHANNEL_SECRET") for p in problems):
        problems.insert(0, channel_problem)
    if problems:
        message = "secure_rest refuses to start: " + "; ".join(problems)
        logger.error(message)
        raise ConfigurationError(message)


async def _rest_receive(channel: SecureRestInput, on_new_message: Any, request: Request) -> Any:
    """Rasa's RestInput.receive, non-streaming (same reply format as the ``rest`` channel)."""
    collector = CollectingOutputChannel()
    try:
        await on_new_message(
            UserMessage(
                request.json["message"],
                collector,
                request.json["sender"],
                input_channel=channel.name(),
                metadata=request.json.get("metadata"),
            )
        )
    except Exception:  # noqa: BLE001 - Rasa's own channel does the same; the user still gets what was collected
        logger.exception("secure_rest: error while handling a message")
    return response.json(collector.messages)
