"""Offline stand-ins for the Telegram Bot API and for Rasa's REST channel.

- ``FakeBotApi`` answers Bot API methods with valid Telegram JSON and records every call; failures can be
  queued per method (HTTP status + description, e.g. 502 -> NetworkError, 429 -> RetryAfter).
- ``RecordingRequest`` plugs it into python-telegram-bot as a ``BaseRequest``.
- ``FakeTelegramServer`` serves it over real HTTP (``base_url``), including long-polling ``getUpdates``.
- ``FakeRasa`` is a tiny HTTP server with Rasa's REST channel contract: canned replies per message, and it
  can be made slow (blocks until released), failing (HTTP 500) or down (closed port).
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

from telegram.request import BaseRequest, RequestData

from bot.settings import Settings

BOT_ID = 7000001
BOT_USERNAME = "LueyangTestBot"
TOKEN = "123456789:" + "A" * 35

FAST_RETRY = {"base_delay": 0.0, "max_delay": 0.0}


def make_settings(rasa_url: str, **env: str) -> Settings:
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


# -- a minimal HTTP/1.1 server on asyncio streams ---------------------------------------------------------
@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[HttpRequest], Any]  # async -> (status, content_type, body bytes)


class TinyHttpServer:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self._conns: set[asyncio.Task] = set()

    async def start(self, port: int = 0) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            for task in list(self._conns):
                task.cancel()
            await asyncio.gather(*self._conns, return_exceptions=True)
            await self.server.wait_closed()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._conns.add(task)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, v = h.decode("latin-1").split(":", 1)
                    headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                status, ctype, payload = await self.handler(HttpRequest(method, path, headers, body))
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._conns.discard(task)
            writer.close()


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
    updates: asyncio.Queue | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _changed: asyncio.Event | None = None

    def fail_next(self, method: str, status: int, description: str = "error", parameters: dict | None = None) -> None:
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
        queued = self.failures.get(method)
        if queued:
            status, description, parameters = queued.pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if parameters:
                body["parameters"] = parameters
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(method, params)}).encode()

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

    async def do_request(self, url, method, request_data: RequestData | None = None, **kwargs) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        return await self.api.handle(api_method, request_data.json_parameters if request_data else {})


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
            raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(req.body or b"{}").items()}
        else:
            raw = dict(urllib.parse.parse_qsl(req.body.decode(), keep_blank_values=True))
        status, body = await self.api.handle(method, raw)
        return status, "application/json", body


# -- the fake Rasa ---------------------------------------------------------------------------------------
def canned(message: str, sender: str) -> list[dict]:
    """Default replies: a greeting with buttons, a long text, or an echo naming the sender."""
    if message == "/greet":
        return [
            {
                "recipient_id": sender,
                "text": "您好！我是略阳县社会救助助手。请问您想了解什么？",
                "buttons": [
                    {"title": "低保申请条件", "payload": "/ask_dibao_eligibility"},
                    {"title": "临时救助", "payload": "/ask_temp_relief"},
                ],
            }
        ]
    if message == "/ask_dibao_eligibility":
        return [{"recipient_id": sender, "text": "低保的条件是：家庭人均收入低于当地低保标准，且财产符合规定。"}]
    if message == "long":
        return [{"recipient_id": sender, "text": "这是一句很长的政策说明。" * 800}]
    if message == "silent":
        return []
    return [{"recipient_id": sender, "text": f"收到（{sender}）：{message}"}]


class FakeRasa:
    def __init__(self, responder: Callable[[str, str], list[dict]] = canned, secret: str = "") -> None:
        self.responder = responder
        self.secret = secret
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.mode = "ok"  # ok | slow | error
        self.release = asyncio.Event()  # a slow request waits for this
        self.received = asyncio.Event()  # set on every request
        self.http = TinyHttpServer(self._handle)

    async def start(self, port: int = 0) -> None:
        await self.http.start(port)

    async def stop(self) -> None:
        self.release.set()
        await self.http.stop()

    @property
    def url(self) -> str:
        return self.http.url

    def messages(self) -> list[str]:
        return [r["message"] for r in self.requests]

    async def _handle(self, req: HttpRequest) -> tuple[int, str, bytes]:
        if req.path != "/webhooks/secure_rest/webhook" or req.method != "POST":
            return 404, "application/json", b'{"error":"not found"}'
        if self.secret and req.headers.get("x-assistant-secret") != self.secret:
            return 403, "application/json", b'{"error":"forbidden"}'
        body = json.loads(req.body)
        self.requests.append(body)
        self.headers.append(req.headers)
        self.received.set()
        if self.mode == "slow":
            await self.release.wait()
        if self.mode == "error":
            return 500, "application/json", b'{"error":"action server failed"}'
        replies = self.responder(body["message"], body["sender"])
        return 200, "application/json", json.dumps(replies, ensure_ascii=False).encode()


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


def bot_message(chat_id: int, text: str = "…", *, reply_markup: dict | None = None, reply_to: dict | None = None) -> dict:
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
