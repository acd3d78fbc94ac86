"""Failed-attempt bookkeeping per sender: N failures within the window lock the sender for the lock period.

Attempts made while locked are refused without being recorded, so a lock lasts exactly the lock period
from the failure that triggered it. A success ends the current run of failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import VerificationAttempt
from bot.settings import Settings, get_settings


@dataclass(frozen=True)
class LockState:
    locked_until: datetime | None  # naive UTC
    failures: int  # failures in the current run (within the window)
    remaining: int  # attempts left before the lock

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def lock_state(
    session: Session,
    sender_id: str,
    *,
    kind: str = "lookup",
    now: datetime | None = None,
    settings: Settings | None = None,
) -> LockState:
    settings = settings or get_settings()
    now = now or utcnow()
    limit = max(1, settings.lookup_max_failures)
    window = timedelta(minutes=settings.lookup_lock_minutes)
    # the newest `limit` attempts in the last two windows are enough: only failures after the latest
    # success count, and `limit` of them are what it takes to lock
    recent = session.execute(
        select(VerificationAttempt.attempted_at, VerificationAttempt.success)
        .where(
            VerificationAttempt.sender_id == sender_id,
            VerificationAttempt.kind == kind,
            VerificationAttempt.attempted_at >= now - 2 * window,
        )
        .order_by(VerificationAttempt.attempted_at.desc(), VerificationAttempt.id.desc())
        .limit(limit)
    ).all()
    failures = []
    for attempted_at, success in recent:
        if success:
            break
        failures.append(attempted_at)
    if len(failures) >= limit and failures[0] - failures[limit - 1] <= window:
        until = failures[0] + window
        if now < until:
            return LockState(until, len(failures), 0)
        return LockState(None, 0, limit)
    in_window = [f for f in failures if f > now - window]
    return LockState(None, len(in_window), limit - len(in_window))


def record_attempt(
    session: Session, sender_id: str, success: bool, *, kind: str = "lookup", now: datetime | None = None
) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # a rate-limit log: losing the last few hundred milliseconds of attempts in a server crash is
        # acceptable, waiting for the WAL flush on every lookup is not
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    session.add(
        VerificationAttempt(sender_id=sender_id, kind=kind, success=success, attempted_at=now or utcnow())
    )
    session.flush()
