"""Conversation repair (issue 16) over the real REST channel (trained model + action server).

1. Crisis wording inside the pre-check: the numbers at once, the urgent ticket offered as a button, the answer
   read for the step (火灾 → 急难型) and the next question; only an explicit request opens a ticket.
2. Crisis wording in a question about help after an event: the numbers first, then the answer; no ticket forced.
3. The waiting room: until staff take the ticket the assistant keeps answering and every message goes into the
   ticket; after /take messages relay both ways; each reply says which mode and how to leave; the relay ends
   when the ticket is closed.
4. Resume: after an emergency ticket, the waiting room, /cancel of it, and a restart of both servers,
   "继续预检" continues at the same step with the answers kept; starting over is a separate button.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from bot.db.models import HandoffTicket
from bot.db.session import make_engine
from tests.auxil.assistant import open_ticket_without_phone
from tests.conversations.test_handoff import STAFF, outbox_texts, staff
from tests.conversations.test_precheck import _start, _step

pytestmark = pytest.mark.rasa


def resident_id() -> str:
    n = str(uuid.uuid4().int)[:9]
    return f"tg-{n}-{n}"


def tickets_of(assistant, sender: str) -> list[HandoffTicket]:
    engine = make_engine(assistant.cluster.settings.database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(HandoffTicket).where(HandoffTicket.sender_id == sender)))
    finally:
        engine.dispose()


def payloads(replies: list[dict]) -> list[str]:
    return [b.get("payload") for r in replies for b in r.get("buttons") or []]


def joined(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_fire_in_words_inside_the_precheck_keeps_the_form(assistant):
    sender = resident_id()
    _start(assistant, sender)
    assert _step(assistant.texts(sender, "户籍在略阳")) == (2, 10)
    replies = assistant.send(sender, "家里着火了，房子烧了一半")
    text = joined(replies)
    assert "119" in text.splitlines()[0]  # the numbers first, at once
    assert "/report_emergency" in payloads(replies)  # the urgent ticket offered as a button
    assert "记下了：火灾" in text  # the answer read for the step
    assert _step(text) == (3, 9)  # 急难型: the income question is skipped; the next question follows
    assert tickets_of(assistant, sender) == []  # offered, not forced
    reply = assistant.texts(sender, "上个星期")  # recorded as the date, not forwarded to staff
    assert "记下了" in reply and _step(reply) == (4, 9)
    for answer in ["都没有", "3口人", "没有", "损失大概5万", "没有或1万以下"]:
        assistant.texts(sender, answer)
    result = assistant.texts(sender, "接官亭")
    assert "【临时救助预检结果】" in result and "火灾（急难型）" in result  # the kept answer, 急难型
    assert tickets_of(assistant, sender) == []


def test_explicit_request_opens_a_ticket_then_continue_at_the_same_step(assistant):
    sender = resident_id()
    _start(assistant, sender)
    assistant.texts(sender, "户籍在略阳")
    assert _step(assistant.texts(sender, "家里着火了，房子烧了一半")) == (3, 9)
    replies = assistant.send(sender, "/report_emergency")  # the offered button
    text = joined(replies)
    assert "紧急工单#" in text and "119" in text and "/start_precheck" in payloads(replies)
    ticket = re.search(r"紧急工单#(\d+)", text).group(1)
    (row,) = tickets_of(assistant, sender)
    assert row.urgent and row.status == "open"
    # waiting for staff: a policy question is answered and recorded
    reply = assistant.texts(sender, "医疗救助怎么申请")
    assert "医疗救助" in reply and f"〔等待人工 · 工单#{ticket}〕" in reply and "/cancel" in reply
    # continue: the same step, the answers kept
    reply = assistant.texts(sender, "继续预检")
    assert "接着上次的预检" in reply and "户籍在略阳、火灾" in reply
    assert _step(reply) == (3, 9) and "[重新开始预检]" in reply
    assert _step(assistant.texts(sender, "上个星期")) == (4, 9)
    # staff see every message in the ticket, the pre-check answers included
    taken = staff(assistant, "take", ticket)
    assert "医疗救助怎么申请" in taken and "继续预检" in taken and "上个星期" in taken


@pytest.mark.parametrize(
    ("text", "answer_word"),
    [("发洪水了房子被冲了有什么救助", "救助"), ("我家房子塌了，住房救助怎么申请", "住房救助")],
)
def test_question_about_help_gets_numbers_first_then_the_answer(assistant, text, answer_word):
    sender = resident_id()
    replies = assistant.send(sender, text)
    texts = [r.get("text") or "" for r in replies]
    assert texts[0].startswith("如果现在仍有危险") and "119" in texts[0]
    assert any(answer_word in t and "社会救助暂行办法" in t for t in texts[1:])  # the policy answer, cited
    assert "/report_emergency" in payloads(replies)  # offered
    assert tickets_of(assistant, sender) == []  # not forced
    assert "〔等待人工" not in assistant.texts(sender, "谢谢")  # no relay mode


def test_untaken_ticket_keeps_answering_and_staff_see_every_message(assistant):
    resident = resident_id()
    ticket, created = open_ticket_without_phone(assistant, resident, "想问问家里的情况能申请什么救助")
    assert "我会继续回答您的问题" in created
    questions = [
        ("残疾人两项补贴怎么领", "残疾人"),
        ("医疗救助怎么申请", "医疗救助"),
        ("略阳县上半年有多少人吃低保", "低保"),
    ]
    for question, word in questions:
        replies = assistant.send(resident, question)
        assert len(replies) >= 2, (question, replies)  # an answer, then the mode line
        assert word in joined(replies[:-1]), (question, replies)
        assert replies[-1]["text"].startswith(f"〔等待人工 · 工单#{ticket}〕这条消息已记入工单")
        assert "已记录，工作人员领取工单后会看到。" not in joined(replies)
    reply = assistant.texts(resident, "补充一下，家里三口人")
    assert "这条消息我回答不了" in reply and "/cancel" in reply
    status = assistant.texts(resident, "我想查一下我的申请进度")
    assert "案件编号" in status  # the status lookup starts (the ticket stays open)
    assert "已取消" in assistant.texts(resident, "/cancel")  # leaves the lookup
    taken = staff(assistant, "take", ticket)
    for question, _ in questions:
        assert question in taken
    assert "补充一下，家里三口人" in taken and "我想查一下我的申请进度" in taken
    # a person is there: relay both ways, and the reply says so
    assistant.texts(resident, "/human")  # back to the ticket
    reply = assistant.texts(resident, "好的，我等电话")
    assert reply.startswith(f"〔人工服务中 · 工单#{ticket}〕已转给工作人员") and "/cancel" in reply
    assert any("我等电话" in t for t in outbox_texts(assistant, STAFF))
    staff(assistant, "reply", f"{ticket} 您好，明天上午给您回电")
    assert any("明天上午给您回电" in t for t in outbox_texts(assistant, resident))
    # closed by staff: the relay ends by itself
    staff(assistant, "done", ticket)
    assert f"工单#{ticket}已办结" in assistant.texts(resident, "还在吗")
    assert "〔" not in assistant.texts(resident, "你好")


def test_resume_after_cancel_of_the_relay_and_a_restart(assistant):
    sender = resident_id()
    _start(assistant, sender)
    for answer in ["户籍在略阳", "火灾", "3天前"]:
        assistant.texts(sender, answer)
    assert "紧急工单#" in assistant.texts(sender, "帮我报警")  # explicit: a ticket, the pre-check paused
    replies = assistant.send(sender, "/cancel")
    assert "已结束人工服务" in joined(replies) and "/start_precheck" in payloads(replies)
    assistant.restart()
    reply = assistant.texts(sender, "继续预检")
    assert "户籍在略阳、火灾" in reply and _step(reply) == (4, 9)
    # starting over is a separate choice
    reply = assistant.texts(sender, '/start_precheck{"restart": "yes"}')
    assert "从头开始" in reply and _step(reply) == (1, 10)
