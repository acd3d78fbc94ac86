"""Async client for Rasa's REST input channel (``secure_rest``, which answers like Rasa's ``rest`` channel).

Several Rasa processes (``settings.rasa_urls``) may serve the same tracker store and lock store: a
conversation is sent to the process chosen by a stable hash of its sender id, and to the next one when
that process cannot be reached. Only failures that prove the message was *not* processed (connection
refused, connect timeout, 502/503/504 from a proxy) fail over; a read timeout does not, because the
first process may still be handling the message and a second delivery would run it twice.

The whole call, failovers included, is bounded by ``timeout`` so the user always hears back in time.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx

from bot.errors import RasaUnavailable
from bot.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/secure_rest/webhook"
SECRET_HEADER = "X-Assistant-Secret"
# a process that refused a connection is tried last for this long
DOWN_PENALTY_SECONDS = 30.0
_FAILOVER_STATUSES = frozenset({502, 503, 504})


class _TryNext(Exception):
    """This URL did not take the message; another one may."""


class RasaClient:
    """Sends one user message to Rasa and returns Rasa's list of bot messages (dicts)."""

    def __init__(
        self,
        urls: Sequence[str] | str,
        *,
        secret: str = "",
        timeout: float = 8.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock=time.monotonic,
    ) -> None:
        if isinstance(urls, str):
            urls = [u for u in urls.split(",")]
        self.urls = [u.strip().rstrip("/") for u in urls if u.strip()]
        if not self.urls:
            raise RasaUnavailable("no Rasa URL configured")
        self.secret = secret
        self.timeout = float(timeout)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._clock = clock
        self._down_until: dict[str, float] = {}

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> RasaClient:
        return cls(settings.rasa_urls, secret=settings.rasa_channel_secret, timeout=settings.rasa_timeout, **kwargs)

    # -- lifecycle ---------------------------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            headers = {"Content-Type": "application/json"}
            if self.secret:
                headers[SECRET_HEADER] = self.secret
            self._client = httpx.AsyncClient(
                headers=headers,
                timeout=httpx.Timeout(self.timeout),
                transport=self._transport,
                trust_env=False,  # Rasa is local; never route it through a proxy from the environment
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> RasaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- routing -----------------------------------------------------------------------------------
    def urls_for(self, sender_id: str) -> list[str]:
        """The URLs to try for this sender, in order: its own process first, then the others.

        Processes that refused a connection recently go to the end of the list.
        """
        n = len(self.urls)
        digest = hashlib.sha256(sender_id.encode("utf-8")).digest()
        start = int.from_bytes(digest[:8], "big") % n
        ordered = [self.urls[(start + i) % n] for i in range(n)]
        now = self._clock()
        healthy = [u for u in ordered if self._down_until.get(u, 0.0) <= now]
        sick = [u for u in ordered if self._down_until.get(u, 0.0) > now]
        return healthy + sick

    # -- sending -----------------------------------------------------------------------------------
    async def send(self, sender_id: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict]:
        """POST the message; return Rasa's replies. Raises ``RasaUnavailable`` on any failure."""
        body = {"sender": sender_id, "message": message, "metadata": metadata or {}}
        try:
            return await asyncio.wait_for(self._send_with_failover(sender_id, body), timeout=self.timeout)
        except asyncio.TimeoutError as exc:
            raise RasaUnavailable(f"Rasa did not answer within {self.timeout:g} s") from exc

    async def _send_with_failover(self, sender_id: str, body: dict[str, Any]) -> list[dict]:
        problems: list[str] = []
        for url in self.urls_for(sender_id):
            try:
                return await self._post(url, body)
            except _TryNext as exc:
                problems.append(f"{url}: {exc}")
                log.warning("Rasa at %s did not take the message (%s); trying the next one", url, exc)
        raise RasaUnavailable("no Rasa process could be reached: " + "; ".join(problems))

    async def _post(self, url: str, body: dict[str, Any]) -> list[dict]:
        try:
            response = await self._http().post(url + WEBHOOK_PATH, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            self._down_until[url] = self._clock() + DOWN_PENALTY_SECONDS
            raise _TryNext(type(exc).__name__) from exc
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa at {url} timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa at {url} failed: {type(exc).__name__}") from exc
        if response.status_code in _FAILOVER_STATUSES:
            raise _TryNext(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            # 401/403: the shared secret does not match; 5xx: Rasa or the action server failed
            raise RasaUnavailable(f"Rasa at {url} answered HTTP {response.status_code}")
        self._down_until.pop(url, None)
        try:
            data = response.json()
        except ValueError as exc:
            raise RasaUnavailable(f"Rasa at {url} returned a body that is not JSON") from exc
        if not isinstance(data, list) or not all(isinstance(m, dict) for m in data):
            raise RasaUnavailable(f"Rasa at {url} returned an unexpected body (not a list of messages)")
        return data
