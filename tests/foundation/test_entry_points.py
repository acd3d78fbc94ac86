"""Issue 14 item 4 and the outbox gap: every entry point a production unit starts refuses unsafe settings, the
units run the check first, the Telegram front end delivers the outbox, the daily purge is scheduled."""

from __future__ import annotations

import configparser
import sys

import pytest

from bot import action_server, runner
from bot.cli import frontends, notify, production
from bot.cli import main as cli_main
from bot.cli.production import endpoints_problems, prepare_case_database, read_env_file, supervise
from bot.notifications import worker
from bot.runner import DAILY_JOBS, Cluster, DailyJob, DailyJobs
from bot.settings import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"
TOKEN = "123456789:" + "A" * 35
SAFE = {
    "LUEYANG_PROFILE": "production",
    "RASA_CHANNEL_SECRET": "c" * 43,
    "ID_HASH_KEY": "k" * 43,
    "DATABASE_URL": "postgresql://lueyang_app:pw@127.0.0.1/lueyang_cases",
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "TELEGRAM_MODE": "webhook",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.cn/telegram",
    "TELEGRAM_WEBHOOK_SECRET": "w" * 43,
}
UNSAFE = {**SAFE, "TELEGRAM_WEBHOOK_SECRET": "s3cret_token", "ID_HASH_KEY": "CHANGE-ME"}


def use(monkeypatch, module, env: dict[str, str]) -> None:
    monkeypatch.setattr(module, "get_settings", lambda: Settings.from_env(env))


# -- lueyang production-check (ExecStartPre of the units) --------------------------------------------------------
def test_production_check_refuses_the_example_env_file_and_the_embedded_profile(monkeypatch, capsys):
    use(monkeypatch, production, read_env_file(DEPLOY / "production.env.example"))
    assert cli_main(["production-check"]) == 1
    err = capsys.readouterr().err
    assert "RASA_CHANNEL_SECRET is still the CHANGE-ME placeholder" in err and "ID_HASH_KEY" in err
    use(monkeypatch, production, {})
    assert cli_main(["production-check"]) == 1
    assert "LUEYANG_PROFILE=production" in capsys.readouterr().err
    use(monkeypatch, production, SAFE)
    assert cli_main(["production-check"]) == 0


def test_production_check_of_an_endpoints_file(tmp_path, monkeypatch):
    example = DEPLOY / "endpoints.example.yml"
    placeholders = {"LUEYANG_TRACKER_PASSWORD": "CHANGE-ME", "LUEYANG_REDIS_PASSWORD": "CHANGE-ME"}
    problems = endpoints_problems(example, placeholders)
    assert len(problems) == 2 and all("CHANGE-ME" in p for p in problems)
    assert any("does not set it" in p for p in endpoints_problems(example, {}))
    assert endpoints_problems(example, {"LUEYANG_TRACKER_PASSWORD": "t" * 20, "LUEYANG_REDIS_PASSWORD": "r" * 20}) == []
    plain = tmp_path / "endpoints-5005.yml"
    plain.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 10.0.0.10\n  password: literal\n"
        "lock_store:\n  type: redis\n  url: 10.0.0.10\n"
    )
    plain.chmod(0o644)
    problems = endpoints_problems(plain, {})
    assert any("tracker_store.type must be rasa_addons.tracker_store.MaskingSQLTrackerStore" in p for p in problems)
    assert any("sslmode: verify-full" in p for p in problems)
    assert any("use_ssl: true" in p for p in problems)
    assert any("others can read it" in p for p in problems)
    use(monkeypatch, production, SAFE)
    assert cli_main(["production-check", "--endpoints", str(plain)]) == 1


# -- the entry points themselves ---------------------------------------------------------------------------------
def test_telegram_front_end_refuses_unsafe_production_settings(monkeypatch, capsys):
    use(monkeypatch, frontends, UNSAFE)
    monkeypatch.setattr(frontends, "run_telegram", lambda *a, **k: pytest.fail("must not start"))
    assert cli_main(["telegram", "--check"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_WEBHOOK_SECRET must be at least 32" in err and "ID_HASH_KEY is still the CHANGE-ME" in err
    assert cli_main(["telegram"]) == 2


def test_telegram_front_end_delivers_the_outbox(monkeypatch):
    """`lueyang telegram` is what production runs: without the worker no status notification or staff reply
    would ever be sent there."""
    use(monkeypatch, frontends, SAFE)
    seen = {}
    monkeypatch.setattr(frontends, "run_telegram", lambda settings, **kw: seen.update(kw) or 0)
    assert cli_main(["telegram"]) == 0
    assert worker.outbox_job in seen["background"]


def test_action_server_refuses_unsafe_production_settings(monkeypatch):
    use(monkeypatch, action_server, UNSAFE)
    monkeypatch.setattr(action_server, "create_app", lambda *a, **k: pytest.fail("must not start"))
    monkeypatch.setattr(action_server, "serve", lambda *a, **k: pytest.fail("must not start"))
    with pytest.raises(SystemExit, match="ID_HASH_KEY is still the CHANGE-ME"):
        action_server.main(["--port", "5999"])
    started = []
    use(monkeypatch, action_server, SAFE)
    monkeypatch.setattr(action_server, "create_app", lambda: "the app")
    monkeypatch.setattr(action_server, "serve", lambda app, port: started.append((app, port)))
    action_server.main(["--port", "5999"])
    assert started == [("the app", 5999)]


@pytest.mark.parametrize("action", ["run", "once"])
def test_outbox_worker_refuses_unsafe_production_settings(monkeypatch, capsys, action):
    use(monkeypatch, notify, UNSAFE)
    monkeypatch.setattr(notify, "_telegram_channel", lambda: pytest.fail("must not start"))
    assert cli_main(["notify", action]) == 1
    assert "production profile" in capsys.readouterr().err


# -- the systemd units -------------------------------------------------------------------------------------------
def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def test_every_production_unit_checks_the_settings_before_it_starts():
    services = sorted(p.name for p in (DEPLOY / "systemd").glob("*.service"))
    assert services == ["lueyang-actions@.service", "lueyang-purge.service", "lueyang-rasa@.service",
                        "lueyang-reminders.service", "lueyang-telegram.service", "lueyang-web.service"]
    for name in services:
        pre = unit(name)["Service"].get("ExecStartPre", "")
        checks = ("lueyang production-check", "lueyang telegram --check", "lueyang web --check")
        assert any(check in pre for check in checks), name
    rasa = unit("lueyang-rasa@.service")["Service"]
    assert "--endpoints /etc/lueyang/endpoints-%i.yml" in rasa["ExecStartPre"]
    # the outbox is delivered by the Telegram front end's process (test above), which the unit runs
    assert unit("lueyang-telegram.service")["Service"]["ExecStart"].endswith("lueyang telegram")
    assert unit("lueyang-web.service")["Service"]["ExecStart"].endswith("lueyang web")


def test_a_timer_runs_the_purge_daily():
    timer = unit("lueyang-purge.timer")
    assert timer["Timer"]["OnCalendar"].startswith("*-*-*") and timer["Timer"]["Persistent"] == "true"
    service = unit("lueyang-purge.service")["Service"]
    assert service["Type"] == "oneshot" and service["ExecStart"].endswith("lueyang purge")


def test_a_timer_runs_the_daily_reminders_of_the_long_running_profiles_in_office_hours():
    """The same reminder commands as ``bot.runner.DAILY_JOBS`` (the profiles without systemd timers)."""
    timer = unit("lueyang-reminders.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* 08:30:00 Asia/Shanghai" and timer["Persistent"] == "true"
    service = unit("lueyang-reminders.service")["Service"]
    assert service["Type"] == "oneshot" and "lueyang production-check" in service["ExecStartPre"]
    text = (DEPLOY / "systemd" / "lueyang-reminders.service").read_text(encoding="utf-8")
    started = [line.split("/bin/lueyang ", 1)[1] for line in text.splitlines() if line.startswith("ExecStart=")]
    reminders = [job for job in DAILY_JOBS if job.name != "purge"]
    assert started == [job.name for job in reminders]
    assert all(job.hours is not None and job.hours[0] <= 8 < job.hours[1] for job in reminders)


def test_make_production_is_the_explicit_local_demo():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "lueyang production --demo-on-this-machine" in makefile and "production --demo\n" not in makefile


# -- lueyang production on one machine ---------------------------------------------------------------------------
def test_production_demo_refuses_a_case_database_elsewhere(monkeypatch, tmp_path, capsys):
    for key in ("REDIS_URL", "TRACKER_STORE_URL", "RASA_CHANNEL_SECRET", "ID_HASH_KEY", "TELEGRAM_BOT_TOKEN",
                "LUEYANG_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LUEYANG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://lueyang_app:pw@10.0.0.10/lueyang_cases?sslmode=verify-full")
    monkeypatch.setattr(production, "check_services", lambda env: pytest.fail("refused before connecting"))
    assert cli_main(["production", "--demo-on-this-machine"]) == 1
    assert "10.0.0.10, not at this machine" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["production", "--demo"])  # the old implicit flag is gone


def test_prepare_case_database_asks_for_the_local_demo_in_the_production_profile(monkeypatch):
    calls = []

    class Done:
        returncode = 0

    monkeypatch.setattr(production.subprocess, "run", lambda cmd, **kw: calls.append(cmd[3:]) or Done())
    prepare_case_database({"LUEYANG_PROFILE": "production"}, demo=True)
    prepare_case_database({"LUEYANG_PROFILE": "embedded"}, demo=True)
    assert calls == [["db", "upgrade"], ["demo", "load", "--on-this-machine"], ["db", "upgrade"], ["demo", "load"]]


def test_supervise_runs_the_daily_purge(tmp_path):
    cluster = Cluster(settings=Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)}), model=tmp_path / "none")
    marker = tmp_path / "purged"
    purge = DailyJobs(cluster.settings, jobs=[DailyJob("purge", ())],
                      program=[sys.executable, "-c", f"open({str(marker)!r}, 'w')"], log_path=tmp_path / "daily.log")
    lines: list[str] = []
    assert supervise(cluster, echo=lines.append, poll=0.05, max_seconds=0.3, daily=purge) == 0
    if purge.proc is not None:
        purge.proc.wait(20)
    assert marker.exists() and purge.runs == 1 and any("lueyang purge started" in line for line in lines)


def test_pg_connect_keeps_the_tls_options(monkeypatch):
    seen = {}
    monkeypatch.setattr(production.psycopg, "connect", lambda **kw: seen.update(kw))
    production.pg_connect("postgresql://u:p@db.internal:5432/x?sslmode=verify-full&sslrootcert=/etc/ca.pem")
    assert seen["sslmode"] == "verify-full" and seen["sslrootcert"] == "/etc/ca.pem" and seen["host"] == "db.internal"


def test_rasa_env_of_the_example_units_is_complete():
    """The endpoints example reads two passwords from production.env: the example must define them."""
    env = read_env_file(DEPLOY / "production.env.example")
    assert {"LUEYANG_TRACKER_PASSWORD", "LUEYANG_REDIS_PASSWORD", "LUEYANG_RASA_INTERFACE"} <= set(env)


def test_every_rasa_process_gets_the_tuned_thread_settings(tmp_path, monkeypatch):
    """One place (bot.runner.RASA_PROCESS_ENV) for `make serve`/`lueyang run`, `lueyang production` and the load
    test: the Cluster starts every Rasa process with it; the systemd unit sets the same values."""
    for key in runner.RASA_PROCESS_ENV:
        monkeypatch.delenv(key, raising=False)
    seen: dict[str, dict[str, str]] = {}

    def spawn(self, name, cmd, env, overrides=None, health_url=None):
        seen[name] = {**env, **self.extra_env, **(overrides or {})}

    monkeypatch.setattr(runner.Cluster, "_spawn", spawn)
    monkeypatch.setattr(runner, "rasa_bin", lambda settings: tmp_path / "rasa")
    settings = Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path), "TRACKER_STORE_URL": "sqlite:///t.db"})
    runner.Cluster(settings=settings, model=tmp_path / "m.tar.gz").start_rasa(0)
    assert {k: seen["rasa-0"][k] for k in runner.RASA_PROCESS_ENV} == runner.RASA_PROCESS_ENV == {
        "OMP_NUM_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        "TF_INTRA_OP_PARALLELISM_THREADS": "1",
        "TF_INTER_OP_PARALLELISM_THREADS": "1",
    }
    unit = (DEPLOY / "systemd" / "lueyang-rasa@.service").read_text(encoding="utf-8")
    assignments = dict(
        item.split("=", 1) for line in unit.splitlines() if line.startswith("Environment=")
        for item in line[len("Environment="):].split()
    )
    assert {k: assignments.get(k) for k in runner.RASA_PROCESS_ENV} == runner.RASA_PROCESS_ENV
