"""A fake Rasa server: a tiny HTTP server with the REST channel contract of ``rasa_addons.channels`` (the
``secure_rest`` webhook): canned replies per message, and it can be made slow (blocks until released), failing
(HTTP 500) or down (closed port)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from tests.auxil.http import HttpRequest, TinyHttpServer


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
        return [
            {"recipient_id": sender, "text": "低保的条件是：家庭人均收入低于当地低保标准，且财产符合规定。"}
        ]
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
