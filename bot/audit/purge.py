"""Retention: delete conversation history older than ``settings.retention_days``.

- Rasa's tracker store (table ``events`` in the TRACKER_STORE_URL database): events older than the cutoff.
- Tickets closed before the cutoff, with their messages.
- Outbox rows already sent (or given up) before the cutoff, and subscriptions cancelled before it.
- Messages the front ends stored while Rasa was down (``pending_messages``) received before the cutoff.
(Saved pre-check results are purged by ``bot.precheck.store.purge_expired``, which ``lueyang purge`` also runs.)
The audit log is kept: it holds no identifiers (pseudonyms and masked details only) and is the bureau's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, inspect, or_, select, text
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import HandoffTicket, OutboxMessage, PendingMessage, Subscription, TicketMessage


@dataclass
class PurgeReport:
    cutoff: datetime
    tracker_events: int = 0
    tickets: int = 0
    ticket_messages: int = 0
    outbox: int = 0
    subscriptions: int = 0
    pending_messages: int = 0
    precheck_results: int | None = None  # None: not purged by this run
    tracker_note: str = ""

    def summary(self) -> str:
        note = f"（{self.tracker_note}）" if self.tracker_note else ""
        return (
            f"早于 {self.cutoff:%Y-%m-%d %H:%M} UTC 的记录：对话事件 {self.tracker_events} 条{note}，"
            f"已办结工单 {self.tickets} 张（消息 {self.ticket_messages} 条），已发送/已放弃的外发消息 {self.outbox} 条，"
            f"已取消的订阅 {self.subscriptions} 条，暂存的未送达消息 {self.pending_messages} 条"
            + (f"，预检保存记录 {self.precheck_results} 条" if self.precheck_results is not None else "")
        )


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    if days < 1:
        raise ValueError("retention must be at least one day")
    return (now or utcnow()) - timedelta(days=days)


def purge_case_db(session: Session, cutoff: datetime, *, dry_run: bool = False) -> PurgeReport:
    report = PurgeReport(cutoff)
    old_tickets = select(HandoffTicket.id).where(
        HandoffTicket.status == "closed",
        HandoffTicket.closed_at.is_not(None),
        HandoffTicket.closed_at < cutoff,
    )
    ticket_ids = list(session.scalars(old_tickets))
    report.tickets = len(ticket_ids)
    if ticket_ids:
        report.ticket_messages = len(
            list(session.scalars(select(TicketMessage.id).where(TicketMessage.ticket_id.in_(ticket_ids))))
        )
    outbox_where = or_(
        (OutboxMessage.status == "sent") & (OutboxMessage.sent_at < cutoff),
        (OutboxMessage.status == "failed") & (OutboxMessage.created_at < cutoff),
    )
    report.outbox = len(list(session.scalars(select(OutboxMessage.id).where(outbox_where))))
    subs_where = Subscription.active.is_(False) & (Subscription.cancelled_at < cutoff)
    report.subscriptions = len(list(session.scalars(select(Subscription.id).where(subs_where))))
    pending_where = PendingMessage.created_at < cutoff
    report.pending_messages = len(list(session.scalars(select(PendingMessage.id).where(pending_where))))
    if dry_run:
        return report
    if ticket_ids:
        # explicit, so it works whether or not the database enforces the cascade
        session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ticket_ids)))
        session.execute(delete(HandoffTicket).where(HandoffTicket.id.in_(ticket_ids)))
    session.execute(delete(OutboxMessage).where(outbox_where))
    session.execute(delete(Subscription).where(subs_where))
    session.execute(delete(PendingMessage).where(pending_where))
    return report


def purge_tracker_store(engine: Engine, cutoff: datetime, *, dry_run: bool = False) -> tuple[int, str]:
    """Delete Rasa tracker events older than ``cutoff`` (naive UTC). Returns (rows, note)."""
    if not inspect(engine).has_table("events"):
        return 0, "对话记录库中还没有 events 表"
    epoch = cutoff.replace(tzinfo=timezone.utc).timestamp()
    with engine.begin() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM events WHERE timestamp < :t"), {"t": epoch}).scalar_one()
        if not dry_run and n:
            conn.execute(text("DELETE FROM events WHERE timestamp < :t"), {"t": epoch})
    return int(n), ""


def purge(
    session: Session,
    tracker_engine: Engine | None,
    *,
    days: int,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Everything above; the tracker store is skipped when ``tracker_engine`` is None."""
    cutoff = cutoff_for(days, now)
    # the tracker store first, in its own transaction, before ``session`` writes anything (on SQLite both may
    # be the same file, and a pending write in ``session`` would lock the tracker delete out)
    tracker = None
    if tracker_engine is not None:
        tracker = purge_tracker_store(tracker_engine, cutoff, dry_run=dry_run)
    report = purge_case_db(session, cutoff, dry_run=dry_run)
    report.tracker_events, report.tracker_note = tracker if tracker is not None else (0, "未处理对话记录库")
    return report
