"""`lueyang notify ...`: the outbox delivery worker (status notifications, staff relay).

run (loop until Ctrl-C) | once (one pass) | status (rows per state)
"""

from __future__ import annotations

import argparse


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
    from bot.frontends.telegram_delivery import build_bot
    from bot.settings import get_settings

    return build_bot(get_settings())


def _setup_logging() -> None:
    from bot.logging_setup import configure_logging
    from bot.settings import get_settings

    configure_logging(get_settings().log_level)


def _once(args: argparse.Namespace) -> int:
    import asyncio

    from bot.notifications.worker import deliver_once, telegram_sender

    _setup_logging()

    async def main() -> int:
        bot = _bot()
        async with bot:
            result = await deliver_once(telegram_sender(bot), limit=500)
        print(f"sent {result.sent}, will retry {result.retried}, given up {result.failed}")
        return 0 if result.failed == 0 else 1

    return asyncio.run(main())


def _run(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from bot.notifications.worker import run_forever, telegram_sender

    _setup_logging()

    async def main() -> None:
        bot = _bot()
        async with bot:
            logging.getLogger("bot.notifications").info(
                "outbox worker started (interval %.1f s)", args.interval
            )
            await run_forever(telegram_sender(bot), interval=args.interval)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    return 0


def _status(args: argparse.Namespace) -> int:
    from bot.db.session import session_scope
    from bot.notifications.outbox import counts

    with session_scope() as session:
        c = counts(session)
    print("  ".join(f"{k}: {c.get(k, 0)}" for k in ("pending", "sent", "failed")))
    return 0
