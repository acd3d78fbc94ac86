"""Personal data at rest in Rasa's tracker store (issue 14, item 6), end to end over the real REST channel.

A resident looks up a case with the last six first (``/status`` arguments) and the case number on the next turn,
then the pair in one line, and asks for a callback with a full ID number and a phone in the topic and a callback
number; the test then reads the tracker database file as someone who got hold of it would. The dialogue still works: the lookup on the later
turn and the ticket's callback number use the values sealed in the store.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cases.demo import demo_rows
from bot.cases.lookup import china_today
from bot.db.models import HandoffTicket
from bot.db.session import make_engine

pytestmark = pytest.mark.rasa

ID_NUMBER = "11010519491231002X"  # a valid example number (GB 11643 check digit), not in the demo data
PHONE = "13812345678"
CALLBACK_PHONE = "13987654321"


def _strings(value, key: str = ""):
    """Every text in a stored event (not numbers such as timestamps, not Rasa's random message ids)."""
    if isinstance(value, str) and key != "message_id":
        yield value
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from _strings(item, k)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)


def tracker_database_texts(assistant) -> list[str]:
    url = assistant.cluster.settings.tracker_store_url
    path = Path(url.split(":///", 1)[1])
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT sender_id, type_name, intent_name, action_name, data FROM events").fetchall()
    texts = []
    for *columns, data in rows:
        texts.extend(str(c) for c in columns if c is not None)
        texts.extend(_strings(json.loads(data)))  # decoded: non-ASCII text is stored as escapes
    return texts


def found(secret: str, texts: list[str]) -> list[str]:
    """The texts that contain ``secret`` as a token of its own (not inside a longer run of letters/digits)."""
    pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])")
    return [t for t in texts if pattern.search(t)]


def ticket_phone(assistant, sender: str) -> str | None:
    engine = make_engine(assistant.cluster.settings.database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(
                select(HandoffTicket.phone).where(HandoffTicket.sender_id == sender).order_by(HandoffTicket.id)
            )
    finally:
        engine.dispose()


def test_the_tracker_database_holds_no_id_number_phone_or_lookup_pair(assistant):
    row = next(r for r in demo_rows(china_today()) if r.status not in ("已发放", "未通过"))
    n = str(uuid.uuid4().int)[:9]
    sender = f"tg-{n}-{n}"

    # the last six first (in the /status arguments), the case number on the next turn
    asked = assistant.texts(sender, "/check_status", {"command": "status", "args": row.id_last6, "channel": "telegram"})
    assert "案件编号" in asked
    answer = assistant.texts(sender, row.case_no)
    assert "查到了您的申请" in answer  # the sealed last six was used on the later turn
    if "提醒" in answer:
        assistant.texts(sender, "/deny")  # no status notifications
    # the pair typed in one line
    assert "查到了您的申请" in assistant.texts(sender, f"{row.case_no} {row.id_last6}")
    if "提醒" in answer:
        assistant.texts(sender, "/deny")

    # a callback request whose topic carries a full ID number and a phone; the callback phone is given one turn
    # before the ticket is written
    assert "想咨询" in assistant.texts(sender, "/request_human")
    assistant.texts(sender, f"我的身份证号是{ID_NUMBER}，电话{PHONE}，想问临时救助怎么申请")
    assistant.texts(sender, f"打{CALLBACK_PHONE}")
    created = assistant.texts(sender, "上午")
    assert "工单号：#" in created
    assert ticket_phone(assistant, sender) == CALLBACK_PHONE  # staff can call back
    assistant.texts(sender, "/cancel")

    stored = tracker_database_texts(assistant)
    assert found(sender, stored) and found(row.case_no, stored)  # the conversation is there
    for secret in (ID_NUMBER, PHONE, CALLBACK_PHONE, row.id_last6):
        assert not found(secret, stored), f"{secret} is in the tracker database"
    assert not any(ID_NUMBER[-12:] in t or PHONE[3:] in t or CALLBACK_PHONE[3:] in t for t in stored)
    assert any(t.startswith("sealed:v1:") for t in stored)
