"""A real assistant for tests that talk to it: a trained model, Rasa server + action server over REST.

Used by the conversation tests (``tests/conversations``) and the web channel's browser tests (``tests/web``).
``running_assistant`` starts one on spare ports with its own var/ (SQLite tracker store and case database with the
demo data) and a channel secret, so tests also show that requests without the secret are refused. The model is
the one for the current inputs (``bot.training.model_path``), or ``LUEYANG_TEST_MODEL`` during development; a
missing model fails the test with a clear message.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from bot.identity import TELEGRAM, SenderIdentity
from bot.runner import Cluster, wait_http
from bot.settings import PROJECT_ROOT, Settings
from bot.training import model_fingerprint, model_path

SECRET = "test-channel-secret"


def free_port() -> int:
    """A port nobody listens on now (several test runs may share this machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Assistant:
    def __init__(self, cluster: Cluster, secret: str, env: dict[str, str] | None = None) -> None:
        self.cluster = cluster
        self.secret = secret
        self.env = dict(env or {})  # the variables the assistant's processes run with (var dir, databases)
        self.url = cluster.rasa_urls[0] + "/webhooks/secure_rest/webhook"
        self._client = httpx.Client(timeout=60)

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        body = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        resp = self._client.post(self.url, json=body, headers={"X-Assistant-Secret": self.secret})
        resp.raise_for_status()
        return resp.json()

    def texts(self, sender: str, text: str, metadata: dict | None = None) -> str:
        """All reply texts of one turn joined by newlines (button titles included, in brackets)."""
        parts = []
        for reply in self.send(sender, text, metadata):
            if reply.get("text"):
                parts.append(reply["text"])
            for button in reply.get("buttons") or []:
                parts.append(f"[{button.get('title')}]")
        return "\n".join(parts)

    def raw_post(self, body: dict, headers: dict | None = None) -> httpx.Response:
        return self._client.post(self.url, json=body, headers=headers or {})

    def restart(self) -> None:
        """Stop and start Rasa and the action server (same tracker store and database)."""
        self.cluster.stop()
        self.cluster.start(echo=lambda *_: None)

    def stop_actions(self) -> None:
        for child in list(self.cluster.children):
            if child.name.startswith("actions-"):
                child.proc.terminate()
                child.proc.wait(15)
                self.cluster.children.remove(child)

    def start_actions(self) -> None:
        self.cluster.start_action_server(0)
        wait_http(self.cluster.action_urls[0] + "/health", 60, self.cluster.children)

    @staticmethod
    def new_sender(prefix: str = "test") -> str:
        """A fresh sender; ``"tg"`` gives a real private Telegram chat (``tg-<chat>-<user>``, chat = user)."""
        if prefix == "tg":
            user = str(10**9 + uuid.uuid4().int % 10**9)
            return str(SenderIdentity(TELEGRAM, chat=user, user=user))
        return f"{prefix}-{uuid.uuid4().hex[:10]}"


TICKET_NUMBER = re.compile(r"工单号：#(\d+)")


def ticket_number(reply: str) -> str:
    """The ticket number a reply announces (工单号：#N)."""
    match = TICKET_NUMBER.search(reply)
    assert match, f"no ticket number in: {reply}"
    return match.group(1)


def open_ticket_without_phone(assistant: Assistant, sender: str, topic: str) -> tuple[str, str]:
    """A resident asks for a person about ``topic``, leaves no phone and asks to be answered soon: (the ticket
    number, the reply that created the ticket)."""
    assistant.texts(sender, "/request_human")
    assistant.texts(sender, topic)
    assistant.texts(sender, "不留")
    created = assistant.texts(sender, "尽快")
    return ticket_number(created), created


def model_under_test() -> Path:
    """The model to test: the one for the current inputs, or ``LUEYANG_TEST_MODEL``; fails clearly if missing."""
    model = model_path(Settings.from_env({}), model_fingerprint(PROJECT_ROOT))
    if os.environ.get("LUEYANG_TEST_MODEL"):  # development: test a given model even if inputs moved on
        model = Path(os.environ["LUEYANG_TEST_MODEL"]).resolve()
    if not model.exists():
        pytest.fail(f"no trained model for the current inputs ({model.name}); run `make train` (make test does)")
    return model


@contextmanager
def running_assistant(var_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Assistant]:
    """Rasa and the action server on spare ports, with the demo data in a fresh case database under ``var_dir``."""
    model = model_under_test()
    env = {
        "LUEYANG_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'cases.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'tracker.db'}",
        "RASA_CHANNEL_SECRET": SECRET,
        "STAFF_TELEGRAM_IDS": "900001",
        "LOG_LEVEL": "INFO",
        **(extra_env or {}),
    }
    child_env = {**os.environ, **env}
    for cmd in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([sys.executable, "-m", "bot", *cmd], check=True, env=child_env, cwd=PROJECT_ROOT)
    settings = Settings.from_env(child_env)
    cluster = Cluster(
        settings=settings, model=model, rasa_port=free_port(), action_port=free_port(), log_dir=var_dir / "logs", extra_env=env
    )
    try:
        cluster.start(echo=lambda *_: None)
    except Exception:
        cluster.stop()
        for log in sorted((var_dir / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-4000:]}")
        raise
    try:
        yield Assistant(cluster, SECRET, env)
    finally:
        cluster.stop()
