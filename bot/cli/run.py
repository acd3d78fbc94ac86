"""`lueyang run | serve | train`: the assistant's processes.

`run` and `serve` also run the daily jobs (``bot.runner.DailyJobs``: `lueyang purge` at start and once a day, the
caseworkers' overdue reminders once a day in working hours; log in var/logs/daily.log): these profiles have no
systemd timers doing it.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

from bot.cli.production import find_model
from bot.errors import ServiceUnavailable
from bot.frontends.telegram_app import run_telegram
from bot.frontends.terminal import run_terminal
from bot.frontends.web.server import web_address
from bot.notifications import worker
from bot.policy.parameters import load_parameters
from bot.runner import Cluster, DailyJobs, install_signal_handlers, wait_http
from bot.settings import get_settings
from bot.training import ensure_model


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("train", help="train the Rasa model if training data/domain/config/dictionary changed")
    p.add_argument("--force", action="store_true", help="retrain even if nothing changed")
    p.set_defaults(func=cmd_train)

    for name, helptext in (
        ("serve", "start the Rasa server and the action server (no front end)"),
        ("run", "prepare everything and chat: Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal"),
    ):
        p = subparsers.add_parser(name, help=helptext)
        p.add_argument("--rasa-processes", type=int, default=1)
        p.add_argument("--action-processes", type=int, default=1)
        p.add_argument("--no-train", action="store_true", help="use the newest model in models/ as it is")
        p.add_argument("--log-dir", default=None, help="write server logs here instead of the console")
        if name == "run":
            p.add_argument("--no-web", action="store_true", help="do not start the web page (WEB_PORT, default 8080)")
        p.set_defaults(func=cmd_run if name == "run" else cmd_serve)


def cmd_train(args: argparse.Namespace) -> int:
    ensure_model(get_settings(), force=args.force)
    return 0


def _prepare_database() -> None:
    """Migrate the case database and load the synthetic demo data (embedded profile only)."""
    settings = get_settings()
    py = sys.executable
    subprocess.run([py, "-m", "bot", "db", "upgrade"], check=True, cwd=settings.root)
    if settings.profile == "embedded":
        subprocess.run([py, "-m", "bot", "demo", "load"], check=True, cwd=settings.root)
        # visits to the demo 特困 people (issue 17), for /visits and 登记探访 in the demo
        subprocess.run([py, "-m", "bot", "visits", "demo"], check=True, cwd=settings.root)


def _warn_unverified() -> None:
    params = load_parameters()
    unverified = params.unverified()
    if unverified:
        print(f"[warn] {len(unverified)} county parameters are not verified (the assistant tells users to confirm "
              "them with the office). List them with `lueyang policy unverified`.")


def _cluster(args: argparse.Namespace) -> Cluster:
    settings = get_settings()
    settings.check_production()
    return Cluster(
        settings=settings,
        model=find_model(settings, no_train=args.no_train),
        rasa_processes=args.rasa_processes,
        action_processes=args.action_processes,
        log_dir=Path(args.log_dir) if args.log_dir else None,
    )


def _daily_jobs(log_dir: str | None) -> DailyJobs:
    settings = get_settings()
    return DailyJobs(settings, log_path=Path(log_dir or settings.var_dir / "logs") / "daily.log")


def cmd_serve(args: argparse.Namespace) -> int:
    install_signal_handlers()
    _prepare_database()
    _warn_unverified()
    cluster = _cluster(args)
    daily = _daily_jobs(args.log_dir)
    try:
        cluster.start()
        print("[serve] Ctrl-C stops every process.")
        while all(c.proc.poll() is None for c in cluster.children):
            daily.tick()
            try:
                cluster.children[0].proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        dead = [c.name for c in cluster.children if c.proc.poll() is not None]
        print(f"[serve] {', '.join(dead)} stopped; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        daily.stop()
        cluster.stop()


def cmd_run(args: argparse.Namespace) -> int:
    install_signal_handlers()
    settings = get_settings()
    _prepare_database()
    _warn_unverified()
    if args.log_dir is None:
        args.log_dir = str(settings.var_dir / "logs")
    cluster = _cluster(args)
    try:
        cluster.start()
        print(f"[run] server logs: {Path(args.log_dir)}")
        # the front end spreads conversations over every Rasa process of this run
        settings = dataclasses.replace(settings, rasa_url=",".join(cluster.rasa_urls))
        if not args.no_web:
            _start_web(cluster, settings)
        # the outbox (status notifications, staff replies, reminders) is delivered by the same process; the daily
        # jobs (purge, reminders) run from it too
        background = [worker.outbox_job, _daily_jobs(args.log_dir).job]
        if settings.telegram_bot_token:
            return int(run_telegram(settings, background=background) or 0)
        return int(run_terminal(settings, background=background) or 0)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


def _start_web(cluster: Cluster, settings) -> None:
    """The resident page and the staff console (`lueyang web`) as one more child of the run; its address."""
    cmd = [sys.executable, "-m", "bot", "web", "--rasa-url", settings.rasa_url]
    child = cluster.spawn("web", cmd, health_url=f"http://127.0.0.1:{settings.web_port}/healthz")
    try:
        wait_http(child.health_url or "", 60, [child])
    except ServiceUnavailable as exc:
        print(f"[run] the web page did not start ({exc}); the chat runs without it", file=sys.stderr)
        return
    address = web_address(settings)
    print(f"[run] 网页版（居民咨询）：{address}  工作人员控制台：{address}staff "
          "（先设置密码：lueyang staff set-password <姓名>）")
