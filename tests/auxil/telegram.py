"""A fake Telegram Bot API for python-telegram-bot, offline.

- ``FakeBotApi`` answers Bot API methods with valid Telegram JSON and records every call (``calls``; the messages
  it accepted in ``sent``). Failures: queued per method with ``fail_next`` (HTTP status + description, e.g.
  502 -> NetworkError, 429 -> RetryAfter); ``down`` fails every method with 502 while it is set; chats in
  ``blocked`` get 403 (the user blocked the bot) for every ``send*`` method.
- ``RecordingRequest`` plugs it into python-telegram-bot as a ``BaseRequest``; ``fake_bot(api)`` is a ``Bot`` on it.
- ``FakeTelegramServer`` serves it over real HTTP (``base_url``), including long-polling ``getUpdates``.
- Update builders (``message_update``, ``callback_update``, ``bot_message``, ...) for what Telegram sends the bot.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.request import BaseRequest, RequestData

from bot.settings import Settings
from tests.auxil.http import HttpRequest, TinyHttpServer

BOT_ID = 7000001
BOT_USERNAME = "LueyangTestBot"
TOKEN = "123456789:" + "A" * 35

FAST_RETRY = {"base_delay": 0.0, "max_delay": 0.0}


def make_settings(rasa_url: str, **env: str) -> Settings:
    """Front-end settings: the Telegram token above, Rasa at ``rasa_url``, and ``env`` on top."""
    base = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "RASA_URL": rasa_url,
        "RASA_TIMEOUT": "2",
        "FLOOD_LIMIT_PER_MINUTE": "20",
    }
    base.update(env)
    return Settings.from_env(base)


_JSON_FIELDS = {
    "chat_id",
    "message_id",
    "reply_markup",
    "reply_parameters",
    "commands",
    "scope",
    "allowed_updates",
    "offset",
    "limit",
    "timeout",
    "show_alert",
}


# -- the fake Bot API ------------------------------------------------------------------------------------
@dataclass
class Call:
    method: str
    params: dict[str, Any]


def _decode_params(raw: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if k in _JSON_FIELDS:
            try:
                out[k] = json.loads(v)
            except (TypeError, ValueError):
                out[k] = v
        else:
            out[k] = v
    return out


@dataclass
class FakeBotApi:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, str, dict | None]]] = field(default_factory=dict)
    sent: list[tuple[int, str]] = field(default_factory=list)  # (chat id, text) of every accepted sendMessage
    down: bool = False  # while set, every method answers 502 Bad Gateway
    blocked: set[int] = field(default_factory=set)  # chats whose user blocked the bot: send* answers 403
    updates: asyncio.Queue | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _changed: asyncio.Event | None = None

    def fail_next(
        self, method: str, status: int, description: str = "error", parameters: dict | None = None
    ) -> None:
        self.failures.setdefault(method, []).append((status, description, parameters))

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [
            c.params["text"]
            for c in self.of("sendMessage")
            if chat_id is None or int(c.params["chat_id"]) == chat_id
        ]

    def changed(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    async def wait_for(self, predicate: Callable[[FakeBotApi], bool], timeout: float = 10.0) -> None:
        """Wait (event-driven) until ``predicate`` holds; ``timeout`` only guards against a hang."""

        async def loop() -> None:
            while not predicate(self):
                ev = self.changed()
                ev.clear()
                if predicate(self):
                    return
                await ev.wait()

        await asyncio.wait_for(loop(), timeout)

    async def handle(self, method: str, raw_params: dict[str, str]) -> tuple[int, bytes]:
        params = _decode_params(raw_params)
        if method == "getUpdates":
            return 200, json.dumps({"ok": True, "result": await self._get_updates(params)}).encode()
        self.calls.append(Call(method, params))
        self.changed().set()
        failure = self._failure(method, params)
        if failure is not None:
            status, description, parameters = failure
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if parameters:
                body["parameters"] = parameters
            return status, json.dumps(body).encode()
        result = self._result(method, params)
        if method == "sendMessage":
            self.sent.append((int(params["chat_id"]), params.get("text")))
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _failure(self, method: str, params: dict[str, Any]) -> tuple[int, str, dict | None] | None:
        queued = self.failures.get(method)
        if queued:
            return queued.pop(0)
        if self.down:
            return 502, "Bad Gateway", None
        if method.startswith("send") and self.blocked and int(params.get("chat_id", 0)) in self.blocked:
            return 403, "Forbidden: bot was blocked by the user", None
        return None

    async def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        if self.updates is None:
            self.updates = asyncio.Queue()
        timeout = float(params.get("timeout") or 0)
        try:
            first = await asyncio.wait_for(self.updates.get(), timeout=max(timeout, 0.01))
        except asyncio.TimeoutError:
            return []
        out = [first]
        while not self.updates.empty():
            out.append(self.updates.get_nowait())
        return out

    def push_update(self, update: dict) -> None:
        if self.updates is None:
            self.updates = asyncio.Queue()
        self.updates.put_nowait(update)

    def _result(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "略阳助手",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in {"sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}:
            chat_id = int(p.get("chat_id", 0))
            msg: dict[str, Any] = {
                "message_id": int(p.get("message_id") or next(self._ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "g"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "略阳助手", "username": BOT_USERNAME},
            }
            if "text" in p:
                msg["text"] = p["text"]
            if method == "sendPhoto":
                msg["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
            if p.get("reply_markup"):
                msg["reply_markup"] = p["reply_markup"]
            return msg
        return True


class RecordingRequest(BaseRequest):
    """python-telegram-bot's transport replaced by the fake API (no network)."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url, method, request_data: RequestData | None = None, **kwargs
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        return await self.api.handle(api_method, request_data.json_parameters if request_data else {})


def fake_bot(api: FakeBotApi, token: str = TOKEN) -> Bot:
    """A python-telegram-bot ``Bot`` whose every request goes to ``api`` (call ``initialize()`` as usual)."""
    return Bot(token, request=RecordingRequest(api), get_updates_request=RecordingRequest(api))


class FakeTelegramServer:
    """The fake API over HTTP: base_url = ``{url}/bot``."""

    def __init__(self, api: FakeBotApi | None = None) -> None:
        self.api = api or FakeBotApi()
        self.http = TinyHttpServer(self._handle)
        self.paths: list[str] = []

    async def start(self) -> None:
        await self.http.start()

    async def stop(self) -> None:
        await self.http.stop()

    @property
    def base_url(self) -> str:
        return f"{self.http.url}/bot"

    async def _handle(self, req: HttpRequest) -> tuple[int, str, bytes]:
        self.paths.append(req.path)
        method = req.path.rsplit("/", 1)[-1]
        ctype = req.headers.get("content-type", "")
        if "json" in ctype:
            raw = {
                k: v if isinstance(v, str) else json.dumps(v)
                for k, v in json.loads(req.body or b"{}").items()
            }
        else:
            raw = dict(urllib.parse.parse_qsl(req.body.decode(), keep_blank_values=True))
        status, body = await self.api.handle(method, raw)
        return status, "application/json", body


# -- Telegram update builders ----------------------------------------------------------------------------
_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user(user_id: int, name: str = "张三") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "zh-hans"}


def chat(chat_id: int) -> dict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "x"}
    return {"id": chat_id, "type": "supergroup", "title": "略阳县某村群"}


def command_entities(text: str) -> list[dict]:
    if text.startswith("/"):
        return [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return []


def message_update(
    chat_id: int,
    user_id: int,
    text: str | None = None,
    *,
    entities: list[dict] | None = None,
    reply_to: dict | None = None,
    extra: dict | None = None,
    kind: str = "message",
) -> dict:
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": user(user_id),
    }
    if text is not None:
        msg["text"] = text
        ents = entities if entities is not None else command_entities(text)
        if ents:
            msg["entities"] = ents
    if reply_to is not None:
        msg["reply_to_message"] = reply_to
    if extra:
        msg.update(extra)
    if kind == "edited_message":
        msg["edit_date"] = int(time.time())
    return {"update_id": next(_update_ids), kind: msg}


def bot_message(
    chat_id: int, text: str = "…", *, reply_markup: dict | None = None, reply_to: dict | None = None
) -> dict:
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "略阳助手", "username": BOT_USERNAME},
        "text": text,
    }
    if reply_markup:
        msg["reply_markup"] = reply_markup
    if reply_to:
        msg["reply_to_message"] = reply_to
    return msg


def callback_update(chat_id: int, user_id: int, data: str, message: dict) -> dict:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": message,
        },
    }
