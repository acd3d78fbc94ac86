"""Tickets end to end over the service layer: request, queue (urgent first, scope), take, relay both ways,
resident cancel, staff done; every proactive message lands in the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cases.staff import add_staff
from bot.db.base import utcnow
from bot.db.models import AuditEntry, HandoffTicket, OutboxMessage
from bot.db.session import session_scope
from bot.handoff import service, tickets
from bot.handoff.actors import StaffActor, resolve_staff
from bot.settings import Settings

RESIDENT = "tg-5550001-5550001"
OTHER_RESIDENT = "tg-5550002-5550002"
STAFF_UID = 7770001
STAFF_SENDER = f"tg-{STAFF_UID}-{STAFF_UID}"
CW_UID = 7770002
CW_SENDER = f"tg-{CW_UID}-{CW_UID}"


@pytest.fixture
def staff(db):
    with session_scope() as s:
        add_staff(s, "李热线", "hotline", channel_ids=[f"tg-user:{STAFF_UID}"])
        add_staff(s, "王经办", "caseworker", towns=["接官亭镇"], channel_ids=[f"tg-user:{CW_UID}"])


def outbox_for(recipient: str) -> list[OutboxMessage]:
    with session_scope() as s:
        return list(
            s.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
            )
        )


def make_request(sender=RESIDENT, **kw) -> int:
    result = service.submit_request(
        sender,
        topic=kw.get("topic", "想问临时救助怎么申请"),
        phone=kw.get("phone", "13812345678"),
        preferred_time=kw.get("preferred_time", "上午"),
        town=kw.get("town"),
        summary=kw.get("summary", "咨询：临时救助"),
    )
    assert f"工单号：#{result.ticket_id}。" in result.text
    return result.ticket_id


def test_request_creates_ticket_with_masked_phone_in_reply(staff):
    reply = service.submit_request(
        RESIDENT,
        topic="我的身份证610727199001011234丢了",
        phone="13812345678",
        preferred_time="下午",
        town="接官亭镇",
        summary="咨询：低保条件",
    ).text
    assert "138****5678" in reply and "13812345678" not in reply
    assert "工作人员会尽快与您联系" in reply or "非工作时间" in reply
    assert "24小时" not in reply  # unverified response time is never promised
    with session_scope() as s:
        t = s.scalar(select(HandoffTicket))
        assert t.phone == "13812345678"  # stored for staff
        assert "610727199001011234" not in t.topic  # masked before storing
        assert t.status == "open" and not t.urgent and t.town == "接官亭镇"
        audit = s.scalar(select(AuditEntry).where(AuditEntry.action == "handoff_ticket"))
        assert audit is not None and RESIDENT not in audit.user_ref


def test_second_request_points_to_the_open_ticket(staff):
    tid = make_request()
    again = service.submit_request(
        RESIDENT, topic="再问一次", phone=None, preferred_time=None, town=None, summary=""
    ).text
    assert f"#{tid}" in again and "已有" in again
    with session_scope() as s:
        assert len(s.scalars(select(HandoffTicket)).all()) == 1


def test_queue_puts_urgent_tickets_first(staff):
    first = make_request(RESIDENT)
    second = make_request(OTHER_RESIDENT)
    urgent = service.emergency_reply("tg-5550003-5550003", text="家里着火了").ticket_id
    text = service.staff_command(STAFF_SENDER, "queue")
    lines = [line for line in text.splitlines() if "#" in line and "[" in line]
    assert [int(line.split("#")[1].split(" ")[0]) for line in lines] == [urgent, first, second]
    assert lines[0].startswith("🔴紧急")


def test_caseworker_sees_only_tickets_of_their_towns(staff):
    mine = make_request(RESIDENT, town="接官亭镇")
    make_request(OTHER_RESIDENT, town="郭镇")
    make_request("tg-5550003-5550003", town=None)
    text = service.staff_command(CW_SENDER, "queue")
    assert f"#{mine} " in text and text.count("[回电") == 1
    hotline = service.staff_command(STAFF_SENDER, "queue")
    assert hotline.count("[回电") == 3


def test_relay_both_ways_while_open(staff):
    tid = make_request(town="接官亭镇")
    # before anyone takes it, the resident's messages are kept on the ticket
    assert (
        service.relay_from_resident(RESIDENT, "补充一下：家里三口人") == "已记录，工作人员领取工单后会看到。"
    )
    taken = service.staff_command(STAFF_SENDER, "take", str(tid))
    assert f"已领取工单#{tid}" in taken and "补充一下：家里三口人" in taken
    assert "138****5678" in taken and "13812345678" not in taken
    # staff -> resident
    assert "已发给" in service.staff_command(
        STAFF_SENDER, "reply", f"{tid} 您好，我是县民政局的李热线，请问您在哪个村？"
    )
    to_resident = outbox_for(RESIDENT)
    assert [m.kind for m in to_resident] == ["relay", "relay"]
    assert "接手" in to_resident[0].text
    assert "请问您在哪个村" in to_resident[1].text and f"工单#{tid}" in to_resident[1].text
    # resident -> staff (the one who took it)
    assert service.relay_from_resident(RESIDENT, "我在接官亭镇，电话13900001111") == "已转给工作人员。"
    to_staff = outbox_for(STAFF_SENDER)
    assert len(to_staff) == 1
    assert "我在接官亭镇" in to_staff[0].text and "13900001111" not in to_staff[0].text
    assert f"/reply {tid}" in to_staff[0].text


def test_resident_cancel_closes_and_tells_staff(staff):
    tid = make_request()
    service.staff_command(STAFF_SENDER, "take", str(tid))
    text = service.cancel_ticket(RESIDENT)
    assert f"#{tid}" in text and "已结束" in text
    assert any("居民已结束" in m.text for m in outbox_for(STAFF_SENDER))
    assert service.cancel_ticket(RESIDENT) is None
    assert "已经办结" in service.staff_command(STAFF_SENDER, "reply", f"{tid} 还在吗")


def test_done_tells_resident_and_closes(staff):
    tid = make_request()
    assert f"工单#{tid}已办结" in service.staff_command(STAFF_SENDER, "done", str(tid))
    assert any("已办结" in m.text for m in outbox_for(RESIDENT))
    assert service.open_ticket_id(RESIDENT) is None
    assert "目前没有待处理的工单" in service.staff_command(STAFF_SENDER, "queue")


def test_residents_cannot_use_staff_commands(staff):
    tid = make_request()
    assert "仅供民政工作人员使用" in service.staff_command(OTHER_RESIDENT, "take", str(tid))
    assert "仅供民政工作人员使用" in service.staff_command(RESIDENT, "queue")


def test_staff_errors_are_plain_chinese(staff):
    tid = make_request(town="郭镇")
    assert service.staff_command(STAFF_SENDER, "take", "999") == "没有这张工单。"
    assert "不在您负责" in service.staff_command(CW_SENDER, "take", str(tid))
    assert "工单号" in service.staff_command(STAFF_SENDER, "take", "abc")
    assert "/queue" in service.staff_command(STAFF_SENDER, "take", "")
    assert "要回复的内容" in service.staff_command(STAFF_SENDER, "reply", str(tid))


def test_someone_elses_ticket_cannot_be_taken_over(staff):
    tid = make_request(town="接官亭镇")
    service.staff_command(CW_SENDER, "take", str(tid))
    assert "已由王经办领取" in service.staff_command(STAFF_SENDER, "take", str(tid))


def test_staff_telegram_ids_act_as_hotline_before_binding(db):
    settings = Settings.from_env({"STAFF_TELEGRAM_IDS": "424242"})
    with session_scope() as s:
        actor = resolve_staff(s, "tg-424242-424242", settings)
        assert actor is not None and actor.role == "hotline"
        assert resolve_staff(s, "tg--100123-424242", settings) is None  # group chat: never staff
        assert resolve_staff(s, "tg-5-5", settings) is None


def test_cli_actor_replies_without_a_chat(db):
    tid = make_request()
    cli = StaffActor(name="办公电脑", role="admin")
    with session_scope() as s:
        tickets.staff_reply(s, cli, tid, "您好，已收到")
    with session_scope() as s:
        t = s.get(HandoffTicket, tid)
        assert t.status == "taken" and t.assignee_sender is None
    # the resident's answer is stored (nobody to relay to in a chat)
    assert service.relay_from_resident(RESIDENT, "好的谢谢") == "已记录，工作人员领取工单后会看到。"
    assert outbox_for("None") == []


def test_escalation_makes_an_open_ticket_urgent(staff):
    tid = make_request()
    service.staff_command(STAFF_SENDER, "take", str(tid))
    reply = service.emergency_reply(RESIDENT, text="老人晕倒了")
    assert reply.ticket_id == tid
    with session_scope() as s:
        t = s.get(HandoffTicket, tid)
        assert t.urgent and t.kind == "emergency"
    assert any("紧急" in m.text for m in outbox_for(STAFF_SENDER))


def test_closed_tickets_keep_their_closing_time(staff):
    tid = make_request()
    with session_scope() as s:
        t = tickets.close(s, StaffActor("x", "admin"), tid, now=utcnow() - timedelta(days=1))
        assert t.closed_by == "staff:x"


def test_ticket_messages_are_stored_masked_and_staff_still_get_what_they_need(staff):
    """Issue 14 item 11: topic, summary and every message in both directions are stored masked; the relay to
    staff is masked; a callback number written in a message fills the ticket's phone when it has none; the
    resident receives the staff reply as written."""
    id_number, phone, staff_phone = "61072719900101123X", "13900001111", "13712345678"
    tid = make_request(
        topic=f"身份证{id_number}的低保", phone=None, summary=f"咨询：低保；身份证{id_number}", town="接官亭镇"
    )
    service.staff_command(STAFF_SENDER, "take", str(tid))
    service.relay_from_resident(RESIDENT, f"我身份证{id_number}，电话{phone}，案件LY2024DB00123 12345X")
    service.staff_command(STAFF_SENDER, "reply", f"{tid} 请打我们的值班手机{staff_phone}，身份证{id_number}已核对")
    with session_scope() as s:
        t = s.get(HandoffTicket, tid)
        stored = [t.topic, t.summary, t.preferred_time or ""] + [m.text for m in t.messages]
        callback = t.phone
    for secret in (id_number, phone, staff_phone, "12345X"):
        assert not any(secret in text for text in stored), secret
    assert any("LY2024DB00123 ******" in text for text in stored)  # masked, still readable
    assert callback == phone  # whole in the ticket's phone field: staff can call back
    [to_staff] = outbox_for(STAFF_SENDER)
    assert phone not in to_staff.text and id_number not in to_staff.text
    to_resident = outbox_for(RESIDENT)[-1].text
    assert staff_phone in to_resident  # the resident reads the staff reply as written


def test_a_phone_in_a_message_does_not_replace_the_callback_number(staff):
    tid = make_request(phone="13812345678")
    service.relay_from_resident(RESIDENT, "村主任的电话是13911112222")
    with session_scope() as s:
        assert s.get(HandoffTicket, tid).phone == "13812345678"
