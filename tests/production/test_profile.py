"""The production profile without Rasa: configuration, secrets, databases, supervision, one-child restarts."""

from __future__ import annotations

import sys
import uuid

import psycopg
import pytest

from bot.cli import main as cli_main
from bot.cli.production import (
    RestartBudget,
    check_profile,
    check_services,
    ensure_databases,
    production_env,
    read_env_file,
    supervise,
)
from bot.errors import ConfigurationError
from bot.runner import Cluster, wait_http
from bot.settings import Settings
from tests.auxil.assistant import free_port


def test_defaults_and_generated_secrets_are_stable(tmp_path):
    env, notes = production_env({}, var_dir=tmp_path)
    assert env["LUEYANG_PROFILE"] == "production"
    assert env["DATABASE_URL"].endswith("/lueyang_cases") and env["TRACKER_STORE_URL"].endswith("/lueyang_tracker")
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/0" and env["TELEGRAM_MODE"] == "webhook"
    assert len(env["RASA_CHANNEL_SECRET"]) >= 32 and env["ID_HASH_KEY"] != env["RASA_CHANNEL_SECRET"]
    secrets_file = tmp_path / "production.env"
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    again, _ = production_env({}, var_dir=tmp_path)
    assert again["ID_HASH_KEY"] == env["ID_HASH_KEY"]  # stored ID hashes depend on it
    assert any("generated" in n for n in notes)
    given, _ = production_env({"ID_HASH_KEY": "from-the-environment"}, var_dir=tmp_path)
    assert given["ID_HASH_KEY"] == "from-the-environment"
    assert read_env_file(secrets_file)["ID_HASH_KEY"] == env["ID_HASH_KEY"]


def test_webhook_secret_is_generated_only_for_telegram(tmp_path):
    env, _ = production_env({"TELEGRAM_BOT_TOKEN": "123:abc"}, var_dir=tmp_path)
    assert env["TELEGRAM_WEBHOOK_SECRET"]
    env, _ = production_env({}, var_dir=tmp_path / "other")
    assert "TELEGRAM_WEBHOOK_SECRET" not in env


def test_unsafe_profiles_are_refused(tmp_path):
    env, _ = production_env({}, var_dir=tmp_path)
    check_profile(env, 2, 2)
    with pytest.raises(ConfigurationError, match="TRACKER_STORE_URL"):
        check_profile({**env, "TRACKER_STORE_URL": "sqlite:///x.db"}, 2, 2)
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        check_profile({**env, "REDIS_URL": ""}, 2, 2)
    check_profile({**env, "REDIS_URL": ""}, 1, 1)  # one Rasa process may use the in-memory lock store
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        check_profile({**env, "DATABASE_URL": "sqlite:///cases.db"}, 2, 2)
    with pytest.raises(ConfigurationError, match="embedded"):
        production_env({"LUEYANG_PROFILE": "embedded"}, var_dir=tmp_path)


def test_unreachable_services_are_named():
    port = free_port()
    problems = check_services({
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/x",
        "TRACKER_STORE_URL": "sqlite:///t.db",
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
    })
    assert len(problems) == 2
    assert "DATABASE_URL" in problems[0] and "Redis" in problems[1]


@pytest.mark.postgres
@pytest.mark.redis
def test_services_and_database_creation():
    name = f"lueyang_t_{uuid.uuid4().hex[:10]}"
    env = {
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}_tr",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    assert check_services(env) == []
    try:
        assert ensure_databases(env) == [name, f"{name}_tr"]
        assert ensure_databases(env) == []  # idempotent
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            for db in (name, f"{name}_tr"):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def test_restart_budget():
    now = [0.0]
    budget = RestartBudget(limit=2, window=10, clock=lambda: now[0])
    assert budget.allow("rasa-0") and budget.allow("rasa-0")
    assert not budget.allow("rasa-0")
    assert budget.allow("actions-0")
    now[0] = 11.0
    assert budget.allow("rasa-0")


@pytest.fixture
def http_cluster(tmp_path):
    """A cluster of cheap children (python -m http.server) to exercise kill/restart/supervise quickly."""
    cluster = Cluster(settings=Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)}), model=tmp_path / "none",
                      log_dir=tmp_path / "logs")
    yield cluster
    cluster.stop()


def _serve(cluster: Cluster, name: str):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    child = cluster.spawn(name, [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                          health_url=url)
    wait_http(url, 20, [child])
    return child


def test_kill_and_restart_one_child(http_cluster):
    first = _serve(http_cluster, "web")
    other = _serve(http_cluster, "other")
    assert http_cluster.kill("web") == -9
    assert [c.name for c in http_cluster.children] == ["other"]
    first.proc.wait()
    http_cluster.children.append(first)  # a dead child, as supervision finds it
    again = http_cluster.restart("web")
    assert again.alive and again.proc.pid != first.proc.pid and other.alive
    wait_http(again.health_url, 5)
    with pytest.raises(KeyError):
        http_cluster.restart("nothing-1")


def test_supervise_restarts_a_dead_child_and_gives_up_on_a_crash_loop(http_cluster):
    child = _serve(http_cluster, "web")
    child.proc.kill()
    child.proc.wait()
    lines: list[str] = []
    assert supervise(http_cluster, echo=lines.append, poll=0.05, max_seconds=1.0) == 0
    assert any("restarting" in line for line in lines)
    assert http_cluster.child("web").alive

    crashing = http_cluster.spawn("crash", [sys.executable, "-c", "raise SystemExit(3)"])
    crashing.proc.wait()
    lines.clear()
    code = supervise(http_cluster, echo=lines.append, poll=0.05, max_seconds=10.0,
                     budget=RestartBudget(limit=2, window=60))
    assert code == 1 and "stopping everything" in lines[-1]


@pytest.mark.postgres
@pytest.mark.redis
def test_production_check_command(tmp_path, monkeypatch, capsys):
    for key in ("DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL", "RASA_CHANNEL_SECRET", "ID_HASH_KEY",
                "TELEGRAM_BOT_TOKEN", "LUEYANG_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LUEYANG_VAR_DIR", str(tmp_path))
    assert cli_main(["production", "--check"]) == 0
    out = capsys.readouterr().out
    assert "PostgreSQL and Redis are fine" in out and "generated" in out
    assert (tmp_path / "production.env").exists()
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    assert cli_main(["production", "--check"]) == 1
    assert "Redis" in capsys.readouterr().err
