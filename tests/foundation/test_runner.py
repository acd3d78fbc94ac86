from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.errors import ConfigurationError
from bot.runner import (
    LOCK_STORE_TYPE,
    TRACKER_STORE_TYPE,
    Cluster,
    install_signal_handlers,
    lock_store_config,
    tracker_store_config,
    write_endpoints,
)
from bot.settings import Settings


def test_tracker_store_from_urls():
    assert TRACKER_STORE_TYPE == "rasa_addons.tracker_store.MaskingSQLTrackerStore"  # masks personal data
    assert tracker_store_config("sqlite:////tmp/x/tracker.db") == {
        "type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": "/tmp/x/tracker.db"
    }
    pg = tracker_store_config("postgresql://rasa:p%40ss@db.example:5433/tracker")
    assert pg == {"type": TRACKER_STORE_TYPE, "dialect": "postgresql", "url": "db.example", "port": 5433, "db": "tracker",
                  "username": "rasa", "password": "p@ss"}
    with pytest.raises(ConfigurationError):
        tracker_store_config("mongodb://x/y")


def test_lock_store_is_redis_only_when_configured():
    assert lock_store_config("") is None
    assert lock_store_config("redis://127.0.0.1:6379/2") == {
        "type": LOCK_STORE_TYPE, "url": "127.0.0.1", "port": 6379, "db": 2, "key_prefix": "lueyang"}


def test_endpoints_file(tmp_path):
    s = Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/0"})
    data = json.loads(write_endpoints(s, "http://127.0.0.1:5055/webhook", tmp_path / "e.yml").read_text())
    assert data["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"
    assert data["tracker_store"]["dialect"] == "sqlite"
    assert data["lock_store"]["type"] == LOCK_STORE_TYPE


def test_stop_ends_every_child_and_its_process_group(tmp_path):
    cluster = Cluster(settings=Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)}), model=Path("unused"))
    # a child that itself starts a grandchild: both must go
    script = "import subprocess, time; subprocess.Popen(['sleep', '300']); time.sleep(300)"
    children = [cluster._spawn(f"c{i}", [sys.executable, "-c", script], dict(os.environ)) for i in range(2)]
    pgids = [os.getpgid(c.proc.pid) for c in children]
    cluster.stop()
    assert all(c.proc.poll() is not None for c in children)
    for pgid in pgids:
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)


def test_sigint_and_sigterm_become_keyboard_interrupt():
    old = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as inherited by background jobs of a script
    try:
        install_signal_handlers()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), sig)
                signal.sigtimedwait([], 0.5) if False else None  # delivery happens at the next bytecode
                for _ in range(1000):
                    pass
    finally:
        signal.signal(signal.SIGINT, old[0])
        signal.signal(signal.SIGTERM, old[1])
