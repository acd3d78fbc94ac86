"""The outbox: proactive messages written in the same transaction as the change that causes them, and sent
later by the delivery worker (``bot.notifications.worker``).

Protocol (works on SQLite and PostgreSQL):
- ``enqueue`` adds a ``pending`` row (optionally with a ``dedup_key``: enqueuing the same key twice adds one row).
- ``claim`` marks up to N due rows with a fresh ``claim_token`` and ``claimed_at`` in ONE UPDATE whose
  sub-select takes row locks with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (ignored on SQLite, where writes are
  serialised anyway); a row is due when pending, ``next_attempt_at <= now`` and not claimed, or claimed longer
  ago than the lease (its worker died). Two workers therefore never hold the same row.
- after sending, ``mark_sent`` / ``mark_failed`` update the row only if the worker still holds the claim.
  ``sent`` is written only after the channel accepted the message; a failure schedules a retry with
  exponential backoff, or gives up (``failed``) for permanent errors or after ``MAX_ATTEMPTS``.
A worker claims only the rows of the channels it can deliver to (``recipient_prefixes``).
A worker that crashes after the channel accepted a message but before ``mark_sent`` committed would send that one
message again after the lease; no other path sends a row twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import OutboxMessage

MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=5)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)


@dataclass(frozen=True)
class Claimed:
    id: int
    recipient: str
    kind: str
    text: str
    attempts: int  # including this one
    token: str


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed tries: 30 s, 1 min, 2 min, ... up to 6 h."""
    return min(MAX_DELAY, BASE_DELAY * (2 ** max(0, attempts - 1)))


def enqueue(
    session: Session,
    recipient: str,
    text: str,
    *,
    kind: str,
    dedup_key: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Add a message (in the caller's transaction). Returns None when ``dedup_key`` was enqueued before."""
    if dedup_key is not None:
        session.flush()
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)) is not None:
            return None
    now = now or utcnow()
    msg = OutboxMessage(
        recipient=recipient,
        text=text,
        kind=kind,
        dedup_key=dedup_key,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(msg)
    return msg


def _due(now: datetime, recipient_prefixes: Sequence[str] | None = None):
    conditions = [
        OutboxMessage.status == "pending",
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - LEASE),
    ]
    if recipient_prefixes is not None:
        conditions.append(
            or_(false(), *(OutboxMessage.recipient.startswith(p, autoescape=True) for p in recipient_prefixes))
        )
    return and_(*conditions)


def claim(
    session: Session,
    *,
    limit: int = 20,
    now: datetime | None = None,
    recipient_prefixes: Sequence[str] | None = None,
) -> list[Claimed]:
    """Claim up to ``limit`` due messages for this worker (commit the session right after).

    ``recipient_prefixes``: only messages whose recipient starts with one of them (the sender-id prefixes of the
    channels the worker can deliver to); None: every due message.
    """
    now = now or utcnow()
    token = secrets.token_hex(16)
    due_ids = (
        select(OutboxMessage.id)
        .where(_due(now, recipient_prefixes))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due_ids), _due(now, recipient_prefixes))
        .values(claim_token=token, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxMessage.kind,
            OutboxMessage.text,
            OutboxMessage.attempts,
        )
        .where(OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.id)
    ).all()
    return [Claimed(r.id, r.recipient, r.kind, r.text, r.attempts, token) for r in rows]


def mark_sent(session: Session, claimed: Claimed, *, now: datetime | None = None) -> bool:
    res = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claimed.id, OutboxMessage.claim_token == claimed.token)
        .values(status="sent", sent_at=now or utcnow(), claim_token=None, claimed_at=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1


def mark_failed(
    session: Session, claimed: Claimed, error: str, *, permanent: bool = False, now: datetime | None = None
) -> str:
    """Record a failed try: ``pending`` again with a backoff, or ``failed`` for good. Returns the new status."""
    now = now or utcnow()
    give_up = permanent or claimed.attempts >= MAX_ATTEMPTS
    status = "failed" if give_up else "pending"
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claimed.id, OutboxMessage.claim_token == claimed.token)
        .values(
            status=status,
            next_attempt_at=now + backoff(claimed.attempts),
            claim_token=None,
            claimed_at=None,
            last_error=error[:300],
        )
        .execution_options(synchronize_session=False)
    )
    return status


def counts(session: Session) -> dict[str, int]:
    """Number of rows per status."""
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {status: n for status, n in rows}


__all__ = ["Claimed", "backoff", "claim", "counts", "enqueue", "mark_failed", "mark_sent"]
