"""Issue 15: the special assistance types decided by other departments (社会救助暂行办法 第四至八章) and the generic
question intent. Each row: a question as residents ask it, the topic and programme that must answer it, the
facts the answer must contain and the citations (document key, article) it must show. Facts checked against
shared/policy/sources (01 社会救助暂行办法; 05 改革意见 2020; 06 兜底通知 2022; 07 动态监测意见 2023)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.parsing.entities import extract_entities
from bot.policy.answers import answer, followup_answer, generic_programme, select_topic
from bot.policy.knowledge import load_knowledge
from bot.programmes import GENERIC_INTENT, get, programmes

SA = "sa_measures"
REFORM = "reform_opinions"
N2022 = "notice_2022"
MONITOR = "monitoring_opinions"
REPORT = "report_2023h1"
G = GENERIC_INTENT

# (id, intent, kwargs, topic, facts, citations)
QUESTIONS = [
    # --- the overview: eight kinds, who handles them, where to start -------------------------------------------
    ("有哪些救助", G, {"text": "社会救助都有哪些种类"}, "assistance_overview",
     ["八类", "县医疗保障部门", "向孩子就读的学校申请", "公共就业服务机构", "转交有关部门"], [(SA, "第三条"), (SA, "第六十条")]),
    ("不知道找谁", G, {"text": "我也不晓得该申请哪种救助"}, "assistance_overview",
     ["统一受理社会救助申请的窗口"], [(REFORM, "三、（二）"), (MONITOR, "五、（二）")]),
    ("专项救助", G, {"text": "除了低保还有啥子救助", "detail": True}, "assistance_overview",
     ["医疗、住房、教育、就业等专项救助"], [(REFORM, "二、（一）2"), (MONITOR, "四、（二）")]),
    # --- 受灾人员救助 -----------------------------------------------------------------------------------------
    ("受灾-洪水", G, {"text": "发洪水了房子被冲了有什么救助"}, "disaster_relief",
     ["食品、饮用水、衣被、取暖、临时住所、医疗防疫", "过渡性安置", "住房恢复重建补助", "应急管理等部门"],
     [(SA, "第二十条"), (SA, "第二十二条"), (SA, "第二十四条"), (SA, "第二十五条")]),
    ("受灾-冬春", G, {"programme": "受灾人员救助", "text": "去年遭灾，今年开春家里断了顿，有没有冬春救助"}, "disaster_relief",
     ["冬寒或者次年春荒"], [(SA, "第二十六条")]),
    ("受灾-低保户", G, {"text": "我们是低保户，又遭了灾，能不能多得点救助", "detail": True}, "disaster_relief",
     ["按自然灾害救助政策给予相应救助", "可以申请临时救助"], [(MONITOR, "四、（二）5"), (N2022, "二、（二）")]),
    ("受灾-怎么申请", G, {"programme": "受灾人员救助", "text": "自然灾害救助咋个申请"}, "disaster_relief_apply",
     ["向所在镇（街道）提出", "核实住房恢复重建补助对象", "县民政局接到求助也会办理或转交"],
     [(SA, "第二十三条"), (SA, "第六十条"), (REFORM, "二、（六）23")]),
    ("受灾-找谁", "ask_contact", {"programme": "受灾人员救助", "text": "灾后救助找民政还是找应急局"},
     "disaster_relief_apply", ["县应急管理等部门"], [(SA, "第三条")]),
    ("受灾-标准", "ask_dibao_standard", {"programme": "受灾人员救助", "text": "灾害救助能给好多钱"},
     "disaster_relief", ["本助手没有略阳的具体标准"], [(REFORM, "二、（三）12")]),
    ("受灾-临时救助", "ask_temp_relief", {"programme": "受灾人员救助", "text": "受灾救助要啥条件"},
     "disaster_relief", ["属地管理、分级负责"], [(SA, "第二十条")]),
    # --- 医疗救助 ---------------------------------------------------------------------------------------------
    ("医疗-怎么申请", G, {"programme": "医疗救助", "text": "医疗救助怎么申请"}, "medical_assistance_apply",
     ["由县医疗保障部门直接办理", "向镇政府（街道办事处）提出申请，经审核、公示后，由县医疗保障部门审批"],
     [(SA, "第三十条")]),
    ("医疗-因病致贫意图", "ask_illness_poverty", {"programme": "医疗救助", "text": "医疗救助怎么申请"},
     "medical_assistance_apply", ["经审核、公示后"], [(SA, "第三十条"), (SA, "第三十一条")]),
    ("医疗-低保户", G, {"programme": "低保", "text": "我是低保户，看病能享受医疗救助不"}, "medical_assistance",
     ["低保家庭成员、特困供养人员", "不需要另外申请审核、公示"], [(SA, "第二十八条"), (SA, "第三十条")]),
    ("医疗-谁能享受", G, {"programme": "医疗救助", "text": "医疗救助有哪些人能享受"}, "medical_assistance",
     ["县级以上人民政府规定的其他特殊困难人员", "低保边缘家庭、刚性支出困难家庭中符合条件的大病患者"],
     [(SA, "第二十八条"), (MONITOR, "四、（二）1")]),
    ("医疗-资助参保", G, {"programme": "特困供养", "text": "特困人员参加医保，医疗救助是不是全额资助"},
     "medical_assistance", ["特困人员全额资助，低保对象等定额资助", "大病保险"],
     [(SA, "第二十九条"), (MONITOR, "四、（二）1")]),
    ("医疗-标准", "ask_dibao_standard", {"programme": "医疗救助", "text": "医疗救助能报好多"}, "medical_assistance",
     ["县级以上人民政府确定、公布", "本助手没有略阳的具体标准"], [(SA, "第二十九条")]),
    ("医疗-应急", G, {"programme": "医疗救助", "detail": True}, "medical_assistance",
     ["疾病应急救助基金", "认定21人", "行政复议"], [(SA, "第三十二条"), (REPORT, "一、三是"), (SA, "第六十五条")]),
    ("医疗-大病救助", G, {"programme": "医疗救助", "text": "大病救助要去哪里申请"}, "medical_assistance_apply",
     ["县医疗保障部门"], [(SA, "第三十条")]),
    ("医疗-材料", "ask_materials", {"programme": "医疗救助", "text": "医疗救助要带什么材料"},
     "medical_assistance_apply", ["国家文件没有统一规定", "以经办部门的要求为准"], [(SA, "第三十条")]),
    ("医疗-归谁管", "ask_contact", {"programme": "医疗救助", "text": "医疗救助是医保局管还是民政局管"},
     "medical_assistance_apply", ["县医疗保障部门"], [(SA, "第三十条")]),
    ("因病致贫仍在", "ask_illness_poverty", {"text": "因病致贫重病患者怎么认定"}, "illness_poverty",
     ["汉民发〔2023〕14号", "略民发〔2023〕39号"], [(REPORT, "一、三是")]),
    # --- 教育救助 ---------------------------------------------------------------------------------------------
    ("教育-上学困难", G, {"programme": "教育救助", "text": "孩子上学困难有没有教育救助"}, "education_assistance",
     ["义务教育阶段就学的低保家庭成员、特困供养人员", "高中（含中等职业教育）、普通高等教育", "不能入学接受义务教育的残疾儿童"],
     [(SA, "第三十三条")]),
    ("教育-边缘意图", "ask_edge_family", {"programme": "教育救助", "text": "孩子上学困难有没有教育救助"},
     "education_assistance", ["向孩子就读的学校提出"], [(SA, "第三十六条")]),
    ("教育-方式", G, {"programme": "教育救助", "text": "教育救助能减免学费不"}, "education_assistance",
     ["减免相关费用、发放助学金、给予生活补助、安排勤工助学岗位", "送教上门"], [(SA, "第三十四条"), (REFORM, "二、（三）9")]),
    ("教育-标准", "ask_dibao_standard", {"programme": "教育救助"}, "education_assistance",
     ["标准由省级人民政府确定、公布"], [(SA, "第三十五条")]),
    ("教育-边缘户", G, {"programme": "低保边缘家庭", "text": "娃娃上幼儿园有没有教育救助，我们是边缘户"},
     "education_assistance", ["在园幼儿、在校学生"], [(MONITOR, "四、（二）2")]),
    ("教育-怎么申请", G, {"programme": "教育救助", "text": "教育补助咋个申请"}, "education_assistance_apply",
     ["向孩子就读的学校提出申请", "由学校按国家有关规定实施"], [(SA, "第三十六条")]),
    ("教育-低保意图", "ask_dibao_eligibility", {"programme": "教育救助", "text": "教育救助要啥子条件"},
     "education_assistance", ["低保家庭成员、特困供养人员"], [(MONITOR, "四、（二）2")]),
    # --- 住房救助 ---------------------------------------------------------------------------------------------
    ("住房-房子塌了", G, {"programme": "住房救助", "text": "我家房子塌了，住房救助怎么申请"}, "housing_assistance_apply",
     ["城镇家庭", "县民政局审核家庭收入、财产状况", "农村家庭：按照县级以上人民政府的有关规定执行"], [(SA, "第四十条")]),
    ("住房-是什么", G, {"programme": "住房救助", "text": "住房救助是啥子"}, "housing_assistance",
     ["住房困难的低保家庭、分散供养的特困人员", "配租公共租赁住房、发放住房租赁补贴、农村危房改造"],
     [(SA, "第三十七条"), (SA, "第三十八条")]),
    ("住房-危房改造", G, {"text": "危房改造咋个申请"}, "housing_assistance_apply",
     ["经由镇政府（街道办事处）或者直接向县住房保障部门提出申请"], [(SA, "第四十条"), (REFORM, "二、（六）23")]),
    ("住房-优先", G, {"programme": "住房救助", "text": "住房救助有哪几种方式"}, "housing_assistance",
     ["农村住房救助对象优先实施危房改造，城镇住房救助对象优先实施公租房保障"], [(REFORM, "二、（三）10")]),
    ("住房-边缘户", G, {"programme": "低保边缘家庭", "text": "边缘户能申请住房救助吗"}, "housing_assistance",
     ["低保边缘家庭、刚性支出困难家庭符合当地住房保障条件的，也优先给予住房救助"], [(MONITOR, "四、（二）3")]),
    ("住房-标准", "ask_dibao_standard", {"programme": "住房救助"}, "housing_assistance",
     ["住房困难标准和救助标准由县级以上地方人民政府确定、公布"], [(SA, "第三十九条")]),
    ("住房-因灾", G, {"programme": "住房救助", "text": "住房救助是啥子", "detail": True}, "housing_assistance",
     ["属于受灾人员救助", "过渡性安置"], [(SA, "第二十四条"), (SA, "第二十五条")]),
    ("住房-低保意图", "ask_dibao_eligibility", {"programme": "住房救助", "text": "住房救助要啥子条件"},
     "housing_assistance", ["分散供养的特困人员"], [(SA, "第三十七条")]),
    # --- 就业救助 ---------------------------------------------------------------------------------------------
    ("就业-失业", G, {"programme": "就业救助", "text": "失业了有没有就业救助"}, "employment_assistance",
     ["低保家庭中有劳动能力并处于失业状态的成员", "贷款贴息、社会保险补贴、岗位补贴、培训补贴、费用减免、公益性岗位安置"],
     [(SA, "第四十二条")]),
    ("就业-零就业", G, {"text": "零就业家庭有没有啥子照顾"}, "employment_assistance",
     ["确保这个家庭至少有一人就业"], [(SA, "第四十三条"), (REFORM, "二、（三）11")]),
    ("就业-在哪申请", G, {"programme": "就业救助", "text": "就业救助在哪里申请"}, "employment_assistance_apply",
     ["公共就业服务机构", "免费提供就业岗位信息、职业介绍、职业指导"], [(SA, "第四十四条")]),
    ("就业-拒绝工作", G, {"programme": "就业救助", "detail": True}, "employment_assistance",
     ["连续3次拒绝", "减发或者停发其本人的低保金", "渐退期"], [(SA, "第四十五条"), (REFORM, "二、（三）11")]),
    ("就业-边缘户", G, {"programme": "低保边缘家庭", "text": "边缘户的人失业了能享受就业救助吗"},
     "employment_assistance", ["低保边缘家庭成员、刚性支出困难家庭成员符合条件的"], [(MONITOR, "四、（二）4")]),
    ("就业-单位", G, {"programme": "就业救助", "text": "用人单位招低保户，就业救助有没有补贴给单位", "detail": True},
     "employment_assistance", ["不是低保家庭的失业人员"], [(SA, "第四十二条")]),
    ("就业-单位补贴", G, {"topic": "employment_assistance_apply", "detail": True}, "employment_assistance_apply",
     ["社会保险补贴、税收优惠、小额担保贷款"], [(SA, "第四十六条"), (N2022, "三、（三）")]),
    ("就业-公益性岗位", G, {"text": "公益性岗位咋个申请"}, "employment_assistance_apply",
     ["公共就业服务机构"], [(SA, "第四十四条")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("qid", "intent", "kwargs", "topic", "facts", "cites"), QUESTIONS, ids=[q[0] for q in QUESTIONS]
)
def test_new_programme_questions(qid, intent, kwargs, topic, facts, cites):
    result = answer(intent, **kwargs)
    assert result.topic == topic, f"{qid}: answered by {result.topic}:\n{result.text}"
    for fact in facts:
        assert fact in result.text, f"{qid}: missing {fact!r} in:\n{result.text}"
    shown = {(c.doc, c.article) for c in result.citations}
    for cite in cites:
        assert cite in shown, f"{qid}: missing citation {cite}; has {sorted(shown)}"
    assert "依据：" in result.text and "{param:" not in result.text


NEW = ("受灾人员救助", "医疗救助", "教育救助", "住房救助", "就业救助")
DEPARTMENTS = {
    "受灾人员救助": "应急管理", "医疗救助": "医疗保障", "教育救助": "教育部门", "住房救助": "住房保障", "就业救助": "人力资源社会保障",
}  # fmt: skip


@pytest.mark.parametrize("name", NEW)
def test_each_new_programme_says_what_who_where_and_which_department(name):
    kb = load_knowledge()
    own = [t for t in kb.topics.values() if t.programme == name]
    assert {"eligibility", "apply"} <= {t.family for t in own}  # 医疗救助 also has 因病致贫 (illness)
    overview = answer(GENERIC_INTENT, programme=name)
    apply = answer("ask_dibao_apply", programme=name)
    assert overview.topic == get(name).home_topic and apply.topic.endswith("_apply")
    both = overview.text + apply.text
    assert DEPARTMENTS[name] in both
    assert "申请" in apply.text or "提出" in apply.text
    assert any(c.doc == SA for c in overview.citations)
    # no county amount is invented for another department's programme
    assert not re.search(r"\d+元", both)
    # the staff version exists and keeps the department
    assert DEPARTMENTS[name] in answer(GENERIC_INTENT, programme=name, audience="staff").text


def test_the_office_line_follows_where_people_apply():
    assert "郭镇人民政府" in answer(GENERIC_INTENT, programme="医疗救助", town="郭镇").text
    assert "转请县里有关部门办理" in answer(GENERIC_INTENT, programme="住房救助", town="郭镇").text
    # 教育救助 is applied for at the school, 就业救助 at the public employment service
    assert "郭镇人民政府" not in answer(GENERIC_INTENT, programme="教育救助", town="郭镇").text
    assert "郭镇人民政府" not in answer(GENERIC_INTENT, programme="就业救助", town="郭镇").text
    assert "急难发生在本镇" in answer("ask_temp_relief", town="郭镇").text


def test_generic_questions_without_a_programme_get_the_overview():
    assert answer(GENERIC_INTENT).topic == "assistance_overview"
    assert answer(GENERIC_INTENT, text="怎么申请").topic == "assistance_overview"
    kb = load_knowledge()
    # select_topic itself never guesses a programme from the words (answer() reads them first)
    assert select_topic(kb, GENERIC_INTENT, text="医疗救助怎么申请").programme is None


@pytest.mark.parametrize(
    ("programme", "text", "expected"),
    [(None, "我是低保户，看病能享受医疗救助不", "医疗救助"), ("低保", "低保户的娃娃上学有没有教育补助", "教育救助"),
     (None, "遭了洪灾以后吃的住的哪个管", "受灾人员救助"), ("低保", "除了低保还有啥子救助", "低保"),
     (None, "残疾人两项补贴和低保能一起领吗", "残疾人两项补贴"), (None, "随便问问", None)],
)  # fmt: skip
def test_generic_programme_prefers_the_one_without_its_own_intent(programme, text, expected):
    assert generic_programme(programme, text) == expected


def test_follow_ups_reach_the_new_programmes():
    assert followup_answer("apply", "医疗救助").topic == "medical_assistance_apply"
    assert followup_answer("eligibility", "住房救助").topic == "housing_assistance"
    assert followup_answer("standard", "教育救助").topic == "education_assistance"


def _examples():
    path = Path(__file__).resolve().parents[2] / "nlu_data" / "nlu" / "ask_programme.yml"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("- "):
            yield re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line[2:]).strip()


def test_every_ask_programme_example_naming_a_new_kind_is_answered_from_it():
    """The NLU examples of ask_programme, answered as the policy action would (first programme entity + text):
    a message naming one of the new kinds of help or a referral gets that kind's answer."""
    new_names = {p.name for p in programmes() if not p.intent}
    examples = list(_examples())
    assert len(examples) >= 300
    checked = 0
    for text in examples:
        named = [e["value"] for e in extract_entities(text) if e["entity"] == "programme"]
        wanted = [n for n in named if n in new_names]
        if not wanted:
            continue
        checked += 1
        result = answer(GENERIC_INTENT, programme=named[0], text=text)
        assert result.programme == wanted[0], (text, result.topic, result.programme)
    assert checked >= 250


@pytest.mark.parametrize("name", NEW)
def test_statistics_of_the_new_kinds_only_state_what_the_report_gives(name):
    """The report (《略阳县2023年上半年社会救助工作总结》) counts none of them: the answer says so, under the
    report's own names, and shows no other group's figures in their place."""
    text = answer("ask_statistics", programme=name).text
    assert f"没有{get(name).full_name}的统计数字" in text
    assert "3855户8050人" not in text and "315户897人" not in text
    if name == "医疗救助":
        assert "认定因病致贫重病患者21人" in text and "不是享受医疗救助的人数" in text
