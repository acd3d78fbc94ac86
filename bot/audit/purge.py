"""Retention: delete what is older than its retention period (settings, defaults in ``bot.settings``).

Conversation history, ``settings.retention_days`` (RETENTION_DAYS, 180):
- Rasa's tracker store (table ``events`` in the TRACKER_STORE_URL database): events older than the cutoff.
- Tickets closed before the cutoff, with their messages.
- Outbox rows already sent (or given up) before the cutoff, and subscriptions cancelled before it.
- Messages the front ends stored while Rasa was down (``pending_messages``) received before the cutoff.
(Saved pre-check results are purged by ``bot.precheck.store.purge_expired``, which ``lueyang purge`` also runs.)
Lookup and /bind attempts (``verification_attempts``), ``settings.verification_retention_days``
(VERIFICATION_RETENTION_DAYS, 30): the lockout reads only the last hours.
The audit log, ``settings.audit_retention_days`` (AUDIT_RETENTION_DAYS, 1095): the bureau's record of who was
shown what; it holds pseudonyms and masked details only, and is kept longer than the conversations.
Case records are not purged here: they are the bureau's files, imported and kept by the bureau.
Monitoring warnings (issue 18: households that did not apply), ``MONITORING_RETENTION_DAYS`` after their month
was closed: the warnings, their tasks and results, and the month. A month never closed is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, inspect, or_, select, text
from sqlalchemy.orm import Session

from bot.conversation.window import WINDOW_TABLE
from bot.db.base import utcnow
from bot.db.models import (
    AuditEntry,
    HandoffTicket,
    MonitoringMonth,
    MonitoringTask,
    MonitoringWarning,
    OutboxMessage,
    PendingMessage,
    Subscription,
    TicketMessage,
    VerificationAttempt,
)
from bot.settings import Settings, get_settings

MONITORING_RETENTION_DAYS = 365  # after the month is closed


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
    verification_cutoff: datetime | None = None
    verification_attempts: int = 0
    audit_cutoff: datetime | None = None
    audit_entries: int = 0
    monitoring_cutoff: datetime | None = None
    monitoring_warnings: int = 0

    def summary(self) -> str:
        note = f"（{self.tracker_note}）" if self.tracker_note else ""
        text = (
            f"早于 {self.cutoff:%Y-%m-%d %H:%M} UTC 的记录：对话事件 {self.tracker_events} 条{note}，"
            f"已办结工单 {self.tickets} 张（消息 {self.ticket_messages} 条），已发送/已放弃的外发消息 {self.outbox} 条，"
            f"已取消的订阅 {self.subscriptions} 条，暂存的未送达消息 {self.pending_messages} 条"
            + (f"，预检保存记录 {self.precheck_results} 条" if self.precheck_results is not None else "")
        )
        if self.verification_cutoff is not None:
            text += f"；早于 {self.verification_cutoff:%Y-%m-%d %H:%M} UTC 的查询/绑定尝试 {self.verification_attempts} 条"
        if self.audit_cutoff is not None:
            text += f"；早于 {self.audit_cutoff:%Y-%m-%d %H:%M} UTC 的审计日志 {self.audit_entries} 条"
        if self.monitoring_cutoff is not None:
            text += f"；早于 {self.monitoring_cutoff:%Y-%m-%d %H:%M} UTC 关闭的月份的监测预警 {self.monitoring_warnings} 条"
        return text


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
    """Delete Rasa tracker events older than ``cutoff`` (naive UTC), and the tracker store's carried states
    (``tracker_windows``) as of such events. Returns (event rows, note)."""
    inspector = inspect(engine)
    if not inspector.has_table("events"):
        return 0, "对话记录库中还没有 events 表"
    epoch = cutoff.replace(tzinfo=timezone.utc).timestamp()
    with engine.begin() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM events WHERE timestamp < :t"), {"t": epoch}).scalar_one()
        if not dry_run and n:
            conn.execute(text("DELETE FROM events WHERE timestamp < :t"), {"t": epoch})
        if not dry_run and inspector.has_table(WINDOW_TABLE):
            conn.execute(text(f"DELETE FROM {WINDOW_TABLE} WHERE upto_ts < :t"), {"t": epoch})  # noqa: S608
    return int(n), ""


def purge_security_records(
    session: Session, report: PurgeReport, *, verification_cutoff: datetime, audit_cutoff: datetime,
    dry_run: bool = False,
) -> None:
    """Lookup/bind attempts and audit entries older than their own cutoffs (counted into ``report``)."""
    attempts_where = VerificationAttempt.attempted_at < verification_cutoff
    audit_where = AuditEntry.at < audit_cutoff
    report.verification_cutoff, report.audit_cutoff = verification_cutoff, audit_cutoff
    report.verification_attempts = len(list(session.scalars(select(VerificationAttempt.id).where(attempts_where))))
    report.audit_entries = len(list(session.scalars(select(AuditEntry.id).where(audit_where))))
    if dry_run:
        return
    session.execute(delete(VerificationAttempt).where(attempts_where))
    session.execute(delete(AuditEntry).where(audit_where))


def purge_monitoring(
    session: Session, report: PurgeReport, *, cutoff: datetime, dry_run: bool = False
) -> None:
    """Warnings, tasks and the month record of months closed before ``cutoff`` (counted into ``report``)."""
    report.monitoring_cutoff = cutoff
    months = list(session.scalars(select(MonitoringMonth.month).where(MonitoringMonth.closed_at < cutoff)))
    if not months:
        return
    report.monitoring_warnings = len(
        list(session.scalars(select(MonitoringWarning.id).where(MonitoringWarning.month.in_(months))))
    )
    if dry_run:
        return
    session.execute(delete(MonitoringTask).where(MonitoringTask.month.in_(months)))
    session.execute(delete(MonitoringWarning).where(MonitoringWarning.month.in_(months)))
    session.execute(delete(MonitoringMonth).where(MonitoringMonth.month.in_(months)))


def purge(
    session: Session,
    tracker_engine: Engine | None,
    *,
    days: int,
    verification_days: int | None = None,
    audit_days: int | None = None,
    monitoring_days: int = MONITORING_RETENTION_DAYS,
    now: datetime | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
) -> PurgeReport:
    """Everything above; the tracker store is skipped when ``tracker_engine`` is None.

    ``days``: conversation history; ``verification_days`` / ``audit_days``: default to the settings'
    ``verification_retention_days`` / ``audit_retention_days``; ``monitoring_days``: after a monitoring month
    is closed.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    cutoff = cutoff_for(days, now)
    verification_cutoff = cutoff_for(
        settings.verification_retention_days if verification_days is None else verification_days, now
    )
    audit_cutoff = cutoff_for(settings.audit_retention_days if audit_days is None else audit_days, now)
    # the tracker store first, in its own transaction, before ``session`` writes anything (on SQLite both may
    # be the same file, and a pending write in ``session`` would lock the tracker delete out)
    tracker = None
    if tracker_engine is not None:
        tracker = purge_tracker_store(tracker_engine, cutoff, dry_run=dry_run)
    report = purge_case_db(session, cutoff, dry_run=dry_run)
    purge_security_records(
        session, report, verification_cutoff=verification_cutoff, audit_cutoff=audit_cutoff, dry_run=dry_run
    )
    purge_monitoring(session, report, cutoff=cutoff_for(monitoring_days, now), dry_run=dry_run)
    report.tracker_events, report.tracker_note = tracker if tracker is not None else (0, "未处理对话记录库")
    return report
