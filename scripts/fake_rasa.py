#!/usr/bin/env python3
"""A stand-in for Rasa's REST channel, for trying the front ends without a trained model.

    python scripts/fake_rasa.py --port 5005 [--secret S] [--delay 12] [--fail]
    RASA_URL=http://127.0.0.1:5005 .venvs/app/bin/lueyang chat

Answers POST /webhooks/secure_rest/webhook like Rasa's ``rest`` channel: a greeting with buttons for
``/greet``, a long text for "long", an echo otherwise. ``--delay`` makes every answer slow (to see the
front end's timeout apology), ``--fail`` answers HTTP 500 (action server down). Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MENU = [
    {"title": "低保申请条件", "payload": "/ask_dibao_eligibility"},
    {"title": "临时救助预审", "payload": "/start_precheck"},
    {"title": "查询申请进度", "payload": "/check_status"},
    {"title": "联系工作人员", "payload": "/request_human"},
]


def answer(sender: str, message: str, metadata: dict) -> list[dict]:
    if message == "/greet":
        return [{"recipient_id": sender, "text": "您好！我是略阳县社会救助助手（演示）。请问您想了解什么？", "buttons": MENU}]
    if message == "long":
        return [{"recipient_id": sender, "text": "这是一段很长的演示文字。" * 600}]
    command = metadata.get("command")
    extra = f"（命令 {command}，参数“{metadata.get('args', '')}”）" if command else ""
    return [{"recipient_id": sender, "text": f"［演示］收到：{message}{extra}"}]


def make_handler(secret: str, delay: float, fail: bool):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            if self.path.rstrip("/") != "/webhooks/secure_rest/webhook":
                return self._send(404, {"error": "not found"})
            if secret and self.headers.get("X-Assistant-Secret") != secret:
                return self._send(403, {"error": "forbidden"})
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            if delay:
                time.sleep(delay)
            if fail:
                return self._send(500, {"error": "action server unavailable"})
            return self._send(200, answer(body.get("sender", ""), body.get("message", ""), body.get("metadata") or {}))

        def _send(self, status: int, data: object) -> None:
            payload = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, fmt: str, *args: object) -> None:
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--secret", default="")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--fail", action="store_true")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.secret, args.delay, args.fail))
    print(f"fake Rasa on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
