"""Handoff, staff relay, emergencies and /cancel over the real REST channel (trained model + action server)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.db.models import OutboxMessage
from bot.db.session import make_engine
from tests.auxil.assistant import ticket_number

pytestmark = pytest.mark.rasa

STAFF = "tg-900001-900001"  # STAFF_TELEGRAM_IDS=900001 in the assistant fixture: hotline staff before binding


def staff(assistant, command: str, args: str = "") -> str:
    return assistant.texts(STAFF, "/request_human", {"command": command, "args": args, "channel": "telegram"})


def outbox_texts(assistant, recipient: str) -> list[str]:
    engine = make_engine(assistant.cluster.settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(OutboxMessage.text)
                .where(OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id)
            )
            return [r[0] for r in rows]
    finally:
        engine.dispose()


def test_request_relay_both_ways_and_cancel(assistant):
    n = str(uuid.uuid4().int)[:9]
    resident = f"tg-{n}-{n}"
    assert "想咨询" in assistant.texts(resident, "/request_human")
    assert "手机号码" in assistant.texts(resident, "我想问一下临时救助怎么申请")
    asked_time = assistant.texts(resident, "13812345678")
    assert "什么时候" in asked_time and "13812345678" not in asked_time
    created = assistant.texts(resident, "上午")
    assert "工单号：#" in created and "138****5678" in created and "13812345678" not in created
    assert "24小时" not in created
    ticket = ticket_number(created)

    # issue 16: while the ticket waits, the message is recorded and the reply says the mode and how to leave
    waiting = assistant.texts(resident, "补充一下，家里三口人")
    assert f"〔等待人工 · 工单#{ticket}〕这条消息已记入工单" in waiting and "/cancel" in waiting
    queue = staff(assistant, "queue")
    assert f"#{ticket} " in queue
    taken = staff(assistant, "take", ticket)
    assert f"已领取工单#{ticket}" in taken and "补充一下，家里三口人" in taken
    assert "已发给" in staff(assistant, "reply", f"{ticket} 您好，明天上午给您回电")
    assert any("明天上午给您回电" in t for t in outbox_texts(assistant, resident))

    relayed = assistant.texts(resident, "好的，我等电话")
    assert relayed.startswith(f"〔人工服务中 · 工单#{ticket}〕已转给工作人员") and "/cancel" in relayed
    assert any("我等电话" in t for t in outbox_texts(assistant, STAFF))

    assert "已结束人工服务" in assistant.texts(resident, "/cancel")
    assert any("居民已结束" in t for t in outbox_texts(assistant, STAFF))


def test_residents_cannot_run_staff_commands(assistant):
    sender = assistant.new_sender()
    text = assistant.texts(sender, "/request_human", {"command": "queue", "args": ""})
    assert "仅供民政工作人员使用" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("救命！我家着火了", "119"),
        (
            "我爸突然晕倒了叫不醒",
            "120",
        ),  # NLU alone may fall back; rasa_addons' CrisisGuard makes it an emergency
        ("我已经两天没饭吃了，也没地方住", "救助站"),
    ],
)
def test_emergency_reply_at_once(assistant, text, expected):
    replies = assistant.send(assistant.new_sender(), text)
    joined = "\n".join(r.get("text") or "" for r in replies)
    assert expected in joined and "紧急工单" in joined and "小金额先行救助" in joined
    assert not any(r.get("buttons") for r in replies)


def test_self_harm_gets_a_gentle_message_and_no_menu(assistant):
    replies = assistant.send(assistant.new_sender(), "活着没意思，我不想活了")
    joined = "\n".join(r.get("text") or "" for r in replies)
    assert "担心您" in joined and "120" in joined and "信任的人" in joined
    assert not any(r.get("buttons") for r in replies)


def test_emergency_interrupts_the_request_form(assistant):
    sender = assistant.new_sender()
    assistant.texts(sender, "/request_human")
    text = assistant.texts(sender, "我老伴心脏病犯了")
    assert "120" in text and "紧急工单" in text


def test_emergency_interrupts_the_status_lookup(assistant):
    sender = assistant.new_sender()
    assistant.texts(sender, "/check_status")
    text = assistant.texts(sender, "救命啊家里着火了")
    assert "119" in text


def test_cancel_and_unsubscribe_outside_forms(assistant):
    sender = assistant.new_sender()
    assert "已取消" in assistant.texts(sender, "/cancel")
    assert "没有订阅" in assistant.texts(sender, "/cancel", {"command": "unsubscribe", "args": ""})
