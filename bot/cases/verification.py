"""Failed-attempt bookkeeping for the lookup and bind lockouts, per real user and per case number.

Every failure counts, whatever successes come between: a failure locks when it is the N-th failure of its user
(or of its case number) within one window, and the lock lasts one lock period from that failure. While any of
an attempt's subjects is locked the attempt is refused without being checked or recorded, so at most N wrong
guesses per window are ever checked for one user and for one case number.

- The user is the person behind the sender id (``bot.identity``: the Telegram user, whatever chat they write
  from; the terminal session's name), so rotating chats gives no fresh tries. A sender id no channel writes
  counts as its own user.
- The case number is the one the attempt named (normalised, whether or not such a case exists), so guesses
  spread over many users still lock the case. Bind-code attempts name no case and count per user only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import VerificationAttempt
from bot.identity import parse_sender
from bot.settings import Settings, get_settings

USER = "user"
CASE = "case"


@dataclass(frozen=True)
class LockState:
    locked_until: datetime | None  # naive UTC
    failures: int  # failures of the most-tried subject within the window ending now
    remaining: int  # attempts left before the lock (the fewest of the subjects)
    scope: str | None = None  # which subject is locked: "user" | "case" (None when not locked)

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def user_key(sender_id: str) -> str:
    """The real user behind a sender id: ``telegram:<user id>``, ``terminal:<name>``; else the sender id."""
    identity = parse_sender(sender_id)
    if identity is None:
        return (sender_id or "")[:128]
    return f"{identity.channel}:{identity.user}"[:128]


def _failure_times(
    session: Session, column, value: str, kind: str, since: datetime, now: datetime, cap: int
) -> list[datetime]:
    """Failures of one subject in (since, now], oldest first (at most ``cap`` of the newest)."""
    rows = session.scalars(
        select(VerificationAttempt.attempted_at)
        .where(
            column == value,
            VerificationAttempt.kind == kind,
            VerificationAttempt.success.is_(False),
            VerificationAttempt.attempted_at > since,
            VerificationAttempt.attempted_at <= now,
        )
        .order_by(VerificationAttempt.attempted_at.desc(), VerificationAttempt.id.desc())
        .limit(cap)
    ).all()
    return sorted(rows)


def lock_of(times: Sequence[datetime], now: datetime, limit: int, window: timedelta) -> datetime | None:
    """Until when failures at ``times`` (oldest first) lock their subject at ``now``, or None.

    A failure ``f`` locks until ``f + window`` when at least ``limit`` failures fall in ``(f - window, f]``.
    """
    until = None
    for f in times:
        if f + window <= now:
            continue
        # failures in (f - window, f]: those up to and including every failure at the same moment as f
        last = bisect_right(times, f)
        first = bisect_right(times, f - window)
        if last - first >= limit:
            until = f + window if until is None else max(until, f + window)
    return until


def _subject_state(
    session: Session, column, value: str, kind: str, now: datetime, limit: int, window: timedelta, scope: str
) -> LockState:
    # a lock at ``now`` comes from a failure in (now - window, now], counted over the window before it
    times = _failure_times(session, column, value, kind, now - 2 * window, now, cap=4 * limit)
    until = lock_of(times, now, limit, window)
    in_window = sum(1 for t in times if t > now - window)
    if until is not None:
        return LockState(until, in_window, 0, scope)
    return LockState(None, in_window, max(0, limit - in_window))


def subject_states(
    session: Session,
    sender_id: str,
    *,
    kind: str = "lookup",
    case_no: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> dict[str, LockState]:
    """The lock state of each subject of an attempt: ``{"user": ..., "case": ...}`` (no "case" without
    ``case_no``)."""
    settings = settings or get_settings()
    now = now or utcnow()
    limit = max(1, settings.lookup_max_failures)
    window = timedelta(minutes=max(1, settings.lookup_lock_minutes))
    states = {
        USER: _subject_state(
            session, VerificationAttempt.user_key, user_key(sender_id), kind, now, limit, window, USER
        )
    }
    if case_no:
        states[CASE] = _subject_state(session, VerificationAttempt.case_no, case_no, kind, now, limit, window, CASE)
    return states


def combined(states: dict[str, LockState]) -> LockState:
    """Locked when any subject is locked (the later lock wins); otherwise the fewest attempts remaining."""
    locked = [s for s in states.values() if s.locked]
    if locked:
        return max(locked, key=lambda s: s.locked_until)
    return min(states.values(), key=lambda s: s.remaining)


def lock_state(
    session: Session,
    sender_id: str,
    *,
    kind: str = "lookup",
    case_no: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> LockState:
    """The lock on an attempt by ``sender_id`` (and on ``case_no``, when the attempt names one)."""
    return combined(subject_states(session, sender_id, kind=kind, case_no=case_no, now=now, settings=settings))


def record_attempt(
    session: Session,
    sender_id: str,
    success: bool,
    *,
    kind: str = "lookup",
    case_no: str | None = None,
    now: datetime | None = None,
) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # a rate-limit log: losing the last few hundred milliseconds of attempts in a server crash is
        # acceptable, waiting for the WAL flush on every lookup is not
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    session.add(
        VerificationAttempt(
            sender_id=sender_id[:128],
            user_key=user_key(sender_id),
            case_no=case_no,
            kind=kind,
            success=success,
            attempted_at=now or utcnow(),
        )
    )
    session.flush()


__all__ = [
    "CASE",
    "USER",
    "LockState",
    "combined",
    "lock_of",
    "lock_state",
    "record_attempt",
    "subject_states",
    "user_key",
]
