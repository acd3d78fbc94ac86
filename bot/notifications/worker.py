"""The delivery worker: claims due outbox rows, sends them, marks them sent only after the channel accepted.

``deliver_once(send, ...)`` does one pass; ``run_forever`` loops. ``send(recipient, text)`` is an async callable
that raises on failure; ``telegram_sender(bot)`` builds the real one on ``send_to_sender``. Permanent failures
(the user blocked the bot, a chat that does not exist, a recipient on a channel that cannot receive proactive
messages) are not retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.db.session import session_scope
from bot.notifications import outbox

log = logging.getLogger(__name__)

Sender = Callable[[str, str], Awaitable[object]]


class PermanentDeliveryError(Exception):
    """Trying again cannot help (blocked bot, unknown chat, unsupported channel)."""


@dataclass
class PassResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.failed


def _audit(session, item: outbox.Claimed) -> None:
    """What was told to whom: status notifications (with the case) and relayed messages, in the audit log."""
    from bot.audit.log import add_entry
    from bot.parsing.case_numbers import find_case_numbers

    cases = find_case_numbers(item.text) if item.kind == "status" else []
    add_entry(
        session,
        sender_id=item.recipient,
        action=f"outbox_{item.kind}",
        topic="进度提醒" if item.kind == "status" else "人工服务消息",
        case_no=cases[0].value if cases else None,
        detail=item.text[:300],
        role="system",
    )


def is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, PermanentDeliveryError | ValueError):
        return True
    try:
        from telegram.error import BadRequest, Forbidden, InvalidToken
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, Forbidden | InvalidToken):
        return True
    if isinstance(exc, BadRequest):
        return "chat not found" in str(exc).lower() or "user not found" in str(exc).lower()
    return False


async def deliver_once(send: Sender, *, limit: int = 20) -> PassResult:
    """Claim and send up to ``limit`` due messages, one by one."""
    with session_scope() as session:
        claimed = outbox.claim(session, limit=limit)
    result = PassResult()
    for item in claimed:
        try:
            await send(item.recipient, item.text)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            permanent = is_permanent(exc)
            error = f"{exc.__class__.__name__}: {str(exc)[:200]}"
            with session_scope() as session:
                status = outbox.mark_failed(session, item, error, permanent=permanent)
            if status == "failed":
                result.failed += 1
                log.warning(
                    "outbox #%s given up after %s attempts (%s)",
                    item.id,
                    item.attempts,
                    exc.__class__.__name__,
                )
            else:
                result.retried += 1
                log.info("outbox #%s not delivered (%s), will retry", item.id, exc.__class__.__name__)
            result.errors.append(error)
            continue
        with session_scope() as session:
            if outbox.mark_sent(session, item):
                _audit(session, item)
        result.sent += 1
    return result


async def run_forever(
    send: Sender, *, interval: float = 5.0, limit: int = 20, stop: asyncio.Event | None = None
) -> None:
    """Deliver until ``stop`` is set; a database outage is logged and retried on the next pass."""
    from bot.errors import DatabaseUnavailable

    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            result = await deliver_once(send, limit=limit)
        except DatabaseUnavailable:
            log.warning("outbox: database unavailable, retrying in %.0f s", interval)
            result = PassResult()
        if result.claimed >= limit:
            continue  # more may be waiting
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except asyncio.TimeoutError:
            pass


def telegram_sender(bot, *, retry: dict | None = None) -> Sender:
    """``send(recipient, text)`` over ``bot.frontends.telegram_delivery.send_to_sender``."""
    from bot.frontends.telegram_delivery import send_to_sender

    async def send(recipient: str, text: str) -> object:
        if not recipient.startswith("tg-"):
            raise PermanentDeliveryError(
                f"channel of {recipient.split('-')[0]!r} cannot receive proactive messages"
            )
        return await send_to_sender(bot, recipient, [text], retry=retry)

    return send


async def telegram_outbox_job(app) -> None:
    """Background job for the Telegram application: delivers the outbox (notifications, staff relay)
    through the running bot until the application stops (the job is cancelled)."""
    await run_forever(telegram_sender(app.bot))
