"""`lueyang telegram`, `lueyang chat` and `lueyang web`: the front ends on their own (Rasa must already be running).

`lueyang telegram` is what production runs (deploy/systemd/lueyang-telegram.service, `lueyang production`): it
refuses unsafe production settings and delivers the outbox (status notifications, staff relay) in the same
process, as `lueyang run` does. Several front ends may run: each outbox row is claimed by one of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from bot.errors import ConfigurationError
from bot.frontends.telegram_app import check_settings, run_telegram
from bot.frontends.terminal import run_terminal
from bot.frontends.web.server import check_web_settings, run_web
from bot.notifications import worker
from bot.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "telegram",
        help="run the Telegram bot in front of a running Rasa (TELEGRAM_BOT_TOKEN, TELEGRAM_MODE=polling|webhook)",
    )
    p.add_argument("--rasa-url", default=None, help="Rasa URL(s), comma-separated (default: RASA_URL)")
    p.add_argument(
        "--check", action="store_true", help="only check the settings (production profile, token, timeout, webhook)"
    )
    p.set_defaults(func=cmd_telegram)

    p = subparsers.add_parser("chat", help="chat with a running Rasa in this terminal (buttons as numbered choices)")
    p.add_argument("--rasa-url", default=None, help="Rasa URL(s), comma-separated (default: RASA_URL)")
    p.add_argument("--name", default="local", help="name of the terminal session (its conversation id)")
    p.set_defaults(func=cmd_chat)

    p = subparsers.add_parser(
        "web", help="serve the resident chat page and the staff console (WEB_LISTEN, WEB_PORT; Rasa must run)"
    )
    p.add_argument("--rasa-url", default=None, help="Rasa URL(s), comma-separated (default: RASA_URL)")
    p.add_argument("--port", type=int, default=None, help="port to listen on (default: WEB_PORT, 8080)")
    p.add_argument("--check", action="store_true", help="only check the settings (production profile, secret, URL)")
    p.set_defaults(func=cmd_web)


def _load_settings(args: argparse.Namespace):
    settings = get_settings()
    if args.rasa_url:
        settings = dataclasses.replace(settings, rasa_url=args.rasa_url.strip().rstrip("/"))
    return settings


def cmd_telegram(args: argparse.Namespace) -> int:
    settings = _load_settings(args)
    try:
        settings.check_production()
        check_settings(settings)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        print(f"ok: Telegram settings look right ({settings.telegram_mode} mode, Rasa at {settings.rasa_url})")
        return 0
    return run_telegram(settings, background=[worker.outbox_job])


def cmd_chat(args: argparse.Namespace) -> int:
    return run_terminal(_load_settings(args), name=args.name)


def cmd_web(args: argparse.Namespace) -> int:
    settings = _load_settings(args)
    if args.port is not None:
        settings = dataclasses.replace(settings, web_port=args.port)
    if args.check:
        try:
            check_web_settings(settings)
        except ConfigurationError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"ok: web settings look right (listening on {settings.web_listen}:{settings.web_port})")
        return 0
    # the web channel's outbox rows (staff replies, notifications) are delivered by this process
    return run_web(settings, background=[worker.outbox_job])
