"""The production profile for real: PostgreSQL case database and tracker store, Redis lock store, two Rasa
processes and two action servers, started once per module (loading a model takes ~30 s per Rasa process).

Each session uses its own PostgreSQL databases (``lueyang_t_<random>_cases`` / ``_tracker``, dropped at the end)
and its own ports, so it never touches the databases of a running assistant or of another test run.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest

from bot.cli.production import check_services, prepare_case_database
from bot.frontends.core import ConversationCore, Reply
from bot.frontends.rasa_client import SECRET_HEADER, WEBHOOK_PATH, RasaClient
from bot.runner import Cluster
from bot.settings import PROJECT_ROOT, Settings
from bot.training import model_fingerprint, model_path

SECRET = "production-test-secret-at-least-32-characters"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RASA_PORT = 17005
ACTION_PORT = 17055
STEP_RE = re.compile(r"（第\s*(\d+)\s*/\s*(\d+)\s*步）")


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def step_of(text: str) -> int | None:
    """The "（第 N/M 步）" number of the last pre-check question in ``text``."""
    found = STEP_RE.findall(text)
    return int(found[-1][0]) if found else None


class Production:
    """The running profile plus what the tests need to drive it like the front end does."""

    def __init__(self, cluster: Cluster, env: dict[str, str], tracker_db: str) -> None:
        self.cluster = cluster
        self.env = env
        self.tracker_db = tracker_db
        self.stored: list[tuple[str, str, str]] = []

    # -- talking --------------------------------------------------------------------------------------------
    def core(self, urls: list[str] | None = None) -> ConversationCore:
        """The front end's conversation core over the front end's Rasa client (hash routing + failover)."""
        client = RasaClient(urls or self.cluster.rasa_urls, secret=SECRET, timeout=25)
        return ConversationCore(
            rasa=client, contact=lambda: "请致电县民政局。", pending_store=lambda *a: self.stored.append(a) or 1
        )

    async def say(self, sender: str, text: str, urls: list[str] | None = None) -> str:
        core = self.core(urls)
        try:
            replies: list[Reply] = await core.handle_text(sender, text, channel="telegram")
        finally:
            await core.rasa.aclose()
        return "\n".join(r.text for r in replies)

    def post(self, url: str, sender: str, text: str) -> httpx.Response:
        return httpx.post(url + WEBHOOK_PATH, json={"sender": sender, "message": text},
                          headers={SECRET_HEADER: SECRET}, timeout=30, trust_env=False)

    def sender_on(self, index: int, prefix: str = "tg") -> str:
        """A new sender id that the front end routes to Rasa process ``index`` first."""
        router = RasaClient(self.cluster.rasa_urls)
        want = self.cluster.rasa_urls[index]
        for _ in range(1000):
            sender = f"{prefix}-{uuid.uuid4().hex[:12]}"
            if router.urls_for(sender)[0] == want:
                return sender
        raise AssertionError("no sender id hashes to that process")

    # -- state ----------------------------------------------------------------------------------------------
    def tracker_events(self, sender: str) -> int:
        with psycopg.connect(self.tracker_db, autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM events WHERE sender_id = %s", (sender,)).fetchone()
        return int(row[0])

    def ensure_healthy(self) -> None:
        """Every Rasa process and action server running with the normal configuration."""
        running = {c.name for c in self.cluster.children if c.alive}
        wanted = [f"actions-{i}" for i in range(self.cluster.action_processes)]
        wanted += [f"rasa-{i}" for i in range(self.cluster.rasa_processes)]
        for name in wanted:
            if name not in running:
                self.cluster.restart(name)

    def log(self, name: str) -> str:
        path = self.cluster.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def production_model() -> Path:
    override = os.environ.get("LUEYANG_TEST_MODEL", "").strip()  # a model file to test instead
    model = Path(override) if override else model_path(Settings.from_env({}), model_fingerprint(PROJECT_ROOT))
    if not model.exists():
        pytest.fail(f"no trained model for the current inputs ({model.name}); run `make train` (make test does)")
    return model


@pytest.fixture(scope="module")
def production(tmp_path_factory, production_model):
    name = f"lueyang_t_{uuid.uuid4().hex[:10]}"
    var_dir: Path = tmp_path_factory.mktemp("production-var")
    env = {
        "LUEYANG_PROFILE": "production",
        "LUEYANG_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}_cases",
        "TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}_tracker",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "RASA_CHANNEL_SECRET": SECRET,
        "ID_HASH_KEY": "production-test-id-hash-key-at-least-32-characters",
        "LOG_LEVEL": "INFO",
    }
    child_env = {**os.environ, **env}
    problems = check_services(child_env)
    if problems:
        pytest.fail("the production tests need PostgreSQL and Redis on 127.0.0.1: " + "; ".join(problems))
    for suffix in ("cases", "tracker"):
        _admin(f'CREATE DATABASE "{name}_{suffix}"')
    settings = Settings.from_env(child_env)
    settings.check_production()
    cluster = Cluster(settings=settings, model=production_model, rasa_processes=2, action_processes=2,
                      rasa_port=RASA_PORT, action_port=ACTION_PORT, log_dir=var_dir / "logs", extra_env=env)
    try:
        prepare_case_database(child_env, demo=True)
        cluster.start(echo=lambda *_: None)
        yield Production(cluster, env, env["TRACKER_STORE_URL"])
    except Exception:
        for log in sorted((var_dir / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        raise
    finally:
        cluster.stop()
        for suffix in ("cases", "tracker"):
            _admin(f'DROP DATABASE IF EXISTS "{name}_{suffix}" WITH (FORCE)')

