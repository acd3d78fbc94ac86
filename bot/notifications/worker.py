"""The delivery worker: claims due outbox rows, sends them through the channel registry (``bot.channels``), marks
them sent only after the channel accepted.

A process delivers the rows of the channels registered in it (the Telegram application registers Telegram,
the terminal chat its own sessions, ``lueyang notify`` a send-only Telegram bot); rows of other channels wait
for their own channel's process. ``deliver_once`` does one pass; ``run_forever`` loops; ``outbox_job`` is
``run_forever`` as a front end's background job. Permanent failures (``channels.PermanentDeliveryError``: the
user blocked the bot, a chat that does not exist, a sender id no channel writes) are not retried.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot import channels
from bot.audit.log import add_entry
from bot.db.session import session_scope
from bot.errors import DatabaseUnavailable
from bot.identity import format_of
from bot.notifications import outbox, texts
from bot.parsing.case_numbers import find_case_numbers

log = logging.getLogger(__name__)


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
    cases = find_case_numbers(item.text) if item.kind == "status" else []
    add_entry(
        session,
        sender_id=item.recipient,
        action=f"outbox_{item.kind}",
        topic=texts.AUDIT_TOPIC_STATUS if item.kind == "status" else texts.AUDIT_TOPIC_RELAY,
        case_no=cases[0].value if cases else None,
        detail=item.text[:300],
        role="system",
    )


def recipient_prefixes() -> list[str]:
    """Sender-id prefixes of the channels this process can deliver to (what ``outbox.claim`` may take)."""
    return sorted(format_of(name).sender_prefix for name in channels.registered_channels())


async def deliver_once(*, limit: int = 20) -> PassResult:
    """Claim and send up to ``limit`` due messages of this process's channels, one by one."""
    result = PassResult()
    prefixes = recipient_prefixes()
    if not prefixes:
        return result
    with session_scope() as session:
        claimed = outbox.claim(session, limit=limit, recipient_prefixes=prefixes)
    for item in claimed:
        try:
            await channels.deliver(item.recipient, [item.text])
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            permanent = isinstance(exc, channels.PermanentDeliveryError)
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


async def run_forever(*, interval: float = 5.0, limit: int = 20, stop: asyncio.Event | None = None) -> None:
    """Deliver until ``stop`` is set; a database outage is logged once and retried on every pass."""
    stop = stop or asyncio.Event()
    database_down = False
    while not stop.is_set():
        try:
            result = await deliver_once(limit=limit)
        except DatabaseUnavailable:
            if not database_down:
                log.warning("outbox: database unavailable, retrying every %.0f s", interval)
            database_down = True
            result = PassResult()
        else:
            if database_down:
                log.info("outbox: database available again")
            database_down = False
        if result.claimed >= limit:
            continue  # more may be waiting
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except asyncio.TimeoutError:
            pass


async def outbox_job(_app: object = None) -> None:
    """``run_forever`` as a background job of a front end (its argument, e.g. the Telegram application, is not
    needed: the front end registered its channel before starting the job)."""
    await run_forever()


__all__ = ["PassResult", "deliver_once", "outbox_job", "recipient_prefixes", "run_forever"]
