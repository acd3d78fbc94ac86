"""`lueyang production`: the whole production profile on one machine.

PostgreSQL holds the case database and Rasa's tracker store, Redis the lock store shared by several Rasa
processes; two or more Rasa processes and two or more action servers run behind the front end, which spreads
conversations over the Rasa processes (stable hash of the sender id, failover when a process is down). With
``TELEGRAM_BOT_TOKEN`` set, the Telegram bot runs in webhook mode. A dead child is restarted (at most
``MAX_RESTARTS`` times in ``RESTART_WINDOW`` seconds, then everything stops). See docs/production.md.

`lueyang production-check` is what every production systemd unit runs before it starts (``ExecStartPre``): the
settings of the unit's environment as they are, no defaults filled in, no network (``Settings.check_production``;
``--endpoints`` also checks a Rasa endpoints file). `lueyang production --demo-on-this-machine` (make production)
is a local demo of the profile with the synthetic cases; it refuses a case database elsewhere or with real cases.

The helpers here (``production_env``, ``check_services``, ``ensure_databases``, ``prepare_case_database``)
are also used by scripts/load_test.py and tests/production.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import psycopg
import redis
import yaml
from psycopg import sql
from sqlalchemy.engine import make_url

from bot.db.session import safe_url
from bot.errors import ConfigurationError, ServiceUnavailable
from bot.frontends.telegram_app import check_settings
from bot.runner import TRACKER_STORE_TYPE, Cluster, DailyJobs, install_signal_handlers
from bot.settings import PLACEHOLDER_RE, PROJECT_ROOT, Settings, get_settings, is_loopback_host
from bot.training import ensure_model

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432"
DEFAULTS = {
    "LUEYANG_PROFILE": "production",
    "DATABASE_URL": f"{DEFAULT_PG}/lueyang_cases",
    "TRACKER_STORE_URL": f"{DEFAULT_PG}/lueyang_tracker",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "TELEGRAM_MODE": "webhook",
}
# TensorFlow thread pools of one thread per Rasa process: several Rasa processes share the cores, and a small
# intent model gains nothing from intra-op parallelism (measured: more turns/s and lower p50 under load)
TF_THREADS = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}
# generated once per machine into var/production.env (mode 0600) when not given in the environment
GENERATED_SECRETS = ("RASA_CHANNEL_SECRET", "ID_HASH_KEY")
SECRETS_FILE = "production.env"
MAX_RESTARTS = 5
RESTART_WINDOW = 600.0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "production",
        help="start the production profile on this machine: PostgreSQL + Redis, several Rasa and action servers",
        allow_abbrev=False,  # --demo must not stand for --demo-on-this-machine
    )
    p.add_argument("--rasa-processes", type=int, default=2)
    p.add_argument("--action-processes", type=int, default=2)
    p.add_argument("--rasa-port", type=int, default=5005, help="first Rasa port (then +1, +2, ...)")
    p.add_argument("--action-port", type=int, default=5055, help="first action-server port")
    p.add_argument("--no-train", action="store_true", help="use the newest model in models/ as it is")
    p.add_argument(
        "--demo-on-this-machine",
        action="store_true",
        help="a local demo: load the synthetic demo cases and staff (refused unless the case database is on this "
        "machine and holds no real case)",
    )
    p.add_argument("--log-dir", default=None, help="server logs (default: var/logs/production)")
    p.add_argument("--check", action="store_true", help="only check settings, PostgreSQL and Redis, then exit")
    p.set_defaults(func=cmd_production)

    c = subparsers.add_parser(
        "production-check",
        help="refuse unsafe production settings of this environment as they are (every production systemd unit "
        "runs it first; no defaults filled in, no network)",
    )
    c.add_argument("--endpoints", type=Path, default=None, help="also check this Rasa endpoints file")
    c.set_defaults(func=cmd_production_check)


# -- configuration ----------------------------------------------------------------------------------------------
def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines (``#`` comments, blank lines ignored)."""
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip().strip('"').strip("'")
    return out


def _store_secrets(path: Path, values: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = read_env_file(path)
    existing.update(values)
    body = "# generated by `lueyang production` for this machine; keep it secret, keep it stable\n"
    body += "".join(f"{k}={v}\n" for k, v in sorted(existing.items()))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)


def production_env(
    base: Mapping[str, str] | None = None, *, var_dir: Path | None = None, generate: bool = True
) -> tuple[dict[str, str], list[str]]:
    """The environment of the production profile: ``base`` plus defaults for this machine.

    Secrets missing from ``base`` come from ``<var>/production.env`` or are generated into it (a stable
    ``ID_HASH_KEY`` matters: stored ID hashes depend on it). Returns (environment, notes on what was filled in).
    """
    env = dict(os.environ if base is None else base)
    notes: list[str] = []
    for key, value in DEFAULTS.items():
        if not env.get(key, "").strip():
            env[key] = value
            if key != "LUEYANG_PROFILE":
                notes.append(f"{key}={value} (default for one machine)")
    for key, value in TF_THREADS.items():
        env.setdefault(key, value)
    if env["LUEYANG_PROFILE"] != "production":
        raise ConfigurationError(
            f"LUEYANG_PROFILE is {env['LUEYANG_PROFILE']!r}: `lueyang production` runs the production profile only"
        )
    var = var_dir or Path(env.get("LUEYANG_VAR_DIR") or Path(__file__).resolve().parents[2] / "var")
    secrets_path = var / SECRETS_FILE
    stored = read_env_file(secrets_path)
    new: dict[str, str] = {}
    wanted = list(GENERATED_SECRETS)
    if env.get("TELEGRAM_BOT_TOKEN", "").strip() and env["TELEGRAM_MODE"] == "webhook":
        wanted.append("TELEGRAM_WEBHOOK_SECRET")
    for key in wanted:
        if env.get(key, "").strip():
            continue
        if stored.get(key):
            env[key] = stored[key]
            notes.append(f"{key} from {secrets_path}")
        elif generate:
            env[key] = new[key] = secrets.token_urlsafe(32)
            notes.append(f"{key} generated into {secrets_path}")
    if new:
        _store_secrets(secrets_path, new)
    return env, notes


def check_profile(env: Mapping[str, str], rasa_processes: int, action_processes: int) -> Settings:
    """Settings of the profile, or ConfigurationError naming every problem."""
    settings = Settings.from_env(env)
    settings.check_production()
    problems = []
    if not settings.tracker_store_url.startswith("postgres"):
        problems.append("TRACKER_STORE_URL must point at PostgreSQL (several Rasa processes share it)")
    if rasa_processes > 1 and not settings.redis_url:
        problems.append("REDIS_URL is required with several Rasa processes (shared lock store)")
    if rasa_processes < 1 or action_processes < 1:
        problems.append("at least one Rasa process and one action server are needed")
    if problems:
        raise ConfigurationError("production profile: " + "; ".join(problems))
    return settings


# -- services ---------------------------------------------------------------------------------------------------
def pg_connect(url: str, dbname: str | None = None, timeout: int = 3):
    """A connection to the server of ``url`` (its query options too, e.g. sslmode=verify-full, sslrootcert)."""
    u = make_url(url)
    options = {k: v if isinstance(v, str) else v[-1] for k, v in u.query.items()}
    return psycopg.connect(
        host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username, password=u.password,
        dbname=dbname or u.database or "postgres", connect_timeout=timeout, autocommit=True, **options,
    )


def check_services(env: Mapping[str, str]) -> list[str]:
    """PostgreSQL (maintenance database of each server) and Redis answer; returns problems (empty: fine)."""
    problems: list[str] = []
    for key in ("DATABASE_URL", "TRACKER_STORE_URL"):
        url = env.get(key, "")
        if not url.startswith("postgres"):
            continue
        try:
            with pg_connect(url, "postgres") as conn:
                conn.execute("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any driver error means "not reachable" here
            problems.append(f"PostgreSQL for {key} ({safe_url(url)}) is not reachable: {exc.__class__.__name__}")
    redis_url = env.get("REDIS_URL", "")
    if redis_url:
        try:
            client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
            client.ping()
            client.close()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"Redis at {redis_url} is not reachable: {exc.__class__.__name__}")
    return problems


def ensure_databases(env: Mapping[str, str]) -> list[str]:
    """Create the PostgreSQL databases named by DATABASE_URL and TRACKER_STORE_URL if missing; returns created."""
    created = []
    for key in ("DATABASE_URL", "TRACKER_STORE_URL"):
        url = env.get(key, "")
        if not url.startswith("postgres"):
            continue
        name = make_url(url).database
        if not name:
            raise ConfigurationError(f"{key} names no database")
        with pg_connect(url, "postgres") as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                created.append(name)
    return created


def prepare_case_database(env: Mapping[str, str], *, demo: bool = False, root: Path | None = None) -> None:
    """Migrate the case database (and load the demo data) in a child process with ``env``.

    ``demo`` in the production profile is its local demo (`demo load --on-this-machine`: refused for a case
    database elsewhere or with real cases); the load test and tests/production use it on this machine.
    """
    cwd = root or PROJECT_ROOT
    demo_step = ["demo", "load"] + (["--on-this-machine"] if env.get("LUEYANG_PROFILE") == "production" else [])
    steps = [["db", "upgrade"]] + ([demo_step] if demo else [])
    for step in steps:
        proc = subprocess.run([sys.executable, "-m", "bot", *step], cwd=cwd, env=dict(env))
        if proc.returncode != 0:
            raise ServiceUnavailable(f"`lueyang {' '.join(step)}` failed (exit {proc.returncode})")


# -- the check of every production unit -------------------------------------------------------------------------
_ENV_VAR = re.compile(r"\$\{([^}]+)\}")


def _expand(text: str, env: Mapping[str, str]) -> str:
    """``${VAR}`` as Rasa expands it in endpoints files (unknown variables stay as they are)."""
    return _ENV_VAR.sub(lambda m: env.get(m.group(1), m.group(0)), text)


def endpoints_problems(path: Path, env: Mapping[str, str] | None = None) -> list[str]:
    """What is unsafe in a Rasa endpoints file of the production profile (empty: fine).

    A tracker store that does not mask personal data (not ``TRACKER_STORE_TYPE``), placeholder or missing
    passwords, a tracker store on another machine without ``sslmode: verify-full``, a Redis lock store on another
    machine without ``use_ssl``, a literal password in a file others can read.
    """
    env = os.environ if env is None else env
    if not path.is_file():
        return [f"{path} does not exist"]
    raw = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(_expand(raw, env)) or {}
    except yaml.YAMLError as exc:
        return [f"{path} is not valid YAML: {exc}"]
    problems = []
    tracker, lock = data.get("tracker_store") or {}, data.get("lock_store") or {}
    if tracker.get("type") != TRACKER_STORE_TYPE:
        problems.append(f"{path}: tracker_store.type must be {TRACKER_STORE_TYPE} (it masks personal data)")
    for name, section in (("tracker_store", tracker), ("lock_store", lock)):
        password = str(section.get("password") or "")
        if _ENV_VAR.search(password):
            problems.append(f"{path}: {name}.password names {password} but the environment does not set it")
        elif PLACEHOLDER_RE.search(password):
            problems.append(f"{path}: {name}.password is still the CHANGE-ME placeholder")
    if str(tracker.get("dialect", "")).startswith("postgres") and not is_loopback_host(str(tracker.get("url", ""))):
        if (tracker.get("query") or {}).get("sslmode") != "verify-full":
            problems.append(f"{path}: the tracker store on {tracker.get('url')} needs query: {{sslmode: verify-full}}")
    if str(lock.get("type", "")) == "redis" and not is_loopback_host(str(lock.get("url", ""))):
        if lock.get("use_ssl") is not True:
            problems.append(f"{path}: the Redis lock store on {lock.get('url')} needs use_ssl: true")
    literal = any(
        value.strip() and "${" not in value
        for key, _, value in (line.strip().partition(":") for line in raw.splitlines())
        if key == "password"
    )
    if literal and path.stat().st_mode & 0o077:
        problems.append(f"{path} holds a password and others can read it: chmod 600 (or use ${{VARIABLES}})")
    return problems


def cmd_production_check(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.profile != "production":
        raise ConfigurationError(
            f"LUEYANG_PROFILE is {settings.profile!r}: the production units need LUEYANG_PROFILE=production "
            "(deploy/production.env.example)"
        )
    problems = settings.production_problems()
    if args.endpoints is not None:
        problems += endpoints_problems(args.endpoints)
    if problems:
        raise ConfigurationError("production profile: " + "; ".join(problems))
    print("ok: the production settings of this environment are safe to start with")
    return 0


# -- running ----------------------------------------------------------------------------------------------------
def find_model(settings: Settings, *, no_train: bool = False) -> Path:
    """The model for the current inputs (trained if needed), or with ``no_train`` the newest in models/."""
    if no_train:
        models = sorted(settings.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if not models:
            raise ConfigurationError("no model in models/: run `make train` first")
        return models[-1]
    return ensure_model(settings)


def telegram_command(settings, rasa_urls: list[str]) -> list[str]:
    app_python = settings.root / ".venvs" / "app" / "bin" / "python"
    return [str(app_python), "-m", "bot", "telegram", "--rasa-url", ",".join(rasa_urls)]


class RestartBudget:
    """At most ``limit`` restarts per child within ``window`` seconds."""

    def __init__(self, limit: int = MAX_RESTARTS, window: float = RESTART_WINDOW, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.history: dict[str, list[float]] = {}

    def allow(self, name: str) -> bool:
        now = self.clock()
        recent = [t for t in self.history.get(name, []) if now - t < self.window]
        if len(recent) >= self.limit:
            self.history[name] = recent
            return False
        self.history[name] = recent + [now]
        return True


def supervise(cluster, *, echo=print, poll: float = 1.0, budget: RestartBudget | None = None,
              max_seconds: float | None = None, daily: DailyJobs | None = None) -> int:
    """Restart children that die until Ctrl-C (exit 0) or a child keeps dying (exit 1); ``daily``: the daily jobs
    of this machine (`lueyang purge`, the overdue reminders; there are no systemd timers here)."""
    budget = budget or RestartBudget()
    started = time.monotonic()
    while max_seconds is None or time.monotonic() - started < max_seconds:
        if daily is not None and daily.tick() and daily.running is not None:
            echo(f"[production] lueyang {daily.running.name} started (daily job; log: {daily.log_path})")
        for child in cluster.dead():
            code = child.proc.returncode
            if not budget.allow(child.name):
                echo(f"[production] {child.name} exited (code {code}) {budget.limit} times in "
                     f"{budget.window:.0f} s; stopping everything (log: {child.log})")
                return 1
            echo(f"[production] {child.name} exited (code {code}); restarting it (log: {child.log})")
            try:
                cluster.restart(child.name)
                echo(f"[production] {child.name} is back")
            except ServiceUnavailable as exc:
                echo(f"[production] {child.name} did not come back: {exc}")
        time.sleep(poll)
    return 0


def cmd_production(args: argparse.Namespace) -> int:
    env, notes = production_env()
    settings = check_profile(env, args.rasa_processes, args.action_processes)
    if args.demo_on_this_machine:
        host = make_url(settings.database_url).host
        if not is_loopback_host(host):
            raise ConfigurationError(f"--demo-on-this-machine: DATABASE_URL points at {host}, not at this machine")
    for note in notes:
        print(f"[production] {note}")
    if args.rasa_processes < 2 or args.action_processes < 2:
        print("[production] note: fewer than two Rasa processes or action servers: no failover on this machine")
    problems = check_services(env)
    if problems:
        for p in problems:
            print(f"[production] {p}", file=sys.stderr)
        print("[production] start them (scripts/services.sh does on this machine) or point the URLs elsewhere",
              file=sys.stderr)
        return 1
    if settings.telegram_bot_token:
        check_settings(settings)
    if args.check:
        print("[production] settings, PostgreSQL and Redis are fine")
        return 0
    install_signal_handlers()
    for name in ensure_databases(env):
        print(f"[production] created PostgreSQL database {name}")
    prepare_case_database(env, demo=args.demo_on_this_machine)
    model = find_model(settings, no_train=args.no_train)
    log_dir = Path(args.log_dir) if args.log_dir else settings.var_dir / "logs" / "production"
    cluster = Cluster(
        settings=settings, model=model, rasa_processes=args.rasa_processes, action_processes=args.action_processes,
        rasa_port=args.rasa_port, action_port=args.action_port, log_dir=log_dir, extra_env=env,
    )
    try:
        cluster.start()
        urls = cluster.rasa_urls
        if settings.telegram_bot_token:
            cluster.spawn("telegram", telegram_command(settings, urls), env)
            print(f"[production] Telegram webhook on {settings.webhook_listen}:{settings.webhook_port}/"
                  f"{settings.webhook_path} -> {settings.webhook_url}")
        else:
            print("[production] no TELEGRAM_BOT_TOKEN: no Telegram front end; the REST channel is at "
                  + ", ".join(u + "/webhooks/secure_rest/webhook" for u in urls)
                  + " (header X-Assistant-Secret)")
        print(f"[production] logs: {log_dir} · Ctrl-C stops every process")
        daily = DailyJobs(settings, env=env, log_path=log_dir / "daily.log")
        try:
            return supervise(cluster, daily=daily)
        finally:
            daily.stop()
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()
