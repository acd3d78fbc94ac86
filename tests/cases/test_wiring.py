"""Status lookup wiring (issue 7): the subscription offer, /status listing subscriptions, and the audit log of
which case was shown to whom (residents and staff). Real database (SQLite and PostgreSQL), inline Tracker."""

from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cases import ASK_CASE_NO, ActionAskCaseNo, ActionCaseLookup
from bot.audit.log import entries
from bot.cases.demo import demo_rows, load_demo
from bot.cli import main as cli_main
from bot.db.session import session_scope
from bot.notifications import service as notify
from bot.staff_access import staff_member
from tests.auxil.trackers import make_tracker

RESIDENT = "tg-5550001-5550001"
STAFF_TOWNS = ("兴州街道", "横现河街道", "接官亭镇")  # the demo staff member "term-staff"


def tracker(sender=RESIDENT, text="", slots=None, metadata=None) -> Tracker:
    return make_tracker(
        text, "check_status", sender=sender, metadata=metadata, latest_action_name="status_lookup_form",
        slots={"case_no": None, "id_last6": None, "id_number": None, "town": None, "notify_offer_case": None,
               **(slots or {})},
    )  # fmt: skip


def lookup(sender, slots=None, metadata=None) -> tuple[list[dict], list[dict]]:
    d = CollectingDispatcher()
    events = ActionCaseLookup().run(d, tracker(sender, "x", slots, metadata), {})
    return d.messages, events


def audit_for(sender) -> list:
    with session_scope() as s:
        return entries(s, sender_id=sender)


@pytest.fixture
def demo(db):
    with session_scope() as s:
        load_demo(s, today=date.today())
    return demo_rows(date.today())


def test_successful_lookup_offers_notifications_and_is_audited(demo):
    row = demo[0]
    messages, events = lookup(RESIDENT, {"case_no": row.case_no, "id_last6": row.id_last6})
    assert "查到了您的申请" in messages[0]["text"]
    assert messages[1]["text"] == notify.offer_text()
    assert [b["payload"] for b in messages[1]["buttons"]] == ["/affirm", "/deny"]
    assert SlotSet("notify_offer_case", row.case_no) in events
    assert SlotSet("case_no", None) in events  # identifying slots still cleared

    [entry] = audit_for(RESIDENT)
    assert (entry.action, entry.role, entry.case_no, entry.staff_id) == ("case_lookup", "resident", row.case_no, None)
    assert entry.user_ref != RESIDENT and entry.params_version  # pseudonymous, with the data version


def test_no_offer_when_already_subscribed_or_not_telegram_or_no_match(demo):
    row = demo[1]
    notify.subscribe_request(RESIDENT, row.case_no)
    messages, events = lookup(RESIDENT, {"case_no": row.case_no, "id_last6": row.id_last6})
    assert len(messages) == 1 and SlotSet("notify_offer_case", None) in events

    messages, events = lookup("term-resident", {"case_no": row.case_no, "id_last6": row.id_last6})
    assert len(messages) == 1 and SlotSet("notify_offer_case", None) in events
    assert [e.case_no for e in audit_for("term-resident")] == [row.case_no]

    wrong = "000000" if row.id_last6 != "000000" else "111111"
    messages, events = lookup("tg-5550009-5550009", {"case_no": row.case_no, "id_last6": wrong})
    assert len(messages) == 1 and "查到了" not in messages[0]["text"]
    assert SlotSet("notify_offer_case", None) in events
    assert audit_for("tg-5550009-5550009") == []  # nothing shown, nothing recorded


def test_bare_status_lists_subscriptions_before_the_first_question(demo):
    row = demo[2]
    bare = {"command": "status", "args": ""}
    d = CollectingDispatcher()
    ActionAskCaseNo().run(d, tracker(RESIDENT, "/check_status", metadata=bare), {})
    assert d.messages[0]["text"] == ASK_CASE_NO  # no subscriptions yet: just the question

    notify.subscribe_request(RESIDENT, row.case_no)
    d = CollectingDispatcher()
    ActionAskCaseNo().run(d, tracker(RESIDENT, "/check_status", metadata=bare), {})
    text = d.messages[0]["text"]
    assert "您订阅了以下申请的进度提醒" in text and row.case_no in text and text.endswith(ASK_CASE_NO)

    d = CollectingDispatcher()  # /status with arguments: no listing
    ActionAskCaseNo().run(d, tracker(RESIDENT, "/check_status", metadata={"command": "status", "args": "123456"}), {})
    assert d.messages[0]["text"] == ASK_CASE_NO


def test_staff_lookups_are_audited_with_the_staff_id(demo):
    inside = next(r for r in demo if r.town in STAFF_TOWNS)
    outside = next(r for r in demo if r.town not in STAFF_TOWNS)
    with session_scope() as s:
        staff_id = staff_member(s, "term-staff").id

    messages, events = lookup("term-staff", metadata={"command": "status", "args": inside.case_no})
    assert inside.case_no in messages[0]["text"] and len(messages) == 1  # staff get no subscription offer
    lookup("term-staff", metadata={"command": "status", "args": outside.case_no})
    mine, _ = lookup("term-staff", metadata={"command": "mycases"})

    rows = list(reversed(audit_for("term-staff")))
    assert all(e.role == "staff" and e.staff_id == staff_id for e in rows)
    assert (rows[0].action, rows[0].case_no) == ("staff_case_lookup", inside.case_no)
    assert (rows[1].action, rows[1].case_no) == ("staff_case_lookup", None)  # refused: no case shown
    listed = [e.case_no for e in rows[2:]]
    assert all(e.action == "staff_mycases" for e in rows[2:])
    assert listed and all(number in mine[0]["text"] for number in listed)


def test_cli_case_show_is_audited(demo, capsys):
    row = demo[3]
    assert cli_main(["cases", "show", row.case_no]) == 0
    assert row.case_no in capsys.readouterr().out
    [entry] = audit_for("cli")
    assert (entry.action, entry.case_no, entry.role) == ("cli_case_show", row.case_no, "staff")
