"""Temporary-relief pre-check over the real REST channel (trained model + action server).

Happy path with a saved result, corrections, a policy question in the middle, cancelling, skipped questions for
non-local people, and a restart of both servers in the middle of the form (same SQLite tracker store).
"""

from __future__ import annotations

import re

import pytest

from bot.db.session import make_engine, set_engine
from bot.precheck.store import find_by_reference

pytestmark = pytest.mark.rasa


def _step(text: str) -> tuple[int, int] | None:
    found = re.findall(r"第 (\d+)/(\d+) 步", text)
    return (int(found[-1][0]), int(found[-1][1])) if found else None


def _start(assistant, sender: str) -> str:
    text = assistant.texts(sender, "/start_precheck")
    assert "临时救助预检" in text and "不是审批结果" in text
    assert _step(text) == (1, 10)
    assert "[户籍在略阳]" in text
    return text


FIRE_ANSWERS = [
    ("户籍在略阳", (2, 10)),
    ("火灾", (3, 9)),  # 急难型: the income question is skipped
    ("3天前", (4, 9)),
    ("都没有", (5, 9)),
    ("3口人", (6, 9)),
    ("没有", (7, 9)),
    ("房子烧了，损失大概5万", (8, 9)),
    ("没有或1万以下", (9, 9)),
]


def test_happy_path_fire_with_saved_result(assistant):
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    for answer, step in FIRE_ANSWERS:
        reply = assistant.texts(sender, answer)
        assert _step(reply) == step, (answer, reply)
    result = assistant.texts(sender, "接官亭")
    assert "【临时救助预检结果】" in result
    assert "总体：可能符合" in result
    assert "《社会救助暂行办法》第四十七条" in result
    assert "小金额先行救助" in result
    assert "接官亭镇人民政府" in result
    assert "火灾事故认定书" in result
    assert "估算金额：" not in result  # the county's temporary-relief figures are not verified
    assert "[同意保存，给我参考编号]" in result
    saved = assistant.texts(sender, "/affirm")
    assert re.search(r"参考编号是：YJ\d{6}-[0-9A-Z]{4}", saved)


def test_unclear_answer_gets_one_reask_with_an_example(assistant):
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    reply = assistant.texts(sender, "嗯嗯嗯")
    assert "户籍在略阳" in reply and _step(reply) == (1, 10)
    reply = assistant.texts(sender, "嗯嗯嗯")
    assert "不清楚" in reply and _step(reply) == (2, 10)


def test_correction_of_an_earlier_answer(assistant):
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    for answer in ["户籍在略阳", "看病花费大", "上个月15号", "都没有", "4口人", "每月两千"]:
        assistant.texts(sender, answer)
    reply = assistant.texts(sender, "收入说错了，是三千")
    assert "已把“家庭收入”改为：全家每月约3,000元" in reply
    assert "赔偿" in reply and _step(reply) == (7, 10)  # the same step again
    for answer in ["医保报了1万", "住院一共花了5万", "没有存款"]:
        assistant.texts(sender, answer)
    result = assistant.texts(sender, "郭镇")
    assert "【临时救助预检结果】" in result
    # 支出型 has no national income line, so the result does not judge income; the township gets the corrected answer
    saved = assistant.texts(sender, "/affirm")
    reference = re.search(r"参考编号是：(YJ\d{6}-[0-9A-Z]{4})", saved).group(1)
    set_engine(make_engine(assistant.cluster.settings.database_url))
    record = find_by_reference(reference)
    assert record is not None and record.answers["income"]["yuan"] in (3000, "3000")  # not 2000


def test_policy_question_in_the_middle_then_same_step(assistant):
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    for answer in ["户籍在略阳", "上学花费大", "今天", "都没有", "3口人"]:
        assistant.texts(sender, answer)
    replies = assistant.send(sender, "低保边缘家庭是什么意思")
    assert len(replies) >= 2, replies  # the policy answer, then the question again
    assert _step(replies[-1]["text"]) == (6, 10)
    reply = assistant.texts(sender, "一个月两千")
    assert _step(reply) == (7, 10)


def test_cancel_in_the_middle(assistant):
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    assistant.texts(sender, "户籍在略阳")
    reply = assistant.texts(sender, "不测了")
    assert "预检已停止" in reply
    assert _step(reply) is None
    assert "社会救助助手" in assistant.texts(sender, "你好")  # the form is no longer active


def test_non_local_skips_the_money_questions(assistant):
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    assert _step(assistant.texts(sender, "都不是")) == (2, 4)
    assert _step(assistant.texts(sender, "交通事故或其他意外")) == (3, 4)
    reply = assistant.texts(sender, "昨天")
    assert _step(reply) == (4, 4) and "不在略阳" in reply
    result = assistant.texts(sender, "不在略阳")
    assert "需要进一步核实" in result and "救助管理站" in result and "略阳县救助站" in result


def test_restart_in_the_middle_continues_at_the_same_step(assistant):
    sender = assistant.new_sender("tg")
    _start(assistant, sender)
    for answer, step in FIRE_ANSWERS[:4]:
        assert _step(assistant.texts(sender, answer)) == step
    assistant.restart()
    reply = assistant.texts(sender, "3口人")
    assert _step(reply) == (6, 9)
