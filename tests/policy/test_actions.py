"""actions/policy.py, tested like rasa-sdk's own tests: a Tracker and a CollectingDispatcher built inline."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.policy import ActionAnswerPolicy, ActionScriptCommand
from bot.errors import DataFileError
from bot.settings import get_settings
from tests.auxil.trackers import make_tracker
from tests.staff_records import ensure_staff


def tracker(
    text: str,
    intent: str,
    *,
    entities: list[dict] | None = None,
    slots: dict | None = None,
    metadata: dict | None = None,
    sender: str = "term-alice",
) -> Tracker:
    return make_tracker(text, intent, sender=sender, confidence=0.99, entities=entities, slots=slots, metadata=metadata)


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return dispatcher.messages, events


@pytest.fixture(autouse=True)
def _staff_ids(monkeypatch):
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", "42")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def terminal_staff():
    """Staff records bound to the terminal sessions "staff" and "staff-li" (terminal senders are staff only
    through a record)."""
    ensure_staff("term:staff")
    ensure_staff("term:staff-li")


def test_answers_the_intent_and_remembers_the_topic():
    messages, events = run(ActionAnswerPolicy(), tracker("低保多久能批下来", "ask_dibao_apply"))
    assert len(messages) == 1
    assert "30个工作日" in messages[0]["text"]
    assert {"title": "详细说明", "payload": '/ask_dibao_apply{"detail": "dibao_timeline"}'} in messages[0][
        "buttons"
    ]
    assert SlotSet("policy_topic", "dibao_timeline") in events
    assert SlotSet("policy_family", "timeline") in events
    assert SlotSet("policy_programme", "低保") in events


def test_followup_for_another_programme():
    slots = {"policy_topic": "dibao_timeline", "policy_family": "timeline", "policy_programme": "低保"}
    entities = [{"entity": "programme", "value": "特困供养", "start": 1, "end": 3}]
    messages, events = run(
        ActionAnswerPolicy(), tracker("那特困呢?", "ask_tekun", entities=entities, slots=slots)
    )
    assert "15个工作日内调查核实" in messages[0]["text"]
    assert SlotSet("policy_topic", "tekun_apply") in events


def test_followup_on_inform_with_a_misspelled_programme():
    slots = {"policy_family": "eligibility", "policy_programme": "低保"}
    messages, _ = run(ActionAnswerPolicy(), tracker("那特因呢", "inform", slots=slots))
    assert "60周岁以上" in messages[0]["text"]


def test_new_question_is_not_taken_for_a_followup():
    slots = {"policy_family": "standard", "policy_programme": "低保"}
    entities = [{"entity": "programme", "value": "特困供养"}]
    messages, events = run(
        ActionAnswerPolicy(), tracker("特困怎么申请呢", "ask_tekun", entities=entities, slots=slots)
    )
    assert SlotSet("policy_topic", "tekun_apply") in events


def test_detail_button_payload():
    text = '/ask_dibao_eligibility{"detail": "dibao_property"}'
    messages, events = run(ActionAnswerPolicy(), tracker(text, "ask_dibao_eligibility"))
    assert "县民政局可以依法查询" in messages[0]["text"]  # the detail part
    assert not any(b["title"] == "详细说明" for b in messages[0]["buttons"])


def test_related_topic_button_payload():
    messages, events = run(ActionAnswerPolicy(), tracker('/ask_tekun{"topic": "tekun_care"}', "ask_tekun"))
    assert "6项指标" in messages[0]["text"]
    assert SlotSet("policy_topic", "tekun_care") in events


def test_materials_after_a_programme_answer_uses_that_programme():
    slots = {"policy_topic": "tekun", "policy_family": "eligibility", "policy_programme": "特困供养"}
    messages, _ = run(ActionAnswerPolicy(), tracker("要带什么材料", "ask_materials", slots=slots))
    assert "书面声明" in messages[0]["text"]


def test_entities_town_and_amount_are_used():
    entities = [
        {"entity": "amount", "value": "2400", "role": "month"},
        {"entity": "household_size", "value": "3"},
        {"entity": "town", "value": "郭镇"},
    ]
    messages, _ = run(
        ActionAnswerPolicy(),
        tracker("郭镇3口人每月2400能吃低保吗", "ask_dibao_eligibility", entities=entities),
    )
    text = messages[0]["text"]
    assert "人均约每月800元" in text
    assert "郭镇人民政府" in text


def test_contact_uses_the_town_slot():
    messages, _ = run(ActionAnswerPolicy(), tracker("电话多少", "ask_contact", slots={"town": "白水江镇"}))
    assert "白水江镇人民政府" in messages[0]["text"]


def test_contact_outside_lueyang():
    messages, _ = run(ActionAnswerPolicy(), tracker("勉县民政局电话多少", "ask_contact"))
    assert "勉县不属于略阳县" in messages[0]["text"]


def test_staff_get_the_script_automatically():
    messages, _ = run(ActionAnswerPolicy(), tracker("边缘家庭是什么", "ask_edge_family", sender="tg-42-42"))
    assert "【热线话术】" in messages[0]["text"]
    assert "内部提示" in messages[0]["text"]
    for sender in ("tg-7-7", "tg-100-42"):  # a resident; the same staff member in a group chat
        resident, _ = run(ActionAnswerPolicy(), tracker("边缘家庭是什么", "ask_edge_family", sender=sender))
        assert "内部提示" not in resident[0]["text"] and "热线话术" not in resident[0]["text"]


def test_terminal_staff_mode(terminal_staff):
    messages, _ = run(ActionAnswerPolicy(), tracker("特困条件", "ask_tekun", sender="term-staff-li"))
    assert "【热线话术】" in messages[0]["text"]


def test_script_command_from_metadata():
    t = tracker("/inform", "inform", metadata={"command": "script", "args": "边缘"}, sender="tg-42-42")
    messages, events = run(ActionScriptCommand(), t)
    assert "【热线话术】低保边缘家庭" in messages[0]["text"]
    assert SlotSet("policy_topic", "edge_family") in events


def test_script_command_routed_through_the_answer_action(terminal_staff):
    t = tracker("/inform", "inform", metadata={"command": "script", "args": "材料"}, sender="term-staff")
    messages, _ = run(ActionAnswerPolicy(), t)
    assert "【热线话术】申请要带什么材料" in messages[0]["text"]


def test_script_command_for_a_resident_gives_the_resident_answer():
    t = tracker("/inform", "inform", metadata={"command": "script", "args": "边缘"}, sender="tg-5-7")
    messages, _ = run(ActionScriptCommand(), t)
    text = messages[0]["text"]
    assert "仅供工作人员使用" in text
    assert "内部提示" not in text and "热线话术" not in text


def test_script_command_unknown_keyword():
    t = tracker("/inform", "inform", metadata={"command": "script", "args": "火车票"}, sender="tg-42-42")
    messages, events = run(ActionScriptCommand(), t)
    assert "没有找到" in messages[0]["text"]
    assert messages[0]["buttons"]
    assert events == []


def test_raw_script_text_is_understood(terminal_staff):
    messages, _ = run(ActionAnswerPolicy(), tracker("/script 临救", "ask_temp_relief", sender="term-staff"))
    assert "【热线话术】临时救助" in messages[0]["text"]


def test_non_policy_intent_gets_the_menu():
    messages, events = run(ActionAnswerPolicy(), tracker("嗯", "affirm"))
    assert "我可以解答这些问题" in messages[0]["text"]
    assert events == []


def test_data_error_becomes_a_polite_message(monkeypatch):
    def broken(*args, **kwargs):
        raise DataFileError("topics broken")

    monkeypatch.setattr("actions.policy.answer", broken)
    messages, events = run(ActionAnswerPolicy(), tracker("低保条件", "ask_dibao_eligibility"))
    assert messages[0]["text"] == DataFileError.user_message
    assert "topics broken" not in messages[0]["text"]
    assert events == []
