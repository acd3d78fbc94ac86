"""`purge`: tracker events, closed tickets, sent outbox rows and cancelled subscriptions older than the cutoff;
lookup/bind attempts and audit entries older than their own retention periods."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import date, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy import func, select

from bot.audit.purge import purge
from bot.cases.identity import stored_id
from bot.cases.verification import record_attempt
from bot.cli import main as cli_main
from bot.cli import privacy as privacy_cli
from bot.conversation.window import WINDOW_TABLE
from bot.db.base import utcnow
from bot.db.models import (
    Applicant,
    AuditEntry,
    Case,
    HandoffTicket,
    OutboxMessage,
    PendingMessage,
    Subscription,
    TicketMessage,
    VerificationAttempt,
)
from bot.db.session import session_scope
from bot.handoff import tickets
from bot.handoff.actors import StaffActor
from bot.notifications import outbox
from bot.parsing.identity import generate_id_number
from bot.settings import Settings

from .tracker_events import bot_event, events, metadata, user_event

NOW = utcnow()
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)


def ts(dt) -> float:
    return dt.replace(tzinfo=timezone.utc).timestamp()


def seed(db) -> None:
    metadata.create_all(db)
    with db.begin() as conn:
        conn.execute(
            events.insert(),
            [
                user_event("tg-1-1", "老消息", "greet", 0.99, ts(OLD)),
                bot_event("tg-1-1", "老回复", ts(OLD)),
                user_event("tg-1-1", "新消息", "greet", 0.99, ts(RECENT)),
            ],
        )
    admin = StaffActor("管理员", "admin")
    with session_scope() as s:
        old_closed = tickets.create_ticket(s, "tg-1-1", topic="旧的", now=OLD)
        tickets.staff_reply(s, admin, old_closed.id, "你好")
        tickets.close(s, admin, old_closed.id, now=OLD + timedelta(days=1))
        recent_closed = tickets.create_ticket(s, "tg-2-2", topic="新的", now=RECENT)
        tickets.close(s, admin, recent_closed.id, now=RECENT)
        tickets.create_ticket(s, "tg-3-3", topic="还开着", now=OLD)  # open tickets are never purged
        s.query(OutboxMessage).delete()
        sent_old = outbox.enqueue(s, "tg-1-1", "旧提醒", kind="status", now=OLD)
        sent_old.status, sent_old.sent_at = "sent", OLD
        sent_new = outbox.enqueue(s, "tg-1-1", "新提醒", kind="status", now=RECENT)
        sent_new.status, sent_new.sent_at = "sent", RECENT
        outbox.enqueue(s, "tg-1-1", "还没发", kind="status", now=OLD)  # pending: kept
        # whatever the applicants table keeps of an ID number (the columns of bot.cases.identity.StoredId)
        stored = {k: v for k, v in asdict(stored_id(generate_id_number(random.Random(1)))).items() if k in Applicant.__table__.c}
        applicant = Applicant(name="测试", town="郭镇", **stored)
        case = Case(
            case_no="LY2024DB00001",
            programme="低保",
            applicant=applicant,
            town="郭镇",
            applied_on=date(2024, 1, 2),
            status="已受理",
        )
        s.add(case)
        s.flush()
        s.add(Subscription(case_id=case.id, sender_id="tg-1-1", active=False, cancelled_at=OLD))
        s.add(Subscription(case_id=case.id, sender_id="tg-2-2", active=True, created_at=OLD))
        s.add(AuditEntry(user_ref="u-x", action="answer", at=OLD))
        s.add(PendingMessage(channel="telegram", sender_id="tg-1-1", text="老的", created_at=OLD))
        s.add(PendingMessage(channel="telegram", sender_id="tg-1-1", text="新的", created_at=RECENT))


def count(model) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_dry_run_counts_without_deleting(db):
    seed(db)
    with session_scope() as s:
        report = purge(s, db, days=180, now=NOW, dry_run=True)
    assert (report.tracker_events, report.tickets, report.outbox, report.subscriptions) == (2, 1, 1, 1)
    assert report.pending_messages == 1
    assert report.ticket_messages >= 2
    assert count(HandoffTicket) == 3 and count(OutboxMessage) == 3


def test_purge_deletes_only_what_is_older_than_retention(db):
    seed(db)
    with session_scope() as s:
        report = purge(s, db, days=180, now=NOW)
    assert (report.tracker_events, report.tickets, report.outbox, report.subscriptions) == (2, 1, 1, 1)
    with db.connect() as conn:
        left = [r.data for r in conn.execute(select(events.c.data))]
    assert len(left) == 1 and "新消息" in left[0]
    with session_scope() as s:
        assert sorted(t.topic for t in s.scalars(select(HandoffTicket))) == ["新的", "还开着"]
        assert (
            s.scalar(select(func.count()).select_from(TicketMessage).where(TicketMessage.ticket_id == 1)) == 0
        )
        assert sorted(m.text for m in s.scalars(select(OutboxMessage))) == ["新提醒", "还没发"]
        assert [x.sender_id for x in s.scalars(select(Subscription))] == ["tg-2-2"]
    assert count(AuditEntry) == 1  # the audit log is kept
    with session_scope() as s:
        assert [p.text for p in s.scalars(select(PendingMessage))] == ["新的"]
    # idempotent
    with session_scope() as s:
        again = purge(s, db, days=180, now=NOW)
    assert (again.tracker_events, again.tickets, again.outbox, again.subscriptions) == (0, 0, 0, 0)


def test_missing_tracker_table_is_reported_not_fatal(db):
    with session_scope() as s:
        report = purge(s, db, days=30, now=NOW)
    assert report.tracker_events == 0 and "events" in report.tracker_note


def test_lookup_attempts_and_the_audit_log_have_their_own_retention(db):
    settings = Settings.from_env({"VERIFICATION_RETENTION_DAYS": "30", "AUDIT_RETENTION_DAYS": "1095"})
    with session_scope() as s:
        record_attempt(s, "tg-1-1", False, now=NOW - timedelta(days=31))  # older than 30 days: deleted
        record_attempt(s, "tg-1-1", True, kind="bind", now=NOW - timedelta(days=31))
        record_attempt(s, "tg-1-1", False, now=NOW - timedelta(days=29))
        s.add(AuditEntry(user_ref="u-old", action="answer", at=NOW - timedelta(days=1096)))
        s.add(AuditEntry(user_ref="u-kept", action="answer", at=NOW - timedelta(days=1094)))
    with session_scope() as s:
        dry = purge(s, None, days=180, now=NOW, dry_run=True, settings=settings)
    assert (dry.verification_attempts, dry.audit_entries) == (2, 1)
    assert count(VerificationAttempt) == 3 and count(AuditEntry) == 2
    with session_scope() as s:
        report = purge(s, None, days=180, now=NOW, settings=settings)
    assert (report.verification_attempts, report.audit_entries) == (2, 1)
    assert "查询/绑定尝试 2 条" in report.summary() and "审计日志 1 条" in report.summary()
    with session_scope() as s:
        assert [a.attempted_at for a in s.scalars(select(VerificationAttempt))] == [NOW - timedelta(days=29)]
        assert [e.user_ref for e in s.scalars(select(AuditEntry))] == ["u-kept"]
    with session_scope() as s:  # explicit periods win over the settings
        report = purge(s, None, days=180, verification_days=1, audit_days=1, now=NOW, settings=settings)
    assert (report.verification_attempts, report.audit_entries) == (1, 1)


def test_purge_command_uses_the_retention_settings(db, monkeypatch, capsys):
    monkeypatch.setattr(privacy_cli, "get_settings", lambda: Settings.from_env({"VERIFICATION_RETENTION_DAYS": "2"}))
    monkeypatch.setattr(privacy_cli, "tracker_engine", lambda settings: db)
    monkeypatch.setattr(privacy_cli, "purge_expired", lambda days: 0)
    with session_scope() as s:
        record_attempt(s, "tg-1-1", False, now=utcnow() - timedelta(days=3))
    assert cli_main(["purge"]) == 0
    assert "查询/绑定尝试 1 条" in capsys.readouterr().out
    assert count(VerificationAttempt) == 0


def test_purge_command_refuses_unsafe_production_settings(monkeypatch, capsys):
    monkeypatch.setattr(privacy_cli, "get_settings", lambda: Settings.from_env({"LUEYANG_PROFILE": "production"}))
    assert cli_main(["purge"]) == 1
    assert "production profile" in capsys.readouterr().err


def test_purge_deletes_the_carried_states_of_old_conversations_too(db):
    """The tracker store keeps one carried state per long conversation (``tracker_windows``: masked slots, sealed
    values); one as of purged events goes with them."""
    seed(db)
    windows = sa.Table(
        WINDOW_TABLE, sa.MetaData(),
        sa.Column("sender_id", sa.String(255), primary_key=True), sa.Column("session_ts", sa.Float),
        sa.Column("upto_id", sa.Integer), sa.Column("upto_ts", sa.Float), sa.Column("carried", sa.Text),
    )
    windows.create(db)
    with db.begin() as conn:
        conn.execute(windows.insert(), [
            {"sender_id": "tg-1-1", "session_ts": ts(OLD), "upto_id": 2, "upto_ts": ts(OLD), "carried": "[]"},
            {"sender_id": "tg-2-2", "session_ts": ts(RECENT), "upto_id": 3, "upto_ts": ts(RECENT), "carried": "[]"},
        ])
    with session_scope() as s:
        purge(s, db, days=180, now=NOW, dry_run=True)
    with db.connect() as conn:
        assert len(list(conn.execute(select(windows.c.sender_id)))) == 2  # a dry run deletes nothing
    with session_scope() as s:
        purge(s, db, days=180, now=NOW)
    with db.connect() as conn:
        assert [r.sender_id for r in conn.execute(select(windows.c.sender_id))] == ["tg-2-2"]
