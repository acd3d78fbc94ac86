"""Pre-check actions with a Tracker and CollectingDispatcher built inline (no Rasa server)."""

from __future__ import annotations

import argparse
import re
from datetime import date
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import precheck as act
from bot.db import migrate
from bot.db.session import make_engine, set_engine
from bot.precheck import cli
from bot.precheck.flow import CONTINUE_NOTE, RESTART_BUTTON, RESTART_PAYLOAD, slot_name
from bot.precheck.rules import QUESTION_ORDER
from bot.precheck.store import find_by_reference, purge_expired, save_result
from tests.auxil.trackers import make_tracker

DOMAIN: dict[str, Any] = {
    "slots": {slot_name(k): {"type": "any", "mappings": [{"type": "from_text", "conditions": [
        {"active_loop": "precheck_form", "requested_slot": slot_name(k)}]}]} for k in QUESTION_ORDER},
    "forms": {"precheck_form": {"required_slots": [slot_name(k) for k in QUESTION_ORDER]}},
}  # fmt: skip


def tracker_for_answer(
    slot: str, text: str, slots: dict | None = None, intent: str = "inform", confidence: float = 0.9
) -> Tracker:
    """The tracker the form hands to validate_precheck_form after the user answered question ``slot``."""
    values = {**(slots or {}), "requested_slot": slot, slot: text}
    events = [
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "requested_slot", "value": slot},
        {"event": "action", "name": "precheck_form"},
        {"event": "slot", "name": slot, "value": text},
    ]
    return make_tracker(
        text, intent, sender="test-user", confidence=confidence, slots=values, events=events,
        active_loop="precheck_form", latest_action_name="precheck_form",
    )  # fmt: skip


def plain_tracker(slots: dict, text: str = "", intent: str = "affirm") -> Tracker:
    return make_tracker(text, intent, sender="test-user", slots=slots)


async def validate(tracker: Tracker) -> tuple[dict[str, Any], list[dict], list[str]]:
    dispatcher = CollectingDispatcher()
    events = await act.ValidatePrecheckForm().run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    if "requested_slot" not in slots and not any(e["event"] == "action_execution_rejected" for e in events):
        # the SDK leaves the choice to Rasa when every domain slot is still required: the first empty one
        values = {**tracker.slots, **slots}
        slots["requested_slot"] = next((s for s in DOMAIN["forms"]["precheck_form"]["required_slots"] if values.get(s) is None), None)
    return slots, events, [m.get("text") or "" for m in dispatcher.messages]


FULL = {
    "pc_residency": "local_hukou",
    "pc_event": "fire",
    "pc_date": "2026-11-20",
    "pc_status": "none",
    "pc_household_size": "3",
    "pc_compensation": "0",
    "pc_loss": "50000",
    "pc_savings": {"low": "0", "high": "10000"},
    "pc_town": "接官亭镇",
}


async def test_an_answer_fills_its_slot_and_the_next_question_is_requested():
    slots, _, messages = await validate(tracker_for_answer("pc_income", "两千五", {"pc_residency": "local_hukou"}))
    assert slots["pc_income"] == {"yuan": "2500", "period": "month"}
    assert slots["requested_slot"] == "pc_event"  # the first question still open
    assert messages == ["好的，记下了：全家每月约2,500元。"]


async def test_a_button_answer_is_not_echoed():
    slots, _, messages = await validate(tracker_for_answer("pc_residency", "户籍在略阳"))
    assert slots["pc_residency"] == "local_hukou" and messages == []


async def test_non_local_skips_to_the_relevant_questions():
    done = {"pc_residency": "nonlocal", "pc_event": "fire"}
    slots, _, _ = await validate(tracker_for_answer("pc_date", "昨天", done))
    assert slots["requested_slot"] == "pc_town"


async def test_emergency_skips_income_and_last_answer_ends_the_form():
    slots, _, _ = await validate(tracker_for_answer("pc_town", "接官亭", {k: v for k, v in FULL.items() if k != "pc_town"}))
    assert slots["pc_town"] == "接官亭镇"
    assert slots["requested_slot"] is None  # income is not asked for 急难型: the form is complete


async def test_unclear_answer_is_asked_again_once_then_recorded_as_unknown():
    slots, _, messages = await validate(tracker_for_answer("pc_income", "嗯嗯"))
    assert slots["pc_income"] is None and slots["pc_reask"] == "pc_income".removeprefix("pc_")
    assert "每月两千五" in messages[0]
    slots, _, messages = await validate(tracker_for_answer("pc_income", "嗯嗯", {"pc_reask": "income"}))
    assert slots["pc_income"] == "unknown" and slots["pc_reask"] is None
    assert "不清楚" in messages[0]


async def test_unknown_answer():
    slots, _, messages = await validate(tracker_for_answer("pc_savings", "不方便说"))
    assert slots["pc_savings"] == "unknown"
    assert "不清楚" in messages[0]


async def test_correction_updates_the_earlier_slot_and_stays_on_the_current_step():
    before = {"pc_residency": "local_hukou", "pc_event": "medical_spending", "pc_date": "2026-11-01",
              "pc_status": "none", "pc_household_size": "3", "pc_income": {"yuan": "2000", "period": "month"}}  # fmt: skip
    slots, _, messages = await validate(tracker_for_answer("pc_compensation", "收入说错了，是三千", before))
    assert slots["pc_income"] == {"yuan": "3000", "period": "month"}
    assert slots["pc_compensation"] is None
    assert slots["requested_slot"] == "pc_compensation"
    assert "已把“家庭收入”改为" in messages[0]


async def test_correction_without_value_goes_back_to_that_question():
    before = {"pc_residency": "local_hukou", "pc_event": "medical_spending", "pc_date": "2026-11-01",
              "pc_status": "none", "pc_household_size": "3", "pc_income": {"yuan": "2000", "period": "month"}}  # fmt: skip
    slots, _, _ = await validate(tracker_for_answer("pc_compensation", "收入说错了", before))
    assert slots["pc_income"] is None
    assert slots["requested_slot"] == "pc_income"


async def test_cancel_ends_the_form():
    slots, _, _ = await validate(tracker_for_answer("pc_loss", "不测了", {"pc_residency": "local_hukou"}))
    assert slots["pc_cancelled"] is True
    assert slots["requested_slot"] is None


async def test_policy_question_rejects_the_form_so_the_policy_rule_answers():
    slots, events, messages = await validate(
        tracker_for_answer("pc_income", "你们这里低保标准是多少", intent="ask_dibao_standard")
    )
    assert {"event": "action_execution_rejected", "name": "precheck_form"}.items() <= events[-1].items()
    assert slots == {"pc_income": None}
    assert messages == []


async def test_resuming_after_the_policy_answer_does_not_reject_again():
    """Back from action_answer_policy there is no new slot candidate: the form asks the same step again."""
    tracker = tracker_for_answer("pc_income", "低保标准是多少", intent="ask_dibao_standard")
    tracker.events.pop()  # no slot candidate after the form's ActionExecuted
    tracker.slots["pc_income"] = None
    slots, events, _ = await validate(tracker)
    assert all(e["event"] != "action_execution_rejected" for e in events)
    assert slots["requested_slot"] == "pc_residency"


async def test_required_slots_follow_the_answers():
    action = act.ValidatePrecheckForm()
    dispatcher = CollectingDispatcher()
    required = await action.required_slots([], dispatcher, plain_tracker({"pc_status": "dibao"}), DOMAIN)
    assert "pc_income" not in required and "pc_savings" not in required
    assert await action.required_slots([], dispatcher, plain_tracker({"pc_cancelled": True}), DOMAIN) == []


def test_ask_action_shows_progress_and_buttons():
    dispatcher = CollectingDispatcher()
    act.AskSavings().run(dispatcher, plain_tracker({"pc_event": "fire"}), DOMAIN)
    message = dispatcher.messages[0]
    assert message["text"].startswith("（第 8/9 步）")  # income is skipped for 急难型
    assert [b["payload"] for b in message["buttons"]][:2] == ["没有或1万以下", "1万到3万"]
    assert act.AskTown().name() == "action_ask_pc_town"


def test_result_action_shows_criteria_and_offers_to_save():
    dispatcher = CollectingDispatcher()
    events = act.ActionPrecheckResult().run(dispatcher, plain_tracker(FULL), DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert "总体：可能符合" in text and "第四十七条" in text and "接官亭镇人民政府" in text
    assert "估算金额：" not in text  # the county's temporary-relief figures are not verified
    offer = dispatcher.messages[1]
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/request_human", "/deny"]
    summary = next(e["value"] for e in events if e["name"] == "pc_result")
    assert summary["overall"] == "likely" and summary["town"] == "接官亭镇"
    assert summary["outcomes"]["burden"] == "met"


def test_cancelled_pre_check_says_so_and_forgets_the_answers():
    dispatcher = CollectingDispatcher()
    events = act.ActionPrecheckResult().run(dispatcher, plain_tracker({**FULL, "pc_cancelled": True}), DOMAIN)
    assert dispatcher.messages[0]["text"] == act.CANCELLED
    assert {e["name"]: e["value"] for e in events}["pc_town"] is None


@pytest.fixture()
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cases.db'}")
    migrate.upgrade(engine, "0002_precheck")
    set_engine(engine)
    yield engine
    set_engine(None)


def test_save_with_consent_gives_a_reference_number(db):
    dispatcher = CollectingDispatcher()
    result = act.ActionPrecheckResult().run(dispatcher, plain_tracker(FULL), DOMAIN)
    summary = next(e["value"] for e in result if e["name"] == "pc_result")
    dispatcher = CollectingDispatcher()
    events = act.ActionPrecheckSave().run(dispatcher, plain_tracker({**FULL, "pc_result": summary}), DOMAIN)
    reference = next(e["value"] for e in events if e["name"] == "pc_reference")
    assert re.fullmatch(r"YJ\d{6}-[2-9A-HJ-NP-Z]{4}", reference)
    assert reference in dispatcher.messages[0]["text"]
    record = find_by_reference(reference.lower())
    assert record.overall == "likely" and record.town == "接官亭镇" and record.sender_id == "test-user"
    assert record.answers["loss"] == "50000"
    assert record.outcomes["event"] == "met"
    assert record.data_version == summary["data_version"] and record.rules_version == "precheck-rules-1"
    assert purge_expired(30) == 0 and find_by_reference(reference) is not None


def test_save_without_a_result_does_not_store_anything(db):
    dispatcher = CollectingDispatcher()
    assert act.ActionPrecheckSave().run(dispatcher, plain_tracker({}), DOMAIN) == []
    assert "没有可以保存" in dispatcher.messages[0]["text"]


def test_save_when_the_database_is_down_says_so(tmp_path):
    set_engine(make_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}"))  # no tables: the insert fails
    try:
        dispatcher = CollectingDispatcher()
        events = act.ActionPrecheckSave().run(dispatcher, plain_tracker({"pc_result": {"overall": "check"}}), DOMAIN)
    finally:
        set_engine(None)
    assert events == []
    assert "没有保存成功" in dispatcher.messages[0]["text"]


def test_decline_and_callback():
    dispatcher = CollectingDispatcher()
    events = act.ActionPrecheckDecline().run(dispatcher, plain_tracker(FULL), DOMAIN)
    assert "不保存" in dispatcher.messages[0]["text"] and all(e["value"] is None for e in events)
    dispatcher = CollectingDispatcher()
    events = act.ActionPrecheckCallback().run(dispatcher, plain_tracker({}), DOMAIN)
    assert events[-1] == FollowupAction("handoff_request_form")  # issue 7: the call-back request form


@pytest.mark.parametrize("text", [RESTART_PAYLOAD, "重新预检"])
async def test_start_over_in_the_middle_starts_over(text):
    slots, _, messages = await validate(
        tracker_for_answer("pc_loss", text, {"pc_residency": "local_hukou", "pc_event": "fire"}, intent="start_precheck")
    )
    assert slots["pc_residency"] is None and slots["pc_event"] is None
    assert slots["requested_slot"] == "pc_residency"
    assert messages == ["好的，我们从头开始。"]


@pytest.mark.parametrize("text", ["/start_precheck", "继续预检"])
async def test_continue_in_the_middle_keeps_the_answers(text):
    # issue 16: the resume button (/start_precheck) or "继续预检" while the form is open: the same step
    slots, _, messages = await validate(
        tracker_for_answer("pc_loss", text, {"pc_residency": "local_hukou", "pc_event": "fire"}, intent="start_precheck")
    )
    assert "pc_residency" not in slots and slots["pc_loss"] is None
    assert messages == [CONTINUE_NOTE]


def test_start_continues_an_interrupted_precheck_and_restart_is_a_separate_choice():
    kept = {"pc_residency": "local_hukou", "pc_event": "fire", "pc_date": "2026-11-20"}
    d = CollectingDispatcher()
    events = act.ActionPrecheckStart().run(d, make_tracker("继续预检", "start_precheck", slots=kept), DOMAIN)
    assert "接着上次的预检" in d.messages[0]["text"] and "户籍在略阳、火灾、2026年11月20日" in d.messages[0]["text"]
    assert d.messages[0]["buttons"] == [RESTART_BUTTON]
    assert not any(e["name"].startswith("pc_") and e["name"] != "pc_reask" for e in events)  # answers kept
    d2 = CollectingDispatcher()
    events = act.ActionPrecheckStart().run(d2, make_tracker(RESTART_PAYLOAD, "start_precheck", slots=kept), DOMAIN)
    assert "不是审批结果" in d2.messages[0]["text"] and all(e["value"] is None for e in events)
    # a finished pre-check (result shown) or a stopped one starts afresh
    d3 = CollectingDispatcher()
    act.ActionPrecheckStart().run(d3, make_tracker("预审", "start_precheck", slots={**kept, "pc_result": {"overall": "likely"}}), DOMAIN)
    assert "不是审批结果" in d3.messages[0]["text"]


def test_staff_can_show_a_saved_result_by_reference(db, capsys):
    summary = {"overall": "check", "reason": "有1项需要乡镇进一步核实：“发生时间”。", "category": "emergency",
               "outcomes": {"residency": "met", "timing": "needs_checking"}, "rules_version": "r", "data_version": "d",
               "town": "郭镇"}  # fmt: skip
    ref = save_result(sender_id="tg-1-1", answers={"event": "fire", "household_size": "3"}, summary=summary,
                      today=date(2026, 11, 28))  # fmt: skip
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["precheck", "show", ref])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert ref in out and "需要进一步核实" in out and "发生时间：需要核实" in out and "火灾" in out and "3口人" in out
    args = parser.parse_args(["precheck", "show", "YJ000000-AAAA"])
    assert args.func(args) == 1


def test_the_action_server_can_register_every_precheck_action():
    executor = ActionExecutor()
    executor.register_package("actions.precheck")
    names = set(executor.actions)
    assert {"validate_precheck_form", "action_precheck_result", "action_ask_pc_residency", "action_ask_pc_town"} <= names
