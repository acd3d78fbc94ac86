"""Long conversations over the real REST channel (issue 21): the tracker store hands Rasa only the session's last
turns with the state carried in (rasa_addons/tracker_store.py), and nothing a user relies on is lost at the cut.

Each test first makes sure the cut really happened (the sender has a row in ``tracker_windows`` and more events
in the database than the window holds), then checks what must have survived it: answers and slots given before
the cut, an open form that continues and finishes, a relay (ticket) that goes on, the audit trail, the
unanswered-question report, and session expiry.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.audit.pseudonym import pseudonym
from bot.audit.unanswered import build_report
from bot.conversation.window import WINDOW_TABLE
from bot.db.models import AuditEntry
from bot.db.session import make_engine
from bot.settings import Settings
from tests.auxil.assistant import open_ticket_without_phone
from tests.conversations.test_handoff import STAFF, outbox_texts, staff
from tests.conversations.test_precheck import _start, _step
from tests.conversations.test_repair import joined, resident_id, tickets_of

pytestmark = pytest.mark.rasa

QUESTIONS = (
    "低保需要什么条件",
    "特困供养怎么申请",
    "办低保要带哪些材料",
    "什么是低保边缘家庭",
    "民政办的电话是多少",
)
# understood, but answered only with the office that handles it: the report lists it (a referral)
UNANSWERABLE = "残疾人两项补贴怎么领"


def tracker_db(assistant) -> Path:
    return Path(assistant.cluster.settings.tracker_store_url.split(":///", 1)[1])


def stored_events(assistant, sender: str) -> list[dict]:
    with sqlite3.connect(tracker_db(assistant)) as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(r[0]) for r in rows]


def assert_cut(assistant, sender: str) -> int:
    """The conversation was really cut: the carried state exists and covers events the window leaves out."""
    with sqlite3.connect(tracker_db(assistant)) as conn:
        row = conn.execute(f"SELECT upto_id FROM {WINDOW_TABLE} WHERE sender_id = ?", (sender,)).fetchone()
        before = conn.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ? AND id <= ?", (sender, row[0] if row else -1)
        ).fetchone()[0]
    assert row is not None and before > 20, f"no cut for {sender}"
    return before


def ask_questions(assistant, sender: str, n: int, *, then_step: tuple[int, int] | None = None) -> None:
    for i in range(n):
        replies = assistant.send(sender, QUESTIONS[i % len(QUESTIONS)])
        assert replies, QUESTIONS[i % len(QUESTIONS)]
        if then_step:  # inside the pre-check: the answer, then the same step again
            assert _step(replies[-1]["text"]) == then_step, joined(replies)


def test_answers_before_the_cut_and_the_open_precheck_survive(assistant):
    """Three answers, then many policy questions inside the open pre-check (each answered, then the same step
    again): the cut passes the form's start and the answers; the form goes on at its step and its result uses
    the answers given before the cut (火灾: emergency type)."""
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    for answer, step in [("户籍在略阳", (2, 10)), ("火灾", (3, 9)), ("3天前", (4, 9))]:
        assert _step(assistant.texts(sender, answer)) == step
    ask_questions(assistant, sender, 12, then_step=(4, 9))
    assert_cut(assistant, sender)
    for answer, step in [("都没有", (5, 9)), ("3口人", (6, 9)), ("没有", (7, 9)),
                         ("房子烧了，损失大概5万", (8, 9)), ("没有或1万以下", (9, 9))]:
        reply = assistant.texts(sender, answer)
        assert _step(reply) == step, (answer, reply)
    result = assistant.texts(sender, "接官亭")
    assert "【临时救助预检结果】" in result and "总体：可能符合" in result
    assert "火灾事故认定书" in result  # 火灾, answered before the cut
    assert re.search(r"参考编号是：YJ\d{6}-[0-9A-Z]{4}", assistant.texts(sender, "/affirm"))


def test_a_precheck_answered_straight_through_across_the_cut(assistant):
    """A long conversation, then the whole pre-check without interruption: the cut falls inside the form (Rasa
    folds a form's turns into its first one; the window into its first form turn), and the form still ends
    with its result (the rule reads the last states only)."""
    sender = assistant.new_sender("tg")
    ask_questions(assistant, sender, 8)
    _start(assistant, sender)
    answers = ["户籍在略阳", "火灾", "3天前", "都没有", "3口人", "没有", "房子烧了，损失大概5万", "没有或1万以下"]
    for answer in answers:
        assert _step(assistant.texts(sender, answer)), answer
    result = assistant.texts(sender, "接官亭")
    assert "【临时救助预检结果】" in result and "总体：可能符合" in result
    assert_cut(assistant, sender)
    with sqlite3.connect(tracker_db(assistant)) as conn:
        upto = conn.execute(f"SELECT upto_id FROM {WINDOW_TABLE} WHERE sender_id = ?", (sender,)).fetchone()[0]
        rows = conn.execute("SELECT id, data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                            (sender,)).fetchall()
    start_id = next(row_id for row_id, data in rows if json.loads(data).get("text") == "/start_precheck")
    assert start_id <= upto, "the cut did not fall inside the form"
    assert "参考编号" in assistant.texts(sender, "/affirm")


def test_a_relay_continues_across_the_cut(assistant):
    """An open ticket's waiting room: the assistant keeps answering and every message goes into the ticket, long
    enough to pass the cut; then staff take it and the relay works both ways, and closing it ends the relay."""
    resident = resident_id()
    ticket, created = open_ticket_without_phone(assistant, resident, "想问问家里的情况能申请什么救助")
    asked = []
    for i in range(10):
        question = QUESTIONS[i % len(QUESTIONS)] + f"（第{i + 1}次问）"
        replies = assistant.send(resident, question)
        assert replies[-1]["text"].startswith(f"〔等待人工 · 工单#{ticket}〕"), joined(replies)
        asked.append(question)
    assert_cut(assistant, resident)
    taken = staff(assistant, "take", ticket)
    for question in asked:
        assert question in taken  # before and after the cut
    reply = assistant.texts(resident, "好的，我等电话")
    assert reply.startswith(f"〔人工服务中 · 工单#{ticket}〕已转给工作人员")
    assert any("我等电话" in t for t in outbox_texts(assistant, STAFF))
    staff(assistant, "reply", f"{ticket} 您好，明天上午给您回电")
    assert any("明天上午给您回电" in t for t in outbox_texts(assistant, resident))
    staff(assistant, "done", ticket)
    assert f"工单#{ticket}已办结" in assistant.texts(resident, "还在吗")
    assert len(tickets_of(assistant, resident)) == 1


def test_audit_trail_and_unanswered_report_keep_every_turn(assistant):
    """Every event stays in the database: the unanswered-question report still finds a question asked long
    before the cut, and every policy answer has its audit entry."""
    sender = assistant.new_sender("tg")
    assistant.texts(sender, UNANSWERABLE)
    ask_questions(assistant, sender, 14)
    assert_cut(assistant, sender)
    events = stored_events(assistant, sender)
    user_texts = [e.get("text") for e in events if e.get("event") == "user"]
    assert user_texts[0] == UNANSWERABLE and len(user_texts) == 15  # every message, once
    report = build_report(make_engine(assistant.cluster.settings.tracker_store_url))
    assert any(sender in g.senders and "残疾人两项补贴" in g.example for g in report.groups)
    settings = Settings.from_env({**os.environ, **assistant.env})  # the action server's ID_HASH_KEY
    engine = make_engine(assistant.cluster.settings.database_url)
    try:
        with engine.connect() as conn:
            actions = conn.execute(
                select(AuditEntry.action).where(AuditEntry.user_ref == pseudonym(sender, settings))
            ).scalars().all()
    finally:
        engine.dispose()
    assert len([a for a in actions if a.startswith("policy")]) >= 14, actions  # one per policy answer


def shift_into_the_past(db: Path, sender: str, seconds: float) -> None:
    """Move the sender's conversation ``seconds`` back in time (event timestamps, in the columns and in the JSON,
    and the carried state's), as if the resident had stopped writing then."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, timestamp, data FROM events WHERE sender_id = ?", (sender,)).fetchall()
        for row_id, ts, data in rows:
            event = json.loads(data)
            if event.get("timestamp") is not None:
                event["timestamp"] -= seconds
            conn.execute("UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                         (ts - seconds if ts is not None else None, json.dumps(event), row_id))
        conn.execute(
            f"UPDATE {WINDOW_TABLE} SET session_ts = session_ts - ?, upto_ts = upto_ts - ? WHERE sender_id = ?",
            (seconds, seconds, sender),
        )


def test_session_expiry_still_works_after_the_cut(assistant):
    """The window always holds the latest user message, whose time decides expiry (120 minutes): a long
    session with an open pre-check, three hours of silence, and the next message starts a new session: the
    form is gone, the carried-over slots (the pre-check's answers, given before the cut) stay, and "继续预检"
    names them. (Which step it then asks is the pre-check's resume logic, the same without a cut.)"""
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    for answer in ["户籍在略阳", "火灾", "3天前"]:
        assistant.texts(sender, answer)
    ask_questions(assistant, sender, 10, then_step=(4, 9))
    assert_cut(assistant, sender)
    sessions = sum(e.get("event") == "session_started" for e in stored_events(assistant, sender))
    shift_into_the_past(tracker_db(assistant), sender, 3 * 3600)
    reply = assistant.texts(sender, "你好")
    assert _step(reply) is None  # a greeting, not the form's next question
    events = stored_events(assistant, sender)
    assert sum(e.get("event") == "session_started" for e in events) == sessions + 1
    assert events[-1]["timestamp"] > time.time() - 600  # the new session's events are written now
    reply = assistant.texts(sender, "继续预检")
    assert "已保留您的回答：户籍在略阳、火灾" in reply and _step(reply)
