"""Pre-check wiring (issue 7): the call-back request hands over to the handoff form, results are audited, and
crisis wording in an answer gets the emergency reply. Inline Tracker + CollectingDispatcher, real SQLite DB."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import precheck as act
from bot.audit.log import entries
from bot.db.models import HandoffTicket
from bot.db.session import session_scope
from bot.handoff.summary import summarize
from tests.auxil.trackers import make_tracker
from tests.precheck.test_actions import DOMAIN, FULL, plain_tracker, tracker_for_answer, validate


def _tracker(slots: dict, sender: str) -> Tracker:
    return make_tracker("/request_human", "request_human", sender=sender, slots=slots)


def test_callback_after_the_result_hands_over_with_the_topic_filled():
    dispatcher = CollectingDispatcher()
    events = act.ActionPrecheckCallback().run(
        dispatcher, _tracker({**FULL, "pc_result": {"overall": "likely", "category": "emergency"}}, "tg-7-7"), DOMAIN
    )
    assert events == [
        SlotSet("handoff_topic", f"{act.CALLBACK_TOPIC}（急难型，可能符合）"),
        FollowupAction("handoff_request_form"),
    ]
    assert dispatcher.messages[0]["text"] == act.CALLBACK_WITH_RESULT


def test_callback_after_saving_names_the_reference_number_and_the_saved_outcome(db):
    result = act.ActionPrecheckResult().run(CollectingDispatcher(), plain_tracker(FULL), DOMAIN)
    summary = next(e["value"] for e in result if e["name"] == "pc_result")
    saved = act.ActionPrecheckSave().run(CollectingDispatcher(), plain_tracker({**FULL, "pc_result": summary}), DOMAIN)
    reference = next(e["value"] for e in saved if e["name"] == "pc_reference")

    dispatcher = CollectingDispatcher()
    slots = {"pc_result": None, "pc_reference": reference}  # saving cleared the answers and the result
    events = act.ActionPrecheckCallback().run(dispatcher, _tracker(slots, "tg-7-7"), DOMAIN)
    assert events[0] == SlotSet("handoff_topic", f"{act.CALLBACK_TOPIC}（急难型，可能符合）（预检参考编号 {reference}）")
    assert events[1] == FollowupAction("handoff_request_form")
    assert reference in dispatcher.messages[0]["text"]


def test_callback_with_an_unknown_reference_still_hands_over(db):
    slots = {"pc_result": None, "pc_reference": "YJ261128-7KQ3"}
    events = act.ActionPrecheckCallback().run(CollectingDispatcher(), _tracker(slots, "tg-7-7"), DOMAIN)
    assert events == [
        SlotSet("handoff_topic", f"{act.CALLBACK_TOPIC}（预检参考编号 YJ261128-7KQ3）"),
        FollowupAction("handoff_request_form"),
    ]


def test_result_note_tolerates_odd_summaries():
    assert act.result_note({"overall": "check", "category": None}) == "（需要进一步核实）"
    assert act.result_note({"overall": "?"}) == "" and act.result_note("x") == ""


def _audit(sender: str):
    with session_scope() as s:
        return entries(s, sender_id=sender)


def test_result_and_save_are_audited(db):
    dispatcher = CollectingDispatcher()
    events = act.ActionPrecheckResult().run(dispatcher, plain_tracker(FULL), DOMAIN)
    [entry] = _audit("test-user")
    assert (entry.action, entry.topic, entry.intent) == ("precheck_result", act.AUDIT_TOPIC, "affirm")
    assert "可能符合" in entry.detail and "burden=met" in entry.detail and "rules=precheck-rules-1" in entry.detail
    assert entry.params_version  # the county-parameter version in force

    summary = next(e["value"] for e in events if e["name"] == "pc_result")
    events = act.ActionPrecheckSave().run(CollectingDispatcher(), plain_tracker({**FULL, "pc_result": summary}), DOMAIN)
    assert any(e["name"] == "pc_reference" and e["value"] for e in events)
    saved = _audit("test-user")[0]
    assert saved.action == "precheck_saved" and "likely" in saved.detail


async def test_crisis_wording_with_the_emergency_intent_lets_the_emergency_rule_take_over():
    # "家里着火了" would also answer the question (fire): the emergency comes first
    slots, events, messages = await validate(
        tracker_for_answer("pc_event", "救命，家里着火了", intent="report_emergency", confidence=1.0)
    )
    assert any(e["event"] == "action_execution_rejected" for e in events)
    assert ActionExecutionRejected("precheck_form") in events and slots["pc_event"] is None
    assert messages == []  # action_emergency (rule "emergency during the pre-check") replies


async def test_a_past_event_tagged_emergency_is_still_an_answer():
    slots, events, _ = await validate(tracker_for_answer("pc_event", "火灾", intent="report_emergency"))
    assert slots["pc_event"] == "fire" and not any(e["event"] == "action_execution_rejected" for e in events)


@pytest.mark.parametrize(("text", "number"), [("我妈晕倒了叫不醒", "120"), ("房子塌了，人被埋了", "119")])
async def test_crisis_wording_without_the_guard_gets_the_emergency_reply_and_an_urgent_ticket(db, text, number):
    slots, events, messages = await validate(tracker_for_answer("pc_household_size", text, slots={**FULL}))
    assert number in messages[0] and "紧急工单" in messages[0]
    assert slots["pc_cancelled"] is True and slots["requested_slot"] is None
    with session_scope() as s:
        ticket = s.scalar(select(HandoffTicket).where(HandoffTicket.sender_id == "test-user"))
    assert ticket is not None and ticket.kind == "emergency"


def test_ticket_summary_reads_the_precheck_slots_in_words():
    result = act.ActionPrecheckResult().run(CollectingDispatcher(), plain_tracker(FULL), DOMAIN)
    summary_slot = next(e["value"] for e in result if e["name"] == "pc_result")
    text = summarize([], {**FULL, "pc_result": summary_slot, "pc_reask": "income", "pc_cancelled": False})
    assert "户籍=户籍在略阳" in text and "遇到的情况=" in text and "家庭人数=3口人" in text
    assert "预审结果：可能符合急难型临时救助" in text
    assert "local_hukou" not in text and "reask" not in text and "{" not in text
