"""Status-notification subscriptions (explicit consent after a successful status lookup) and the fan-out of one
event to a case's subscribers.

``notify_subscribers(session, case_id, text, ...)`` writes one outbox message per active subscriber in the
caller's transaction; the delivery worker sends them. The cases area calls it when a status changes
(``bot.cases.status_changes``): the wording of a status belongs to the case status vocabulary, not here.
Queuing the same event twice adds nothing (dedup key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import Case, Subscription
from bot.errors import InputError, NotFound
from bot.notifications import texts
from bot.notifications.outbox import enqueue
from bot.parsing.case_numbers import normalize_case_no


@dataclass(frozen=True)
class SubscriptionView:
    index: int  # 1-based position in the resident's list (for /unsubscribe N)
    case_no: str
    programme: str
    status: str
    since: datetime


def subscribe(
    session: Session, sender_id: str, case_no: str, *, now: datetime | None = None
) -> tuple[Subscription, bool]:
    """Subscribe ``sender_id`` to ``case_no``. Returns (subscription, created). Re-subscribing re-activates."""
    case = session.scalar(select(Case).where(Case.case_no == normalize_case_no(case_no)))
    if case is None:
        raise NotFound(f"case {case_no} not found")
    sub = session.scalar(
        select(Subscription).where(Subscription.case_id == case.id, Subscription.sender_id == sender_id)
    )
    now = now or utcnow()
    if sub is not None:
        created = not sub.active
        sub.active, sub.cancelled_at = True, None
        if created:
            sub.created_at = now
        return sub, created
    sub = Subscription(case_id=case.id, sender_id=sender_id, active=True, created_at=now)
    session.add(sub)
    session.flush()
    return sub, True


def list_subscriptions(session: Session, sender_id: str) -> list[SubscriptionView]:
    rows = session.execute(
        select(Subscription, Case)
        .join(Case, Case.id == Subscription.case_id)
        .where(Subscription.sender_id == sender_id, Subscription.active.is_(True))
        .order_by(Subscription.created_at, Subscription.id)
    ).all()
    return [
        SubscriptionView(i, case.case_no, case.programme, case.status, sub.created_at)
        for i, (sub, case) in enumerate(rows, start=1)
    ]


def unsubscribe(
    session: Session, sender_id: str, which: str | None = None, *, now: datetime | None = None
) -> list[str]:
    """Stop notifications: ``which`` = a case number, a list position, 全部/all, or empty (only when there is
    exactly one subscription). Returns the case numbers unsubscribed; ``InputError`` when ambiguous."""
    subs = session.execute(
        select(Subscription, Case)
        .join(Case, Case.id == Subscription.case_id)
        .where(Subscription.sender_id == sender_id, Subscription.active.is_(True))
        .order_by(Subscription.created_at, Subscription.id)
    ).all()
    if not subs:
        return []
    which = (which or "").strip()
    if not which:
        if len(subs) > 1:
            raise InputError(texts.WHICH_ONE)
        chosen = subs
    elif which in ("全部", "所有", "all", "ALL"):
        chosen = subs
    elif which.isdigit() and 1 <= int(which) <= len(subs):
        chosen = [subs[int(which) - 1]]
    else:
        try:
            wanted = normalize_case_no(which)
        except InputError:
            raise InputError(texts.BAD_CHOICE) from None
        chosen = [(s, c) for s, c in subs if c.case_no == wanted]
        if not chosen:
            raise InputError(texts.not_subscribed(wanted))
    now = now or utcnow()
    for sub, _case in chosen:
        sub.active, sub.cancelled_at = False, now
    session.flush()
    return [c.case_no for _s, c in chosen]


def notify_subscribers(session: Session, case_id: int, text: str, *, kind: str, event: str) -> int:
    """Queue ``text`` for every active subscriber of the case. ``event`` names what happened: the same event is
    queued once per subscriber however often it is reported. Returns how many messages were queued."""
    subs = session.scalars(
        select(Subscription).where(Subscription.case_id == case_id, Subscription.active.is_(True))
    ).all()
    queued = 0
    for sub in subs:
        key = f"{kind}:{sub.id}:{event}"
        if enqueue(session, sub.sender_id, text, kind=kind, dedup_key=key[:160]):
            queued += 1
    return queued


def subscribed_cases(session: Session, case_nos: list[str]) -> list[Case]:
    """The cases among ``case_nos`` with at least one active subscriber (one query per 500 numbers)."""
    found: list[Case] = []
    for start in range(0, len(case_nos), 500):
        chunk = case_nos[start : start + 500]
        found.extend(
            session.scalars(
                select(Case)
                .join(Subscription, Subscription.case_id == Case.id)
                .where(Case.case_no.in_(chunk), Subscription.active.is_(True))
                .distinct()
            ).all()
        )
    return found
