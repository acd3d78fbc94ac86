"""The runner's part of issue 14: endpoints files 0600, Rasa told its address, TLS options passed on to Rasa,
and the daily jobs (purge, overdue reminders) of the profiles without systemd timers."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.clock import CHINA_TZ
from bot.runner import (
    DAILY_JOBS,
    LOCK_STORE_TYPE,
    RASA_INTERFACE,
    Cluster,
    DailyJob,
    DailyJobs,
    lock_store_config,
    tracker_store_config,
    write_endpoints,
)
from bot.settings import Settings


def test_endpoints_file_with_the_tracker_password_is_private(tmp_path):
    os.umask(0o022)  # the usual umask: a plain write would give 0644
    s = Settings.from_env({
        "LUEYANG_VAR_DIR": str(tmp_path),
        "TRACKER_STORE_URL": "postgresql://lueyang_rasa:tracker-password@127.0.0.1/lueyang_tracker",
        "REDIS_URL": "redis://:redis-password@127.0.0.1:6379/0",
    })
    path = tmp_path / "endpoints-0.yml"
    path.write_text("{}")
    path.chmod(0o644)  # left over from an older run
    write_endpoints(s, "http://127.0.0.1:5055/webhook", path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert "tracker-password" in path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["endpoints-0.yml"]  # no temporary file left


def test_tls_settings_reach_rasa():
    pg = tracker_store_config(
        "postgresql://lueyang_rasa:pw@10.0.0.10:5432/lueyang_tracker?sslmode=verify-full&sslrootcert=/etc/lueyang/ca.pem"
    )
    assert pg["query"] == {"sslmode": "verify-full", "sslrootcert": "/etc/lueyang/ca.pem"}
    assert "query" not in tracker_store_config("postgresql://postgres@127.0.0.1/x")
    redis = lock_store_config("rediss://lueyang:pw@10.0.0.10:6380/0?ssl_ca_certs=/etc/lueyang/ca.pem")
    assert redis == {"type": LOCK_STORE_TYPE, "url": "10.0.0.10", "port": 6380, "db": 0, "key_prefix": "lueyang",
                     "username": "lueyang", "password": "pw", "use_ssl": True, "ssl_ca_certs": "/etc/lueyang/ca.pem"}


def test_rasa_processes_are_told_their_loopback_address(tmp_path, monkeypatch):
    cluster = Cluster(settings=Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)}), model=Path("unused"))
    seen = {}

    def fake_spawn(name, cmd, env, overrides=None, health_url=None):
        seen.update(cmd=cmd, env={**env, **(overrides or {})})

    monkeypatch.setattr(cluster, "_spawn", fake_spawn)
    monkeypatch.setattr("bot.runner.rasa_bin", lambda settings: Path("/bin/rasa"))
    cluster.start_rasa(0)
    assert seen["env"]["LUEYANG_RASA_INTERFACE"] == RASA_INTERFACE == "127.0.0.1"
    assert seen["cmd"][seen["cmd"].index("--interface") + 1] == RASA_INTERFACE


def test_purge_schedule_runs_at_start_then_daily_never_twice_at_once(tmp_path):
    now = [0.0]
    marker = tmp_path / "runs"
    script = f"import time; open({str(marker)!r}, 'a').write('x'); time.sleep(0.3)"
    schedule = DailyJobs(Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)}), log_path=tmp_path / "purge.log",
                         interval=100, clock=lambda: now[0], jobs=[DailyJob("purge", ())],
                         program=[sys.executable, "-c", script])
    assert schedule.tick() is True  # at start
    assert schedule.tick() is False  # not due, and still running
    now[0] = 150
    assert schedule.tick() is False  # due, but the first one still runs
    schedule.proc.wait()
    assert schedule.tick() is True
    schedule.proc.wait()
    now[0] = 200
    assert schedule.tick() is False
    assert schedule.runs == 2 and marker.read_text() == "xx"
    assert (tmp_path / "purge.log").exists()


def test_purge_schedule_as_a_background_job(tmp_path):
    marker = tmp_path / "ran"
    schedule = DailyJobs(Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)}), jobs=[DailyJob("purge", ())],
                         program=[sys.executable, "-c", f"open({str(marker)!r}, 'w').write('1')"])

    async def run() -> None:
        task = asyncio.create_task(schedule.job(poll=0.05))
        for _ in range(200):
            await asyncio.sleep(0.05)
            if marker.exists() and schedule.proc is not None and schedule.proc.poll() is not None:
                break
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(run())
    assert schedule.runs == 1 and marker.read_text() == "1" and schedule.proc is None


def test_the_daily_jobs_are_purge_and_the_overdue_reminders_of_existing_commands():
    assert [j.name for j in DAILY_JOBS] == ["purge", "visits remind", "monitoring remind"]
    assert all(j.name == " ".join(j.args) for j in DAILY_JOBS)
    for job in DAILY_JOBS:  # each is a real `lueyang` command (argparse exits 0 for --help)
        with pytest.raises(SystemExit) as exit_:
            cli_main([*job.args, "--help"])
        assert exit_.value.code == 0
    default = DailyJobs(Settings.from_env({}))
    assert default.program == [sys.executable, "-m", "bot"] and default.jobs == list(DAILY_JOBS)


ALL_DAILY = {"purge", "visits remind", "monitoring remind"}


@pytest.mark.parametrize(
    ("hour", "allowed"),
    [(0, {"purge"}), (7, {"purge"}), (8, ALL_DAILY), (17, ALL_DAILY), (18, {"purge"}), (23, {"purge"})],
)
def test_reminders_start_in_working_hours_only(hour, allowed):
    moment = datetime(2026, 12, 3, hour, 30, tzinfo=CHINA_TZ)
    assert {j.name for j in DAILY_JOBS if j.allowed_at(moment)} == allowed


def test_daily_jobs_run_one_at_a_time_in_order_each_once_a_day_reminders_in_working_hours(tmp_path):
    now, wall = [0.0], [datetime(2026, 12, 3, 2, 0, tzinfo=CHINA_TZ)]  # started at night
    log = tmp_path / "ran"
    script = f"import sys; open({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + chr(10))"
    schedule = DailyJobs(Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)}), interval=1000,
                         clock=lambda: now[0], now=lambda: wall[0], program=[sys.executable, "-c", script])

    def tick() -> str | None:
        started = schedule.tick()
        if started:
            schedule.proc.wait()
        return schedule.running.name if started else None

    assert tick() == "purge"  # at start, at night
    assert tick() is None  # the reminders wait for working hours
    now[0], wall[0] = 300.0, wall[0].replace(hour=8, minute=5)
    assert tick() == "visits remind"
    assert tick() == "monitoring remind"  # the previous one finished: the next due one starts
    assert tick() is None  # each ran once
    now[0] = 1000.0  # a day after the purge, still working hours
    assert tick() == "purge" and tick() is None  # the reminders are due only a day after their own start
    now[0] = 1300.0
    assert tick() == "visits remind" and tick() == "monitoring remind" and tick() is None
    assert schedule.runs == 6
    assert log.read_text().splitlines() == [
        "purge", "visits remind", "monitoring remind", "purge", "visits remind", "monitoring remind"
    ]
