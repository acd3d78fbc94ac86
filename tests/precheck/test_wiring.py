"""Pre-check wiring (issue 7): the call-back request hands over to the handoff form, results are audited, and
crisis wording in an answer gets the numbers while the form goes on (issue 16). Inline Tracker + CollectingDispatcher, real SQLite DB."""

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
from bot.handoff import service
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


async def test_crisis_wording_in_an_answer_gives_the_numbers_and_keeps_the_form():
    # issue 16: "家里着火了，房子烧了一半" answers the question (fire) AND gets the numbers at once; the form goes on
    slots, events, messages = await validate(
        tracker_for_answer(
            "pc_event", "家里着火了，房子烧了一半", {"pc_residency": "local_hukou"}, intent="report_emergency",
            confidence=1.0,
        )
    )
    assert not any(e["event"] == "action_execution_rejected" for e in events)
    assert slots["pc_event"] == "fire" and slots["pc_crisis"] == "fire"
    assert "119" in messages[0] and len(messages[0].splitlines()) <= 2  # one or two lines, at once
    assert slots["requested_slot"] == "pc_date"  # the next question follows


async def test_a_past_event_tagged_emergency_is_still_an_answer():
    slots, events, _ = await validate(tracker_for_answer("pc_event", "火灾", intent="report_emergency"))
    assert slots["pc_event"] == "fire" and not any(e["event"] == "action_execution_rejected" for e in events)


@pytest.mark.parametrize(("text", "number"), [("我妈晕倒了叫不醒", "120"), ("房子塌了，人被埋了", "119")])
async def test_crisis_wording_that_does_not_answer_gets_the_numbers_and_the_same_step(db, text, number):
    slots, events, messages = await validate(tracker_for_answer("pc_household_size", text, slots={**FULL}))
    assert number in messages[0] and "紧急工单" not in messages[0]
    assert len(messages) == 1  # no "没看懂": the same question follows without counting as unclear
    assert slots["pc_household_size"] is None and slots.get("pc_reask") is None
    with session_scope() as s:  # the ticket is offered, not forced
        assert s.scalar(select(HandoffTicket).where(HandoffTicket.sender_id == "test-user")) is None


@pytest.mark.parametrize(
    ("text", "intent", "crisis"),
    [
        ("/report_emergency", "report_emergency", None),  # the offered button
        ("找人", "request_human", "fire"),  # right after the numbers
        ("帮我报警", "report_emergency", None),
        ("我不想活了", "report_emergency", None),  # self-harm: never just numbers
        ("发洪水了房子被冲了有什么救助", "report_emergency", None),  # a question about help: numbers + answer
    ],
)
async def test_explicit_requests_and_questions_about_help_go_to_the_emergency_action(text, intent, crisis):
    slots, events, messages = await validate(
        tracker_for_answer("pc_date", text, slots={"pc_residency": "local_hukou", "pc_event": "fire",
                                                   "pc_crisis": crisis}, intent=intent)
    )  # fmt: skip
    assert ActionExecutionRejected("precheck_form") in events and slots["pc_date"] is None
    assert messages == []  # action_emergency (rule "emergency during the pre-check") replies


async def test_asking_for_a_person_without_a_crisis_is_still_a_note():
    slots, events, messages = await validate(tracker_for_answer("pc_date", "找人", intent="request_human"))
    assert not any(e["event"] == "action_execution_rejected" for e in events)
    assert "预检做完后" in messages[0]


async def test_activation_keeps_the_answers_of_an_interrupted_precheck():
    kept = {"pc_residency": "local_hukou", "pc_event": "fire"}
    tracker = make_tracker(
        "继续预检", "start_precheck", sender="test-user", slots={**kept, "requested_slot": None},
        events=[{"event": "slot", "name": "pc_residency", "value": "local_hukou"},
                {"event": "slot", "name": "pc_event", "value": "fire"}],
    )  # fmt: skip
    events = await act.ValidatePrecheckForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("requested_slot", "pc_date")]


async def test_answers_are_added_to_an_open_ticket(db):
    tid = service.submit_request(
        "test-user", topic="问低保", phone=None, preferred_time=None, town=None, summary=""
    ).ticket_id
    await validate(tracker_for_answer("pc_household_size", "3口人", slots={**FULL, "handoff_ticket": tid}))
    with session_scope() as s:
        ticket = s.scalar(select(HandoffTicket).where(HandoffTicket.id == tid))
        assert [m.text for m in ticket.messages if m.direction == "resident"] == ["3口人"]


def test_ticket_summary_reads_the_precheck_slots_in_words():
    result = act.ActionPrecheckResult().run(CollectingDispatcher(), plain_tracker(FULL), DOMAIN)
    summary_slot = next(e["value"] for e in result if e["name"] == "pc_result")
    text = summarize([], {**FULL, "pc_result": summary_slot, "pc_reask": "income", "pc_cancelled": False})
    assert "户籍=户籍在略阳" in text and "遇到的情况=" in text and "家庭人数=3口人" in text
    assert "预审结果：可能符合急难型临时救助" in text
    assert "local_hukou" not in text and "reask" not in text and "{" not in text


async def test_a_police_request_the_classifier_missed_still_gets_the_ticket(db):
    slots, events, messages = await validate(
        tracker_for_answer("pc_date", "帮我报警", {"pc_residency": "local_hukou", "pc_event": "fire"}, intent="inform")
    )
    assert not any(e["event"] == "action_execution_rejected" for e in events)
    assert "紧急工单" in messages[0] and slots["pc_date"] is None and slots["pc_crisis"] == "general"
