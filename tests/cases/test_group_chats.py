"""Issue 14 item 2: resident lookups only in private chats. In a group the assistant asks for nothing, looks up
nothing, counts nothing and posts no case data: it points to a private chat."""

from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.cases import ActionCaseLookup, ValidateStatusLookupForm
from bot.cases import replies, service
from bot.cases.demo import demo_rows, load_demo
from bot.cases.staff import add_staff
from bot.db.models import AuditEntry, VerificationAttempt
from bot.db.session import session_scope
from tests.auxil.trackers import make_tracker

GROUP = -1009876543
USER = 6200001
DOMAIN = {"forms": {"status_lookup_form": {"required_slots": ["case_no", "id_last6"]}}, "slots": {}}


def tg(chat: int, user: int) -> str:
    return f"tg-{chat}-{user}"


@pytest.fixture
def demo(db):
    with session_scope() as s:
        load_demo(s, today=date.today())
    return demo_rows(date.today())


def tracker(sender: str, slots=None, metadata=None) -> Tracker:
    return make_tracker(
        "/check_status", "check_status", sender=sender, metadata=metadata, active_loop="status_lookup_form",
        slots={"case_no": None, "id_last6": None, "id_number": None, "town": None, "requested_slot": None,
               **(slots or {})},
    )  # fmt: skip


def _counts() -> tuple[int, int]:
    with session_scope() as s:
        return (
            s.scalar(select(func.count()).select_from(VerificationAttempt)),
            s.scalar(select(func.count()).select_from(AuditEntry)),
        )


def test_a_right_pair_in_a_group_gets_a_pointer_and_no_case_data(demo):
    row = demo[0]
    reply = service.status_reply(tg(GROUP, USER), case_no=row.case_no, id_last6=row.id_last6)
    assert reply.text == replies.private_chat_only() and "私聊" in reply.text
    assert reply.role is None and reply.shown == () and reply.resident_case_no is None
    assert row.case_no not in reply.text and row.status not in reply.text
    assert _counts() == (0, 0)  # nothing verified, nothing counted, nothing shown
    # the same person in their private chat gets the case
    private = service.status_reply(tg(USER, USER), case_no=row.case_no, id_last6=row.id_last6)
    assert private.role == "resident" and row.case_no in private.text


@pytest.mark.parametrize("kwargs", [{}, {"case_no": "LY2024DB00123"}, {"command": "status", "args": "LY2024DB00123"}])
def test_a_group_is_never_asked_for_a_case_number_or_id_fragment(db, kwargs):
    text = service.status_reply(tg(GROUP, USER), **kwargs).text
    assert text == replies.private_chat_only()
    assert text != replies.ask_case_no() and text != replies.ask_id_last6()


def test_staff_in_a_group_get_the_pointer_too(db):
    with session_scope() as s:
        add_staff(s, "群里经办", "caseworker", ["郭镇"], [f"tg-user:{USER}"])
    reply = service.status_reply(tg(GROUP, USER), command="status", args="张三")
    assert reply.text == replies.private_chat_only() and reply.shown == ()


async def test_the_form_asks_nothing_in_a_group(db):
    form = ValidateStatusLookupForm()
    required = await form.required_slots(["case_no", "id_last6"], CollectingDispatcher(), tracker(tg(GROUP, USER)), DOMAIN)
    assert required == []
    private = await form.required_slots(["case_no", "id_last6"], CollectingDispatcher(), tracker(tg(USER, USER)), DOMAIN)
    assert private == ["case_no", "id_last6"]


def test_the_lookup_action_in_a_group_posts_the_pointer_only(demo):
    row = demo[0]
    d = CollectingDispatcher()
    t = tracker(tg(GROUP, USER), slots={"case_no": row.case_no, "id_last6": row.id_last6},
                metadata={"command": "status", "args": ""})  # fmt: skip
    events = ActionCaseLookup().run(d, t, {})
    assert [m["text"] for m in d.messages] == [replies.private_chat_only()]  # no case, no subscription offer
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["case_no"] is None and slots["id_last6"] is None and slots["notify_offer_case"] is None
