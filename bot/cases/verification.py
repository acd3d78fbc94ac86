"""Failed-attempt bookkeeping per sender: N failures within the window lock the sender for the lock period.

Attempts made while locked are refused without being recorded, so a lock lasts exactly the lock period
from the failure that triggered it. A success ends the current run of failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
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
    since = now - 2 * window
    last_success = session.scalar(
        select(func.max(VerificationAttempt.attempted_at)).where(
            VerificationAttempt.sender_id == sender_id,
            VerificationAttempt.kind == kind,
            VerificationAttempt.success.is_(True),
            VerificationAttempt.attempted_at >= since,
        )
    )
    if last_success is not None:
        since = max(since, last_success)
    failures = list(
        session.scalars(
            select(VerificationAttempt.attempted_at)
            .where(
                VerificationAttempt.sender_id == sender_id,
                VerificationAttempt.kind == kind,
                VerificationAttempt.success.is_(False),
                VerificationAttempt.attempted_at > since,
            )
            .order_by(VerificationAttempt.attempted_at.desc())
            .limit(limit)
        )
    )
    if len(failures) >= limit and failures[0] - failures[limit - 1] <= window:
        until = failures[0] + window
        if now < until:
            return LockState(until, len(failures), 0)
        return LockState(None, 0, limit)
    recent = [f for f in failures if f > now - window]
    return LockState(None, len(recent), limit - len(recent))


def record_attempt(
    session: Session, sender_id: str, success: bool, *, kind: str = "lookup", now: datetime | None = None
) -> None:
    session.add(
        VerificationAttempt(sender_id=sender_id, kind=kind, success=success, attempted_at=now or utcnow())
    )
    session.flush()
