"""The one staff check (``bot.staff_access``) and everything that asks it: the hotline scripts (policy), case
lookups (/mycases, /status), the ticket queue (handoff). One table of senders; every consumer must agree."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from sqlalchemy import select

from actions.policy import policy_reply
from bot.cases import replies
from bot.cases import service as cases
from bot.cases.staff import add_staff
from bot.db.models import Staff
from bot.db.session import make_engine, session_scope, set_engine
from bot.handoff import service as handoff
from bot.handoff.actors import resolve_staff
from bot.settings import get_settings
from bot.staff_access import StaffMember, is_staff, staff_member
from tests.auxil.trackers import make_tracker

BOUND_UID = 6100001  # bound to an active caseworker record
DEACTIVATED_UID = 6100002  # bound to a deactivated record, and in STAFF_TELEGRAM_IDS
BOOTSTRAP_UID = 6100003  # in STAFF_TELEGRAM_IDS, no staff record at all
RESIDENT_UID = 6100004
GROUP = -1001234567
NOT_STAFF = "这个功能仅供民政工作人员使用"


def tg(chat: int, user: int) -> str:
    return f"tg-{chat}-{user}"


# sender -> (staff member's name or None, bootstrap)
TABLE = {
    tg(BOUND_UID, BOUND_UID): ("王经办", False),
    tg(DEACTIVATED_UID, DEACTIVATED_UID): (None, False),
    tg(BOOTSTRAP_UID, BOOTSTRAP_UID): (f"工作人员{BOOTSTRAP_UID}", True),
    tg(RESIDENT_UID, RESIDENT_UID): (None, False),
    tg(GROUP, BOUND_UID): (None, False),  # the bound caseworker writing in a group
    tg(GROUP, BOOTSTRAP_UID): (None, False),  # the bootstrapped user writing in a group
    "term-staff": ("演示工作人员", False),  # the demo data's binding of the terminal staff view
    "term-desk2": ("柜台二", False),
    "term-staff-x": (None, False),  # looks like the staff view, bound to nobody
    "term-staff2": (None, False),  # issue 14 item 10: any term-staff* name got the hotline scripts
    "term-staffadmin": (None, False),
    tg(GROUP, DEACTIVATED_UID): (None, False),  # deactivated and in STAFF_TELEGRAM_IDS, writing in a group
    "term-alice": (None, False),
    "tg-abc": (None, False),
    "": (None, False),
}


@pytest.fixture
def staff_table(db, monkeypatch):
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", f"{DEACTIVATED_UID},{BOOTSTRAP_UID}")
    get_settings.cache_clear()
    with session_scope() as s:
        add_staff(s, "王经办", "caseworker", ["接官亭镇"], [f"tg-user:{BOUND_UID}"])
        add_staff(s, "演示工作人员", "caseworker", ["兴州街道"], ["term:staff"])
        add_staff(s, "柜台二", "hotline", ["郭镇"], ["term:desk2"])
        gone = add_staff(s, "离职人员", "hotline", ["郭镇"], [f"tg-user:{DEACTIVATED_UID}"])
        gone.active = False
    yield
    get_settings.cache_clear()


def tracker(sender: str) -> Tracker:
    return make_tracker("边缘家庭是什么", "ask_edge_family", sender=sender, confidence=0.99)


@pytest.mark.parametrize("sender", list(TABLE))
def test_one_answer_for_every_consumer(staff_table, sender):
    name, bootstrap = TABLE[sender]
    with session_scope() as s:
        member = staff_member(s, sender)
        actor = resolve_staff(s, sender)
    assert (member.name if member else None) == name
    assert (member.bootstrap if member else False) is bootstrap
    staff = name is not None

    assert is_staff(sender) is staff  # the check the actions call
    assert (policy_reply(tracker(sender)).audience == "staff") is staff  # hotline scripts
    assert (actor is not None) is staff  # ticket actor
    assert (NOT_STAFF not in handoff.staff_command(sender, "queue")) is staff  # /queue
    mycases = cases.status_reply(sender, command="mycases").text  # /mycases
    assert (mycases != replies.not_staff()) is staff


def test_bound_staff_get_their_record_and_scope(staff_table):
    with session_scope() as s:
        member = staff_member(s, tg(BOUND_UID, BOUND_UID))
    assert member == StaffMember("王经办", "caseworker", ("接官亭镇",), member.id) and member.id is not None
    assert member.may_see_town("接官亭镇") and not member.may_see_town("郭镇")


def test_a_bootstrapped_user_is_hotline_staff_without_case_data(staff_table):
    sender = tg(BOOTSTRAP_UID, BOOTSTRAP_UID)
    with session_scope() as s:
        actor = resolve_staff(s, sender)
    assert (actor.role, actor.towns, actor.staff_id) == ("hotline", (), None)
    # staff, so no resident form; but no record, so no cases until an administrator registers them
    reply = cases.status_reply(sender, command="status", args="LY2024DB00123")
    assert reply.text == cases.NO_STAFF_RECORD and reply.role is None and reply.shown == ()
    assert cases.status_reply(sender, command="mycases").text == cases.NO_STAFF_RECORD


def test_deactivation_wins_over_staff_telegram_ids(staff_table):
    sender = tg(DEACTIVATED_UID, DEACTIVATED_UID)
    assert DEACTIVATED_UID in get_settings().staff_telegram_ids
    assert not is_staff(sender)
    # the resident view: /status asks for the case number instead of looking up by name
    assert cases.status_reply(sender, command="status").text == replies.ask_case_no()


def test_deactivating_later_ends_staff_views_at_once(staff_table):
    sender = tg(BOUND_UID, BOUND_UID)
    assert is_staff(sender)
    with session_scope() as s:
        s.scalar(select(Staff).where(Staff.name == "王经办")).active = False
    assert not is_staff(sender)


def test_deactivating_a_terminal_binding_ends_its_scripts_and_queue(staff_table):
    """Issue 14 item 10: deactivation ends staff views on every channel, not only for Telegram users."""
    sender = "term-desk2"
    assert policy_reply(tracker(sender)).audience == "staff"
    with session_scope() as s:
        s.scalar(select(Staff).where(Staff.name == "柜台二")).active = False
    assert policy_reply(tracker(sender)).audience == "resident"
    assert NOT_STAFF in handoff.staff_command(sender, "queue")


@pytest.fixture
def database_down(monkeypatch):
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", str(BOOTSTRAP_UID))
    get_settings.cache_clear()
    engine = make_engine("postgresql://postgres@127.0.0.1:1/test", connect_args={"connect_timeout": 1})
    set_engine(engine)
    yield
    set_engine(None)
    engine.dispose()
    get_settings.cache_clear()


@pytest.mark.parametrize("sender", ["term-staff", tg(BOOTSTRAP_UID, BOOTSTRAP_UID)])
def test_database_down_gives_the_resident_view_and_still_answers(database_down, sender):
    assert is_staff(sender) is False
    answer = policy_reply(tracker(sender))
    assert answer.audience == "resident" and "低保边缘" in answer.text and "热线话术" not in answer.text


def test_group_members_and_unknown_ids_never_touch_the_database(monkeypatch):
    def no_database():
        raise AssertionError("the staff check asked the database")

    monkeypatch.setattr("bot.staff_access.session_scope", no_database)
    assert is_staff(tg(GROUP, BOOTSTRAP_UID)) is False
    assert is_staff("tg-abc") is False
    assert is_staff(None) is False
