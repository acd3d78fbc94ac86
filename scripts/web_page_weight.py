"""The web page's weight on a first visit: the HTML of the resident page with its menu, and every file it loads
(one stylesheet, one script; no fonts, images or anything from outside the server). Prints raw and gzip sizes
(nginx compresses them, deploy/nginx/lueyang-web.conf). Used for the figure in the README.

    .venvs/app/bin/python scripts/web_page_weight.py
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile

from starlette.testclient import TestClient

from bot.frontends.core import ConversationCore
from bot.frontends.web.app import build_app
from bot.settings import Settings


class NoRasa:
    async def send(self, sender_id: str, message: str, metadata: dict | None = None) -> list[dict]:
        raise AssertionError("the first visit does not ask Rasa")


def main() -> int:
    with tempfile.TemporaryDirectory() as var:
        app = build_app(Settings.from_env({"LUEYANG_VAR_DIR": var}), ConversationCore(rasa=NoRasa(), pending_store=None),
                        secret=b"page-weight-" + b"x" * 32)  # fmt: skip
        with TestClient(app) as client:
            page = client.get("/")
            files = [("/", page.content)]
            for ref in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
                files.append((ref, client.get(ref).content))
    total_raw = total_gz = 0
    for name, body in files:
        packed = len(gzip.compress(body, 6))
        total_raw += len(body)
        total_gz += packed
        print(f"{name:<22} {len(body):>7,} bytes  {packed:>6,} gzip")
    print(f"{'first visit':<22} {total_raw:>7,} bytes  {total_gz:>6,} gzip  ({len(files)} requests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
