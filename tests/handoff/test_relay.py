"""The waiting room and the emergency triage actions (issue 16) with inline trackers and a real database."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.emergency import ActionEmergency
from actions.handoff import ActionHandoffCancel, ActionHandoffRelayEnd, ValidateHandoffRelayForm
from bot.cases.staff import add_staff
from bot.db.models import HandoffTicket, OutboxMessage
from bot.db.session import session_scope
from bot.handoff import service
from tests.auxil.trackers import make_tracker
from tests.handoff.test_actions import RESIDENT, STAFF, followups, relay_tracker, texts_of

PAUSED = {"pc_residency": "local_hukou", "pc_event": "fire"}  # an interrupted pre-check


@pytest.fixture
def ticket(db):
    with session_scope() as s:
        add_staff(s, "赵热线", "hotline", channel_ids=["tg-user:8880009"])
    return service.submit_request(
        RESIDENT, topic="问低保", phone=None, preferred_time=None, town=None, summary=""
    ).ticket_id


def resident_messages(tid: int) -> list[str]:
    with session_scope() as s:
        t = s.scalar(select(HandoffTicket).where(HandoffTicket.id == tid))
        return [m.text for m in t.messages if m.direction == "resident"]


async def relay(text: str, intent: str = "inform", confidence: float = 0.9):
    d = CollectingDispatcher()
    events = await ValidateHandoffRelayForm().run(d, relay_tracker(text, intent, confidence), {})
    return d, events


async def test_untaken_ticket_answers_questions_and_records_every_message(ticket):
    d, events = await relay("医疗救助怎么申请", "ask_programme")
    text = texts_of(d)
    assert "医疗救助" in text and f"〔等待人工 · 工单#{ticket}〕这条消息已记入工单" in text
    assert "发送 /cancel" in text
    assert any(e.get("name") == "policy_topic" for e in events)  # the policy action's slots
    d, _ = await relay("补充一下，家里三口人")
    assert "这条消息我回答不了" in texts_of(d) and "已记入工单" in texts_of(d)
    d, _ = await relay("你好", "greet")
    assert d.messages[0].get("response") == "utter_greet"
    d, events = await relay("我想查一下我的申请进度", "check_status")
    assert d.messages == [] and any(e["event"] == "action_execution_rejected" for e in events)
    assert resident_messages(ticket) == [
        "医疗救助怎么申请",
        "补充一下，家里三口人",
        "你好",
        "我想查一下我的申请进度",
    ]
    # staff see every message when they take the ticket
    taken = service.staff_command(STAFF, "take", str(ticket))
    assert "医疗救助怎么申请" in taken and "我想查一下我的申请进度" in taken


async def test_taken_ticket_relays_both_ways_and_says_so(ticket):
    service.staff_command(STAFF, "take", str(ticket))
    d, _ = await relay("医疗救助怎么申请", "ask_programme")
    assert texts_of(d) == f"〔人工服务中 · 工单#{ticket}〕已转给工作人员赵热线。发送 /cancel 结束人工服务。"
    with session_scope() as s:
        sent = [m.text for m in s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == STAFF))]
    assert any("医疗救助怎么申请" in m for m in sent)


async def test_crisis_while_waiting(ticket):
    d, _ = await relay("发洪水了房子被冲了有什么救助", "report_emergency", 1.0)
    text = texts_of(d)
    assert text.index("如果现在仍有危险") < text.index("〔等待人工")
    assert any(b["payload"] == "/report_emergency" for m in d.messages for b in m.get("buttons") or [])
    with session_scope() as s:
        assert not s.scalar(
            select(HandoffTicket).where(HandoffTicket.id == ticket)
        ).urgent  # offered, not forced
    d, _ = await relay("救命，家里着火了", "report_emergency", 1.0)
    assert "119" in texts_of(d) and "紧急工单" in texts_of(d)
    with session_scope() as s:
        assert s.scalar(select(HandoffTicket).where(HandoffTicket.id == ticket)).urgent
    assert resident_messages(ticket) == ["发洪水了房子被冲了有什么救助", "救命，家里着火了"]


async def test_closed_ticket_ends_the_relay_answers_and_offers_the_precheck(ticket):
    service.staff_command(STAFF, "done", str(ticket))
    assert (
        await ValidateHandoffRelayForm().required_slots(
            ["handoff_relay"], CollectingDispatcher(), relay_tracker("x"), {}
        )
        == []
    )
    d = CollectingDispatcher()
    tracker = make_tracker("医疗救助怎么申请", "ask_programme", sender=RESIDENT,
                           slots={"handoff_ticket": ticket, **PAUSED})  # fmt: skip
    ActionHandoffRelayEnd().run(d, tracker, {})
    assert f"工单#{ticket}已办结" in texts_of(d) and "医疗救助" in d.messages[1]["text"]
    assert d.messages[0]["buttons"] == [{"title": "继续预检", "payload": "/start_precheck"}]


def test_cancel_of_the_relay_offers_the_paused_precheck(ticket):
    d = CollectingDispatcher()
    ActionHandoffCancel().run(d, make_tracker("/cancel", "cancel", sender=RESIDENT, slots=PAUSED), {})
    assert "已结束人工服务" in texts_of(d) and "继续预检" in texts_of(d)
    assert d.messages[0]["buttons"] == [{"title": "继续预检", "payload": "/start_precheck"}]


def test_emergency_action_answers_a_question_about_help_without_forcing_a_ticket(ticket):
    service.cancel_ticket(RESIDENT)
    tracker = make_tracker("我家房子塌了，住房救助怎么申请", "report_emergency", sender=RESIDENT)
    tracker.latest_message["intent_ranking"] = [
        {"name": "report_emergency", "confidence": 1.0},
        {"name": "ask_programme", "confidence": 0.6},
    ]
    d = CollectingDispatcher()
    events = ActionEmergency().run(d, tracker, {})
    texts = [m.get("text") or "" for m in d.messages]
    assert texts[0].startswith("如果现在仍有危险") and "119" in texts[0]
    assert "住房救助" in texts[1]  # the answer to the question
    assert d.messages[-1]["buttons"] == [{"title": "请工作人员紧急联系我", "payload": "/report_emergency"}]
    assert followups(events) == [] and service.open_ticket_id(RESIDENT) is None


def test_emergency_action_in_the_precheck(db):
    # the numbers inside the status lookup: the form goes on
    d = CollectingDispatcher()
    out = ActionEmergency().run(
        d,
        make_tracker(
            "救命啊家里着火了", "report_emergency", sender=RESIDENT, active_loop="status_lookup_form"
        ),
        {},
    )
    assert "119" in texts_of(d) and followups(out) == [] and service.open_ticket_id(RESIDENT) is None
    # the urgent button inside the pre-check: a ticket, the waiting room, and the pre-check offered later
    d2 = CollectingDispatcher()
    out = ActionEmergency().run(
        d2,
        make_tracker("/report_emergency", "report_emergency", sender=RESIDENT, active_loop="precheck_form",
                     slots={**PAUSED, "pc_crisis": "fire"}),
        {},
    )  # fmt: skip
    assert "119" in texts_of(d2) and "紧急工单" in texts_of(d2) and "继续预检" in texts_of(d2)
    assert d2.messages[0]["buttons"] == [{"title": "继续预检", "payload": "/start_precheck"}]
    assert followups(out) == ["handoff_relay_form"]
    assert not any(
        e.get("name", "").startswith("pc_") and e["name"] != "pc_crisis" for e in out
    )  # answers kept
    # "帮我报警": the assistant cannot call the police and says so
    d3 = CollectingDispatcher()
    ActionEmergency().run(d3, make_tracker("帮我报警", "report_emergency", sender="tg-1-1"), {})
    assert texts_of(d3).startswith("本助手不能替您报警")


async def test_a_photo_in_the_waiting_room_is_neither_recorded_nor_said_to_be_passed_on(ticket):
    # the Telegram front end passes a photo on for the visit form (issue 17): here only words reach staff
    tracker = make_tracker(
        "/inform", sender=RESIDENT, metadata={"command": "photo", "args": "AgAC-file"},
        slots={"requested_slot": "handoff_relay", "handoff_relay": "/inform"},
        events=[{"event": "user", "text": "/inform", "parse_data": {}},
                {"event": "action", "name": "handoff_relay_form"},
                {"event": "slot", "name": "handoff_relay", "value": "/inform"}],
        active_loop="handoff_relay_form", latest_action_name="handoff_relay_form",
    )  # fmt: skip
    d = CollectingDispatcher()
    events = await ValidateHandoffRelayForm().run(d, tracker, {})
    assert texts_of(d).startswith("抱歉，我目前只能阅读文字消息") and "已记入工单" not in texts_of(d)
    assert events == [{"event": "slot", "timestamp": None, "name": "handoff_relay", "value": None}]
    assert resident_messages(ticket) == []
