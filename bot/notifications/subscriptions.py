"""Status-notification subscriptions (explicit consent after a successful status lookup) and the hook that
turns a status change into outbox messages.

``on_status_changed(session, case, old, new)`` must be called, in the same transaction, wherever a case's
status changes (the import, the CLI). It writes one outbox message per active subscriber; the delivery worker
sends them. Calling it twice for the same change adds nothing (dedup key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import Case, Subscription
from bot.errors import InputError, NotFound
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
            raise InputError(
                "您订阅了多件申请的进度提醒，请说明取消哪一件，例如：/unsubscribe 1，或 /unsubscribe 全部"
            )
        chosen = subs
    elif which in ("全部", "所有", "all", "ALL"):
        chosen = subs
    elif which.isdigit() and 1 <= int(which) <= len(subs):
        chosen = [subs[int(which) - 1]]
    else:
        try:
            wanted = normalize_case_no(which)
        except InputError:
            raise InputError("请写订阅列表中的序号或案件编号，例如：/unsubscribe 1") from None
        chosen = [(s, c) for s, c in subs if c.case_no == wanted]
        if not chosen:
            raise InputError(f"您没有订阅 {wanted} 的进度提醒。")
    now = now or utcnow()
    for sub, _case in chosen:
        sub.active, sub.cancelled_at = False, now
    session.flush()
    return [c.case_no for _s, c in chosen]


def status_message(case_no: str, new: str) -> str:
    """The notification text: the new status in plain words and the resident's next step."""
    from bot.cases.status import STATUSES

    status = STATUSES.get(new)
    lines = [f"【进度提醒】您订阅的申请 {case_no} 有新进展：", f"当前状态：{new}"]
    if status is not None:
        lines.append(f"这表示：{status.meaning}")
        lines.append(f"下一步：{status.next_step}")
    lines.append("发送 /unsubscribe 可以取消提醒。")
    return "\n".join(lines)


def on_status_changed(session: Session, case: Case, old: str | None, new: str) -> int:
    """Queue a notification for every active subscriber of ``case``. Returns how many were queued.

    ``case`` may be an ORM ``Case`` or any row with ``id``, ``case_no`` and ``status_changed_on``.
    """
    if old == new or case.id is None:
        return 0
    subs = session.scalars(
        select(Subscription).where(Subscription.case_id == case.id, Subscription.active.is_(True))
    ).all()
    stamp = case.status_changed_on.isoformat() if case.status_changed_on else ""
    queued = 0
    for sub in subs:
        key = f"status:{sub.id}:{old or '-'}>{new}@{stamp}"
        if enqueue(
            session, sub.sender_id, status_message(case.case_no, new), kind="status", dedup_key=key[:160]
        ):
            queued += 1
    return queued


def notify_status_changes(session: Session, changes: list[tuple[str, str | None, str]]) -> int:
    """Bulk form for importers: ``changes`` = [(case_no, old, new), ...] (e.g. ``ImportReport.status_changes``).

    New cases (old None) and unchanged statuses are skipped; one query finds the subscribed cases. Call it in
    the import's transaction, after the rows were written.
    """
    wanted = {case_no: (old, new) for case_no, old, new in changes if old is not None and old != new}
    if not wanted:
        return 0
    queued = 0
    numbers = list(wanted)
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        subscribed = session.scalars(
            select(Case)
            .join(Subscription, Subscription.case_id == Case.id)
            .where(Case.case_no.in_(chunk), Subscription.active.is_(True))
            .distinct()
        ).all()
        for case in subscribed:
            old, new = wanted[case.case_no]
            queued += on_status_changed(session, case, old, new)
    return queued
