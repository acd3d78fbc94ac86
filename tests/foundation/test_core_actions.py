"""The fallback action and the reply to a photo inside a form, tested like rasa-sdk's own tests: Tracker +
CollectingDispatcher built inline."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cases import ValidateStatusLookupForm
from actions.core import ActionDefaultFallback, photo_in_form
from actions.handoff import ValidateHandoffRequestForm
from actions.monitoring import ValidateCheckForm
from actions.precheck import ValidatePrecheckForm
from bot.conversation.attachments import NON_TEXT
from tests.auxil.trackers import make_tracker


def _tracker(text: str, intent: str = "nlu_fallback") -> Tracker:
    return make_tracker(text, intent, sender="term-test", confidence=0.2)


def test_fallback_offers_the_menu_and_reverts_the_turn():
    dispatcher = CollectingDispatcher()
    events = ActionDefaultFallback().run(dispatcher, _tracker("阿巴阿巴"), {})
    assert events == [{"event": "rewind", "timestamp": None}]
    [message] = dispatcher.messages
    assert "没太看懂" in message["text"]
    assert {b["payload"] for b in message["buttons"]} >= {"/start_precheck", "/check_status"}


def test_fallback_explains_unreadable_input():
    dispatcher = CollectingDispatcher()
    ActionDefaultFallback().run(dispatcher, _tracker("hello how are you"), {})
    assert "中文" in dispatcher.messages[0]["text"]


# -- a photo for the visit form arriving while another form asks (issue 17) ----------------------------------------
PHOTO = {"command": "photo", "args": "AgAC-file"}
FORMS = [
    (ValidatePrecheckForm, "precheck_form", "pc_residency"),
    (ValidateStatusLookupForm, "status_lookup_form", "case_no"),
    (ValidateHandoffRequestForm, "handoff_request_form", "handoff_topic"),
    (ValidateCheckForm, "check_form", "check_task"),
]


@pytest.mark.parametrize(("action", "form", "slot"), FORMS, ids=[f for _, f, _ in FORMS])
async def test_a_photo_in_another_form_gets_the_non_text_reply_and_the_same_question(action, form, slot):
    tracker = make_tracker("/inform", sender="tg-9-9", metadata=PHOTO, active_loop=form, latest_action_name=form,
                           slots={"requested_slot": slot, slot: "/inform"})
    dispatcher = CollectingDispatcher()
    events = await action().run(dispatcher, tracker, {"slots": {}, "forms": {form: {"required_slots": [slot]}}})
    assert events == [SlotSet(slot, None)]
    assert [m["text"] for m in dispatcher.messages] == [NON_TEXT]


def test_photo_in_form_leaves_other_messages_alone():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("/inform", metadata={"command": "bind", "args": "AB12CD"}, slots={"requested_slot": "x"})
    assert photo_in_form(dispatcher, tracker) is None and dispatcher.messages == []
    assert photo_in_form(dispatcher, make_tracker("/inform", metadata=PHOTO)) == []  # no question open
    assert [m["text"] for m in dispatcher.messages] == [NON_TEXT]
