"""The handoff, emergency and notification actions with inline trackers (no Rasa)."""

from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from sqlalchemy import select

from actions.emergency import ActionEmergency
from actions.handoff import (
    ActionAskHandoffPhone,
    ActionAskHandoffTime,
    ActionAskHandoffTopic,
    ActionHandoffCancel,
    ActionHandoffRelayEnd,
    ActionHandoffSubmit,
    ValidateHandoffRelayForm,
    ValidateHandoffRequestForm,
)
from actions.notifications import ActionSubscribeCase
from bot.cases.staff import add_staff
from bot.db.models import Applicant, Case, HandoffTicket, OutboxMessage, Subscription
from bot.db.session import session_scope
from bot.handoff import service
from tests.auxil.trackers import make_tracker

RESIDENT = "tg-8880001-8880001"
STAFF = "tg-8880009-8880009"


def tracker(
    sender=RESIDENT, text="", intent="inform", slots=None, metadata=None, events=None, active_loop=None
) -> Tracker:
    return make_tracker(
        text, intent, sender=sender, confidence=0.9, slots=slots, metadata=metadata, events=events,
        active_loop=active_loop,
    )  # fmt: skip


def relay_tracker(
    text: str, intent: str = "inform", confidence: float = 0.9, sender: str = RESIDENT
) -> Tracker:
    """The tracker validate_handoff_relay_form gets after the resident wrote ``text`` in the waiting room."""
    return make_tracker(
        text, intent, sender=sender, confidence=confidence,
        slots={"requested_slot": "handoff_relay", "handoff_relay": text},
        events=[{"event": "user", "text": text, "parse_data": {}}, {"event": "action", "name": "handoff_relay_form"},
                {"event": "slot", "name": "handoff_relay", "value": text}],
        active_loop="handoff_relay_form", latest_action_name="handoff_relay_form",
    )  # fmt: skip


def user_event(text: str, intent: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}


def texts_of(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def slot_events(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def followups(events) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


@pytest.fixture
def staff(db):
    with session_scope() as s:
        add_staff(s, "赵热线", "hotline", channel_ids=["tg-user:8880009"])


async def test_request_form_asks_residents_and_skips_for_staff_commands(staff):
    form = ValidateHandoffRequestForm()
    slots = ["handoff_topic", "handoff_phone", "handoff_time"]
    d = CollectingDispatcher()
    assert await form.required_slots(slots, d, tracker(), {}) == slots
    assert await form.required_slots(slots, d, tracker(metadata={"command": "queue"}), {}) == []
    assert await form.required_slots(slots, d, tracker(sender=STAFF), {}) == []


def test_phone_validation():
    form = ValidateHandoffRequestForm()
    d = CollectingDispatcher()
    assert form.validate_handoff_phone("我的电话是138 1234 5678", d, tracker(), {}) == {
        "handoff_phone": "13812345678"
    }
    assert form.validate_handoff_phone("不留了", d, tracker(), {}) == {"handoff_phone": "不留"}
    assert form.validate_handoff_phone("1381234", d, tracker(), {}) == {"handoff_phone": None}
    assert "11位" in texts_of(d) and "1381234" not in texts_of(d)
    d2 = CollectingDispatcher()
    assert form.validate_handoff_phone("啊？", d2, tracker(), {}) == {"handoff_phone": None}
    assert "不留" in texts_of(d2)


def test_submit_creates_ticket_with_summary_and_starts_the_relay(staff):
    events = [
        user_event("临时救助怎么申请", "ask_temp_relief"),
        user_event("预审", "start_precheck"),
        user_event("转人工", "request_human"),
    ]
    slots = {
        "handoff_topic": "想问临时救助，身份证610727199001011234",
        "handoff_phone": "13812345678",
        "handoff_time": "上午",
        "pc_event": "火灾",
        "pc_household_size": 3,
        "pc_result": "可能符合急难型临时救助",
        "town": "接官亭镇",
    }
    d = CollectingDispatcher()
    out = ActionHandoffSubmit().run(d, tracker(slots=slots, events=events), {})
    text = texts_of(d)
    assert "工单号：#" in text and "138****5678" in text and "13812345678" not in text
    assert followups(out) == ["handoff_relay_form"]
    ticket_id = slot_events(out)["handoff_ticket"]
    with session_scope() as s:
        t = s.get(HandoffTicket, ticket_id)
        assert "临时救助" in t.summary and "临时救助预审" in t.summary and "转人工" in t.summary
        assert "遇到的情况=火灾" in t.summary and "家庭人数=3口人" in t.summary  # the pre-check's own words
        assert "可能符合急难型临时救助" in t.summary and "接官亭镇" in t.summary
        assert "610727199001011234" not in t.topic
        assert t.phone == "13812345678" and t.town == "接官亭镇"


def test_submit_runs_staff_commands(staff):
    d = CollectingDispatcher()
    out = ActionHandoffSubmit().run(d, tracker(sender=STAFF, metadata={"command": "queue", "args": ""}), {})
    assert "目前没有待处理的工单" in texts_of(d)
    assert followups(out) == []


async def test_relay_form_relays_and_ends_when_closed(staff):
    tid = service.submit_request(
        RESIDENT, topic="问低保", phone=None, preferred_time=None, town=None, summary=""
    ).ticket_id
    service.staff_command(STAFF, "take", str(tid))
    relay = ValidateHandoffRelayForm()
    d = CollectingDispatcher()
    assert await relay.required_slots(["handoff_relay"], d, tracker(), {}) == ["handoff_relay"]
    events = await relay.run(d, relay_tracker("我家在郭镇"), {})
    assert slot_events(events) == {"handoff_relay": None}
    # issue 16: the acknowledgement says which mode the resident is in and how to leave
    assert texts_of(d) == f"〔人工服务中 · 工单#{tid}〕已转给工作人员赵热线。发送 /cancel 结束人工服务。"
    with session_scope() as s:
        msgs = [m.text for m in s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == STAFF))]
    assert any("我家在郭镇" in m for m in msgs)
    # staff close it: the form has nothing left to ask, the end action tells the resident
    service.staff_command(STAFF, "done", str(tid))
    assert await relay.required_slots(["handoff_relay"], d, tracker(), {}) == []
    d2 = CollectingDispatcher()
    out = ActionHandoffRelayEnd().run(d2, tracker(slots={"handoff_ticket": tid}), {})
    assert f"工单#{tid}已办结" in texts_of(d2) and slot_events(out) == {"handoff_ticket": None}
    # staff and residents without a ticket: silent
    d3 = CollectingDispatcher()
    assert ActionHandoffRelayEnd().run(d3, tracker(sender=STAFF), {}) == [] and d3.messages == []


def test_crisis_inside_the_request_form_ends_it_with_the_emergency_reply(staff):
    form = ValidateHandoffRequestForm()
    d = CollectingDispatcher()
    out = form.validate_handoff_topic("我真的不想活了", d, tracker(), {})
    assert out["handoff_crisis"] is True and all(
        out[s] for s in ("handoff_topic", "handoff_phone", "handoff_time")
    )
    text = texts_of(d)
    assert "120" in text and "信任的人" in text
    assert not any(m.get("buttons") for m in d.messages)  # never a menu
    d2 = CollectingDispatcher()
    events = ActionHandoffSubmit().run(d2, tracker(slots={"handoff_crisis": True}), {})
    assert followups(events) == ["handoff_relay_form"] and d2.messages == []
    with session_scope() as s:
        (t,) = s.scalars(select(HandoffTicket)).all()
        assert t.urgent and t.kind == "crisis"


def test_emergency_action_replies_at_once_with_numbers(staff):
    d = CollectingDispatcher()
    out = ActionEmergency().run(
        d, tracker(text="家里着火了", intent="report_emergency", slots={"town": "郭镇"}), {}
    )
    text = texts_of(d)
    assert "119" in text and "略阳县救助站" in text and "0916-4822453" in text and "尚未核实" in text
    assert "小金额先行救助" in text and "关于改革完善社会救助制度的意见" in text
    assert "郭镇人民政府民政办" in text and "略阳县民政局" in text
    assert not any(m.get("buttons") for m in d.messages)
    assert followups(out) == ["handoff_relay_form"]
    queue = service.staff_command(STAFF, "queue")
    assert "🔴紧急" in queue.splitlines()[1]


def test_emergency_inside_the_relay_returns_to_it(staff):
    service.submit_request(RESIDENT, topic="问低保", phone=None, preferred_time=None, town=None, summary="")
    d = CollectingDispatcher()
    out = ActionEmergency().run(
        d, tracker(text="救命", intent="report_emergency", active_loop="handoff_relay_form"), {}
    )
    assert "110" in texts_of(d) and followups(out) == []


def test_self_harm_reply_is_gentle_and_has_no_unverified_hotline(staff):
    d = CollectingDispatcher()
    ActionEmergency().run(d, tracker(text="活着没意思，想自杀", intent="report_emergency"), {})
    text = texts_of(d)
    assert "担心您" in text and "120" in text and "110" in text and "信任的人" in text
    assert "12356" not in text  # no national line without a source in the project's documents
    assert "心理援助热线" not in text  # hotline.psychological is unverified
    assert not any(m.get("buttons") for m in d.messages)


def test_cancel_closes_the_ticket_or_unsubscribes(staff):
    service.submit_request(RESIDENT, topic="问低保", phone=None, preferred_time=None, town=None, summary="")
    d = CollectingDispatcher()
    ActionHandoffCancel().run(d, tracker(intent="cancel"), {})
    assert "已结束人工服务" in texts_of(d)
    d2 = CollectingDispatcher()
    ActionHandoffCancel().run(d2, tracker(intent="cancel"), {})
    assert texts_of(d2) == "好的，已取消。还有什么可以帮您？"
    d3 = CollectingDispatcher()
    ActionHandoffCancel().run(
        d3, tracker(intent="cancel", metadata={"command": "unsubscribe", "args": ""}), {}
    )
    assert "没有订阅" in texts_of(d3)


def test_subscribe_action_needs_the_offer_and_consent(db):
    with session_scope() as s:
        applicant = Applicant(
            name="测试", id_hash="a" * 64, id_last6_hash="0" * 64, id_masked="x", town="郭镇"
        )
        s.add(
            Case(
                case_no="LY2024DB00007",
                programme="低保",
                applicant=applicant,
                town="郭镇",
                applied_on=date(2024, 1, 2),
                status="已受理",
            )
        )
    d = CollectingDispatcher()
    ActionSubscribeCase().run(d, tracker(intent="affirm"), {})
    assert texts_of(d) == "好的。还有什么可以帮您？"
    d2 = CollectingDispatcher()
    out = ActionSubscribeCase().run(
        d2, tracker(intent="deny", slots={"notify_offer_case": "LY2024DB00007"}), {}
    )
    assert "不订阅" in texts_of(d2) and slot_events(out) == {"notify_offer_case": None}
    d3 = CollectingDispatcher()
    ActionSubscribeCase().run(d3, tracker(intent="affirm", slots={"notify_offer_case": "LY2024DB00007"}), {})
    assert "已为您订阅 LY2024DB00007" in texts_of(d3)
    with session_scope() as s:
        assert s.scalar(select(Subscription)).sender_id == RESIDENT


def test_form_questions_and_registration():
    d = CollectingDispatcher()
    ActionAskHandoffTopic().run(d, tracker(), {})
    ActionAskHandoffPhone().run(d, tracker(), {})
    ActionAskHandoffTime().run(d, tracker(), {})
    assert "想咨询" in d.messages[0]["text"]
    assert [b["payload"] for b in d.messages[1]["buttons"]] == ["不留"]
    assert "尽快" in [b["payload"] for b in d.messages[2]["buttons"]]
    executor = ActionExecutor()
    executor.register_package("actions")
    names = set(executor.actions)
    for name in (
        "action_ask_handoff_topic",
        "action_ask_handoff_phone",
        "action_ask_handoff_time",
        "action_ask_handoff_relay",
        "validate_handoff_request_form",
        "validate_handoff_relay_form",
        "action_handoff_submit",
        "action_handoff_relay_end",
        "action_handoff_cancel",
        "action_emergency",
        "action_subscribe_case",
    ):
        assert name in names
    assert "action_ask_" not in names
