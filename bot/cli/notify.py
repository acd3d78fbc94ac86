"""`lueyang notify ...`: the outbox delivery worker (status notifications, staff relay).

run (loop until Ctrl-C) | once (one pass) | status (rows per state)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from bot import channels
from bot.db.session import session_scope
from bot.frontends.telegram_delivery import build_bot, telegram_deliverer
from bot.identity import TELEGRAM
from bot.logging_setup import configure_logging
from bot.notifications.outbox import counts
from bot.notifications.worker import deliver_once, run_forever
from bot.settings import get_settings

log = logging.getLogger("bot.notifications")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("notify", help="send queued notifications and relay messages to Telegram")
    sub = p.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    run = sub.add_parser("run", help="deliver continuously (Ctrl-C to stop)")
    run.add_argument("--interval", type=float, default=5.0, help="seconds between passes when idle")
    run.set_defaults(func=_run)
    once = sub.add_parser("once", help="one delivery pass, then exit")
    once.set_defaults(func=_once)
    st = sub.add_parser("status", help="outbox rows per state")
    st.set_defaults(func=_status)


def _bot():
    """The send-only bot of this process."""
    return build_bot(get_settings())


@contextlib.asynccontextmanager
async def _telegram_channel() -> AsyncIterator[None]:
    """A send-only bot registered as the Telegram channel's deliverer while the block runs."""
    bot = _bot()
    async with bot:
        with channels.registered(TELEGRAM, telegram_deliverer(bot)):
            yield


def _setup_logging() -> None:
    configure_logging(get_settings().log_level)


def _once(args: argparse.Namespace) -> int:
    get_settings().check_production()
    _setup_logging()

    async def main() -> int:
        async with _telegram_channel():
            result = await deliver_once(limit=500)
        print(f"sent {result.sent}, will retry {result.retried}, given up {result.failed}")
        return 0 if result.failed == 0 else 1

    return asyncio.run(main())


def _run(args: argparse.Namespace) -> int:
    get_settings().check_production()
    _setup_logging()

    async def main() -> None:
        async with _telegram_channel():
            log.info("outbox worker started (interval %.1f s)", args.interval)
            await run_forever(interval=args.interval)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    return 0


def _status(args: argparse.Namespace) -> int:
    with session_scope() as session:
        c = counts(session)
    print("  ".join(f"{k}: {c.get(k, 0)}" for k in ("pending", "sent", "failed")))
    return 0
