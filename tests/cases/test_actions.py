from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cases import ActionCaseLookup, ActionInformCommand, ValidateStatusLookupForm
from bot.cases.demo import demo_rows, load_demo
from bot.cases.staff import add_staff, create_bind_code
from bot.conversation.attachments import NON_TEXT
from bot.db.session import session_scope
from bot.frontends import texts as frontend_texts
from tests.auxil.trackers import make_tracker

DOMAIN = {"forms": {"status_lookup_form": {"required_slots": ["case_no", "id_last6"]}}, "slots": {}}


def tracker(sender="tg-100-100", text="", slots=None, metadata=None, intent="check_status", entities=None):
    return make_tracker(
        text, intent, sender=sender, entities=entities, metadata=metadata, active_loop="status_lookup_form",
        slots={"case_no": None, "id_last6": None, "id_number": None, "town": None, "requested_slot": None,
               **(slots or {})},
    )  # fmt: skip


@pytest.fixture
def demo(db):
    with session_scope() as s:
        load_demo(s, today=date.today())
    return demo_rows(date.today())


async def test_resident_form_requires_both_slots_staff_and_mycases_none(demo):
    form = ValidateStatusLookupForm()
    d = CollectingDispatcher()
    assert await form.required_slots(["case_no", "id_last6"], d, tracker(), DOMAIN) == ["case_no", "id_last6"]
    assert await form.required_slots(["case_no", "id_last6"], d, tracker("term-staff"), DOMAIN) == []
    mycases = tracker(metadata={"command": "mycases"})
    assert await form.required_slots(["case_no", "id_last6"], d, mycases, DOMAIN) == []


async def test_form_fills_both_from_status_args_and_ends(demo):
    row = demo[0]
    t = tracker(text="/check_status", metadata={"command": "status", "args": f"{row.case_no} {row.id_last6}"})
    events = await ValidateStatusLookupForm().run(CollectingDispatcher(), t, DOMAIN)
    sets = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert sets["case_no"] == row.case_no and sets["id_last6"] == row.id_last6
    # residents: Rasa's form asks for what is missing (nothing here), the action does not end the form itself
    assert "requested_slot" not in sets


async def test_form_derives_last6_from_a_full_id_number(demo):
    t = tracker(text="x", slots={"case_no": "LY2025DB00001", "id_number": "61072719900101123X"})
    events = await ValidateStatusLookupForm().run(CollectingDispatcher(), t, DOMAIN)
    assert SlotSet("id_last6", "01123X") in events


async def test_staff_form_ends_at_once(demo):
    events = await ValidateStatusLookupForm().run(
        CollectingDispatcher(), tracker("term-staff", "查案子"), DOMAIN
    )
    assert events == [SlotSet("requested_slot", None)]


async def test_form_takes_last6_first_then_asks_case_no(demo):
    t = tracker(text="后六位是 12345X", slots={"requested_slot": "id_last6"})
    events = await ValidateStatusLookupForm().run(CollectingDispatcher(), t, DOMAIN)
    sets = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert sets["id_last6"] == "12345X" and "case_no" not in sets


def test_invalid_case_no_is_rejected_with_reason():
    d = CollectingDispatcher()
    out = ValidateStatusLookupForm().validate_case_no("LY20", d, tracker(), DOMAIN)
    assert out == {"case_no": None} and "案件编号" in d.messages[0]["text"]


def test_lookup_action_answers_and_clears_identifying_slots(demo):
    row = demo[0]
    d = CollectingDispatcher()
    events = ActionCaseLookup().run(d, tracker(slots={"case_no": row.case_no, "id_last6": row.id_last6}), {})
    assert "查到了您的申请" in d.messages[0]["text"]
    assert events[:3] == [SlotSet("case_no", None), SlotSet("id_last6", None), SlotSet("id_number", None)]
    assert events[3:] == [SlotSet("notify_offer_case", row.case_no)]  # the subscription offer (issue 7)


def test_lookup_action_staff_mycases(demo):
    d = CollectingDispatcher()
    ActionCaseLookup().run(d, tracker("term-staff", "/check_status", metadata={"command": "mycases"}), {})
    assert "未办结" in d.messages[0]["text"]


def test_inform_command_binds_and_routes_case_numbers(db):
    with session_scope() as s:
        code = create_bind_code(s, add_staff(s, "周经办", "caseworker", ["黑河镇"])).code
    d = CollectingDispatcher()
    ActionInformCommand().run(
        d, tracker("tg-55-55", "/inform", metadata={"command": "bind", "args": code}, intent="inform"), {}
    )
    assert "绑定成功" in d.messages[0]["text"]
    d = CollectingDispatcher()
    events = ActionInformCommand().run(d, tracker(slots={"case_no": "LY2025DB00001"}, intent="inform"), {})
    assert events == [FollowupAction("status_lookup_form")]
    d = CollectingDispatcher()
    assert ActionInformCommand().run(d, tracker(intent="inform"), {}) == []
    assert "请问您想办理什么" in d.messages[0]["text"]


def test_inform_that_follows_up_a_policy_answer_goes_to_the_policy_action():
    t = tracker(text="那特困呢", intent="inform", slots={"policy_family": "timeline"},
                entities=[{"entity": "programme", "value": "特困供养", "start": 1, "end": 3}])
    assert ActionInformCommand().run(CollectingDispatcher(), t, {}) == [FollowupAction("action_answer_policy")]


def test_a_photo_outside_the_visit_form_is_answered_politely():
    # the Telegram front end passes a photo on as /inform (issue 17): outside the visit form it cannot be read
    t = tracker("tg-77-77", "/inform", metadata={"command": "photo", "args": "AgACAgUAAxkBAAI"}, intent="inform",
                slots={"case_no": "LY2025DB00001"})
    d = CollectingDispatcher()
    assert ActionInformCommand().run(d, t, {"actions": ["action_visits_command"]}) == []
    assert [m["text"] for m in d.messages] == [NON_TEXT]
    assert NON_TEXT == frontend_texts.NON_TEXT


def test_inform_command_routes_other_areas_commands_by_name():
    d = CollectingDispatcher()
    t = tracker("term-x", "/inform", metadata={"command": "script", "args": "低保"}, intent="inform")
    events = ActionInformCommand().run(d, t, {"actions": ["action_script_command"]})
    assert events == [FollowupAction("action_script_command")] and d.messages == []
