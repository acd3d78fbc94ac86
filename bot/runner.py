"""Process orchestration for `lueyang run` / `lueyang serve`: Rasa server(s), action server(s), front end.

Every child runs in its own process group; Ctrl-C (or SIGTERM) stops all of them. ``DailyJobs`` runs `lueyang
purge` (at start and once a day) and the caseworkers' overdue reminders (`visits remind`, `monitoring remind`; once a
day in working hours) for the profiles that have no systemd timers doing it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.clock import now as china_now
from bot.errors import ConfigurationError, ServiceUnavailable
from bot.settings import Settings
from bot.training import rasa_bin, rasa_env

logger = logging.getLogger(__name__)

RASA_BASE_PORT = 5005
ACTION_BASE_PORT = 5055
# the address of every Rasa process the runner starts; the channel reads it (LUEYANG_RASA_INTERFACE) to decide
# whether it may run without RASA_CHANNEL_SECRET (embedded profile on loopback only)
RASA_INTERFACE = "127.0.0.1"
DAILY_INTERVAL = 24 * 3600.0  # seconds between two runs of a daily job of a long-running profile (DailyJobs)


# The tuned settings of every Rasa process the runner starts (`make serve` / `lueyang serve` / `lueyang run`,
# `lueyang production`, scripts/load_test.py, the conversation tests): one TensorFlow / OpenMP thread each. Several
# Rasa processes and the action servers share the cores, and a small intent model gains nothing from intra-op
# parallelism (measured: more turns/s and a lower p95 under load). Rasa reads the TF_*_PARALLELISM_THREADS
# variables, TensorFlow itself TF_NUM_*_THREADS, OpenMP OMP_NUM_THREADS. A value set in the environment wins.
# deploy/systemd/lueyang-rasa@.service sets the same (tests/foundation/test_entry_points.py compares them).
RASA_PROCESS_ENV = {
    "OMP_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
}

# Rasa's SQL tracker store that masks personal data before writing (rasa_addons/tracker_store.py)
TRACKER_STORE_TYPE = "rasa_addons.tracker_store.MaskingSQLTrackerStore"
# Rasa's Redis ticket lock, one atomic round trip per step (rasa_addons/lock_store.py); same keys as type: redis
LOCK_STORE_TYPE = "rasa_addons.lock_store.TicketRedisLockStore"


def tracker_store_config(url: str, store_type: str = TRACKER_STORE_TYPE) -> dict:
    """Rasa SQL tracker store settings (the masking store; ``store_type`` "SQL" is Rasa's own, for
    scripts/bench_turns.py) from a SQLAlchemy-style URL."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else "var/tracker.db"
        return {"type": store_type, "dialect": "sqlite", "db": path}
    if parts.scheme.startswith("postgres"):
        cfg = {
            "type": store_type,
            "dialect": "postgresql",
            "url": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "db": (parts.path or "/rasa").lstrip("/") or "rasa",
        }
        if parts.username:
            cfg["username"] = unquote(parts.username)
        if parts.password:
            cfg["password"] = unquote(parts.password)
        query = dict(parse_qsl(parts.query))
        if query:
            cfg["query"] = query  # e.g. sslmode=verify-full, sslrootcert=...: TLS to another machine
        return cfg
    raise ConfigurationError(f"TRACKER_STORE_URL: unsupported scheme {parts.scheme!r} (sqlite or postgresql)")


def lock_store_config(redis_url: str) -> dict | None:
    if not redis_url:
        return None  # in-memory lock store (single Rasa process)
    parts = urlsplit(redis_url)
    cfg = {
        "type": LOCK_STORE_TYPE,
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int((parts.path or "/0").lstrip("/") or 0),
        "key_prefix": "lueyang",
    }
    if parts.username:
        cfg["username"] = unquote(parts.username)
    if parts.password:
        cfg["password"] = unquote(parts.password)
    if parts.scheme == "rediss":  # TLS; the CA file as in redis-py's URLs: ?ssl_ca_certs=/path/ca.pem
        cfg["use_ssl"] = True
        query = dict(parse_qsl(parts.query))
        if query.get("ssl_ca_certs"):
            cfg["ssl_ca_certs"] = query["ssl_ca_certs"]
    return cfg


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable by this user only (0600), also when the file existed with a wider mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may not narrow it; a leftover temp file may have been wider
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path


def write_endpoints(
    settings: Settings, action_url: str, path: Path, tracker_store_type: str = TRACKER_STORE_TYPE
) -> Path:
    """Write an endpoints.yml for one Rasa process (JSON is valid YAML), mode 0600: it holds the tracker store's
    and Redis's passwords."""
    store = tracker_store_config(settings.tracker_store_url, tracker_store_type)
    data: dict = {"action_endpoint": {"url": action_url}, "tracker_store": store}
    lock = lock_store_config(settings.redis_url)
    if lock:
        data["lock_store"] = lock
    return write_private(path, json.dumps(data, indent=2, ensure_ascii=False))


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    log: Path | None = None
    cmd: list[str] = field(default_factory=list)  # how it was started (for restarts)
    env: dict[str, str] = field(default_factory=dict, repr=False)
    health_url: str | None = None  # answers 2xx when the child is ready

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


@dataclass
class Cluster:
    """The processes of one `serve`: Rasa and action servers."""

    settings: Settings
    model: Path
    rasa_processes: int = 1
    action_processes: int = 1
    rasa_port: int = RASA_BASE_PORT
    action_port: int = ACTION_BASE_PORT
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)  # added to every child's environment
    tracker_store_type: str = TRACKER_STORE_TYPE  # "SQL": Rasa's own store (the before/after benchmark only)
    children: list[Child] = field(default_factory=list)

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.rasa_processes)]

    @property
    def action_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.action_port + i}" for i in range(self.action_processes)]

    def _spawn(
        self, name: str, cmd: list[str], env: dict[str, str], overrides: dict[str, str] | None = None,
        health_url: str | None = None,
    ) -> Child:
        log_path = None
        stdout = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log_path = self.log_dir / f"{name}.log"
            stdout = open(log_path, "ab")  # noqa: SIM115 - owned by the child for its lifetime
        env = {**env, **self.extra_env, **(overrides or {})}
        proc = subprocess.Popen(
            cmd, cwd=self.settings.root, env=env, stdout=stdout, stderr=subprocess.STDOUT if stdout else None,
            start_new_session=True,
        )
        if stdout is not None:
            stdout.close()  # the child has its own copy of the descriptor
        child = Child(name, proc, log_path, cmd=list(cmd), env=env, health_url=health_url)
        self.children.append(child)
        return child

    def spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None,
              health_url: str | None = None) -> Child:
        """Start another supervised process (e.g. the Telegram front end) with the cluster's environment."""
        return self._spawn(name, cmd, dict(os.environ) if env is None else env, health_url=health_url)

    def start_action_server(self, index: int, env: dict[str, str] | None = None) -> Child:
        """Start action server ``index``; ``env`` overrides variables for this process only."""
        base = dict(os.environ)
        base["SANIC_HOST"] = "127.0.0.1"
        base.setdefault("ACTION_SERVER_SANIC_WORKERS", "1")
        app_python = self.settings.root / ".venvs" / "app" / "bin" / "python"
        cmd = [str(app_python), "-m", "bot.action_server", "--port", str(self.action_port + index)]
        return self._spawn(
            f"actions-{index}", cmd, base, env, health_url=f"http://127.0.0.1:{self.action_port + index}/health"
        )

    def start_rasa(self, index: int) -> Child:
        action_url = self.action_urls[index % self.action_processes] + "/webhook"
        endpoints = write_endpoints(
            self.settings, action_url, self.settings.var_dir / f"endpoints-{index}.yml", self.tracker_store_type
        )
        cmd = [
            str(rasa_bin(self.settings)), "run",
            "--model", str(self.model),
            "--endpoints", str(endpoints),
            "--credentials", "credentials.yml",
            "--interface", RASA_INTERFACE,
            "--port", str(self.rasa_port + index),
            "--response-timeout", "30",
        ]
        # never --enable-api: Rasa's HTTP API would let anyone act as anyone
        return self._spawn(
            f"rasa-{index}", cmd, {**RASA_PROCESS_ENV, **rasa_env(self.settings)},
            {"LUEYANG_RASA_INTERFACE": RASA_INTERFACE},
            health_url=f"http://127.0.0.1:{self.rasa_port + index}/webhooks/secure_rest/",
        )

    def start(self, echo=print, timeout: float = 240.0) -> None:
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        for i in range(self.action_processes):
            self.start_action_server(i)
        for i in range(self.rasa_processes):
            self.start_rasa(i)
        echo(f"[serve] starting {self.rasa_processes} Rasa + {self.action_processes} action server(s); "
             "loading the model takes ~30 s ...")
        for url in self.action_urls:
            wait_http(url + "/health", timeout, self.children)
        for url in self.rasa_urls:
            wait_http(url + "/webhooks/secure_rest/", timeout, self.children)
        echo(f"[serve] ready: Rasa {', '.join(self.rasa_urls)} · actions {', '.join(self.action_urls)}")

    # -- one child at a time (fault tests, supervision) ------------------------------------------------
    def child(self, name: str) -> Child:
        for child in self.children:
            if child.name == name:
                return child
        raise KeyError(name)

    def kill(self, name: str, sig: int = signal.SIGKILL, timeout: float = 15.0) -> int | None:
        """Stop one child (its whole process group) and forget it; returns its exit code."""
        child = self.child(name)
        if child.alive:
            try:
                os.killpg(child.proc.pid, sig)
            except ProcessLookupError:
                pass
        try:
            code = child.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.proc.pid, signal.SIGKILL)
            code = child.proc.wait()
        self.children.remove(child)
        return code

    def restart(self, name: str, *, env: dict[str, str] | None = None, timeout: float = 240.0) -> Child:
        """Start child ``name`` again (stopping it first if it still runs) and wait until it answers.

        ``rasa-<i>`` and ``actions-<i>`` are started fresh (``env`` overrides variables of an action server);
        other children are started again with the command and environment they had.
        """
        previous = next((c for c in self.children if c.name == name), None)
        if previous is not None:
            self.kill(name, signal.SIGTERM)
        kind, _, index = name.partition("-")
        if kind == "rasa" and index.isdigit():
            child = self.start_rasa(int(index))
        elif kind == "actions" and index.isdigit():
            child = self.start_action_server(int(index), env)
        elif previous is not None:
            child = self._spawn(name, previous.cmd, previous.env, env, health_url=previous.health_url)
        else:
            raise KeyError(name)
        if child.health_url:
            wait_http(child.health_url, timeout, [child])
        return child

    def dead(self) -> list[Child]:
        return [c for c in self.children if not c.alive]

    def stop(self) -> None:
        for child in self.children:
            if child.proc.poll() is None:
                try:
                    os.killpg(child.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for child in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.proc.wait(remaining)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(child.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                child.proc.wait()
        self.children.clear()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass(frozen=True)
class DailyJob:
    """One `lueyang` command of ``DailyJobs``: its arguments and the China-time hours it may start in (None: any
    time, so also right at start-up)."""

    name: str
    args: tuple[str, ...]
    hours: tuple[int, int] | None = None  # [start, end) in China time, e.g. (8, 18): working hours

    def allowed_at(self, moment: datetime) -> bool:
        return self.hours is None or self.hours[0] <= moment.hour < self.hours[1]


# what runs daily for the profiles without systemd timers (deploy/systemd has lueyang-purge.timer and
# lueyang-reminders.timer for the same commands): retention first, then the caseworkers' overdue reminders, which
# queue one outbox message a working day per caseworker (deduplicated per day) and start in working hours only
DAILY_JOBS: tuple[DailyJob, ...] = (
    DailyJob("purge", ("purge",)),
    DailyJob("visits remind", ("visits", "remind"), hours=(8, 18)),
    DailyJob("monitoring remind", ("monitoring", "remind"), hours=(8, 18)),
)


class DailyJobs:
    """The ``DAILY_JOBS`` (`lueyang purge`, `visits remind`, `monitoring remind`), each in a child process when it
    is due: at the first ``tick`` that falls in its hours and then every ``interval`` seconds (again within its
    hours). One child at a time, in list order.

    For the profiles without a systemd timer (`lueyang run`, `serve`, `production` on one machine): their loops
    call ``tick`` (it never blocks; a job still running is not started twice), a front end runs ``job`` as a
    background task. The children read their settings (retention periods, database) from the environment like the
    commands run by hand.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        interval: float = DAILY_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = china_now,
        jobs: Sequence[DailyJob] = DAILY_JOBS,
        program: Sequence[str] = (),
    ) -> None:
        self.settings = settings
        self.env = env
        self.log_path = log_path
        self.interval = interval
        self.clock = clock
        self.now = now
        self.jobs = list(jobs)
        self.program = list(program) or [sys.executable, "-m", "bot"]  # `lueyang` (tests: a stand-in)
        self.last_start: list[float | None] = [None] * len(self.jobs)
        self.proc: subprocess.Popen | None = None
        self.running: DailyJob | None = None
        self.runs = 0
        self.started: list[str] = []  # names of the jobs started, in order

    def due(self, index: int) -> bool:
        last = self.last_start[index]
        if last is not None and self.clock() - last < self.interval:
            return False
        return self.jobs[index].allowed_at(self.now())

    def tick(self) -> bool:
        """Start the first due job when none is running; True when one was started (``running`` says which)."""
        if self.proc is not None:
            if self.proc.poll() is None:
                return False
            if self.proc.returncode != 0 and self.running is not None:
                logger.warning("lueyang %s exited with code %s (log: %s)", self.running.name, self.proc.returncode,
                               self.log_path)
            self.proc, self.running = None, None
        index = next((i for i in range(len(self.jobs)) if self.due(i)), None)
        if index is None:
            return False
        self.last_start[index] = self.clock()
        out = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            out = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        try:
            self.proc = subprocess.Popen(
                [*self.program, *self.jobs[index].args], cwd=self.settings.root, env=self.env, stdout=out,
                stderr=subprocess.STDOUT if out else None, start_new_session=True,
            )
        finally:
            if out is not None:
                out.close()
        self.running = self.jobs[index]
        self.runs += 1
        self.started.append(self.running.name)
        return True

    async def job(self, _app: object = None, *, poll: float = 60.0) -> None:
        """``tick`` every ``poll`` seconds, as a front end's background job (cancelled when it stops)."""
        try:
            while True:
                self.tick()
                await asyncio.sleep(poll)
        finally:
            self.stop()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop a job still running (a purge rolls back what it had not committed and goes on next time;
        reminders already queued are not queued twice the same day)."""
        proc, self.proc, self.running = self.proc, None, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_http(url: str, timeout: float, children: list[Child] | None = None) -> None:
    """Poll ``url`` until it answers 2xx; fail early if a child process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children or []:
            if child.proc.poll() is not None:
                hint = f" (log: {child.log})" if child.log else ""
                raise ServiceUnavailable(f"{child.name} exited with code {child.proc.returncode}{hint}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if 200 <= resp.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    raise ServiceUnavailable(f"{url} did not answer within {timeout:.0f} s")


def install_signal_handlers() -> None:
    """Turn SIGTERM into KeyboardInterrupt so `finally:` blocks stop the children."""

    def _raise(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _raise)
    # Ctrl-C even when started from a script that ignores SIGINT for background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)


def exit_with(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code
