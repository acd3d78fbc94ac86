"""Policy answers over the real REST channel (trained model + action server): cited answers, the detail button,
the "那特困呢?" follow-up, staff scripts and /script, a town outside 略阳."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rasa

STAFF = "tg-900001-900001"  # STAFF_TELEGRAM_IDS=900001 in the conversation fixture


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("我家能不能吃低保", ["人均收入低于当地低保标准", "依据：", "《社会救助暂行办法》第九条"]),
        ("低保批下来要多久", ["30个工作日", "公示7天", "《最低生活保障审核确认办法》"]),
        ("特困供养需要啥子条件", ["60周岁以上", "一、二级的肢体残疾人", "《特困人员认定办法》"]),
        ("低保边缘家庭是啥子意思", ["1.5倍"]),
        ("对低保结果不服咋个办", ["行政复议", "复查"]),
        ("全县有多少人吃低保", ["截至2023年6月底", "《略阳县2023年上半年社会救助工作总结》"]),
        # the kinds of help issue 15 added, asked as residents asked them
        ("残疾人两项补贴怎么领", ["经办单位：略阳县民政局", "未经核实", "不介绍申请条件和补助标准"]),
        ("孤儿有什么补助", ["孤儿和事实无人抚养儿童基本生活保障", "未经核实"]),
        ("孩子上学困难有没有教育救助", ["向孩子就读的学校提出", "教育部门负责", "第三十三条"]),
        ("医疗救助怎么申请", ["县医疗保障部门直接办理", "经审核、公示后", "第三十一条"]),
        ("就业救助找哪个部门", ["公共就业服务机构", "第四十四条"]),
        ("复议要在多少天内提", ["60日内向略阳县人民政府申请行政复议", "6个月内", "15日内", "《中华人民共和国行政复议法》第二十条"]),
        ("低保边缘家庭有多少户", ["没有低保边缘家庭的统计数字", "三类人群"]),
    ],
)
def test_policy_questions_get_cited_answers(assistant, text, facts):
    reply = assistant.texts(assistant.new_sender(), text)
    for fact in facts:
        assert fact in reply, reply


def test_unverified_standard_is_not_stated(assistant):
    reply = assistant.texts(assistant.new_sender(), "低保标准一个月多少钱")
    assert "待核实" in reply
    assert "请向" in reply and "确认" in reply


def test_detail_button(assistant):
    sender = assistant.new_sender()
    replies = assistant.send(sender, "我家能不能吃低保")
    buttons = {b["title"]: b["payload"] for r in replies for b in r.get("buttons") or []}
    assert "详细说明" in buttons
    detail = assistant.texts(sender, buttons["详细说明"])
    assert "共同生活的家庭成员包括" in detail


def test_followup_other_programme(assistant):
    sender = assistant.new_sender()
    assert "30个工作日" in assistant.texts(sender, "低保批下来要多久")
    reply = assistant.texts(sender, "那特困呢？")
    assert "15个工作日" in reply
    assert "《特困人员认定办法》" in reply


def test_staff_get_the_script_and_residents_do_not(assistant):
    staff = assistant.texts(STAFF, "低保边缘家庭是啥子意思")
    assert "【热线话术】" in staff and "内部提示" in staff
    resident = assistant.texts(assistant.new_sender("tg-5"), "低保边缘家庭是啥子意思")
    assert "内部提示" not in resident and "热线话术" not in resident


def test_script_command(assistant):
    reply = assistant.texts(
        STAFF, "/inform", metadata={"command": "script", "args": "边缘", "channel": "telegram"}
    )
    assert "【热线话术】低保边缘家庭" in reply
    unknown = assistant.texts(STAFF, "/inform", metadata={"command": "script", "args": "火车票"})
    assert "没有找到" in unknown


def test_contact_for_a_town_and_outside_lueyang(assistant):
    sender = assistant.new_sender()
    assert "接官亭镇人民政府" in assistant.texts(sender, "接官亭镇的民政办电话多少")
    assert "不属于略阳县" in assistant.texts(assistant.new_sender(), "勉县民政局电话是多少")
