"""The question table: each question (intent + entities + message text) -> facts the answer must contain and
the citations (document key, article) it must show. Facts were checked against the texts in shared/policy/sources.
"""

from __future__ import annotations

import re

import pytest

from bot.policy.answers import answer, followup_answer, is_followup, parse_payload, topic_payload
from bot.policy.knowledge import load_knowledge
from bot.policy.parameters import DEFAULT_PATH, load_parameters

DIBAO = "dibao_measures"
TEKUN = "tekun_measures"
SA = "sa_measures"
N2022 = "notice_2022"
REFORM = "reform_opinions"
MONITOR = "monitoring_opinions"
REPORT = "report_2023h1"

# (id, intent, kwargs, facts, citations)
QUESTIONS = [
    ("能不能吃低保", "ask_dibao_eligibility", {"text": "我家能不能吃低保"},
     ["人均收入低于当地低保标准", "财产", "户籍所在地的镇（街道）"], [(SA, "第九条"), (DIBAO, "第七条")]),
    ("低保条件-下一步", "ask_dibao_eligibility", {"text": "低保要什么条件"},
     ["怎么申请低保", "临时救助自测"], [(DIBAO, "第四条")]),
    ("低保收入算不算", "ask_dibao_eligibility", {"text": "养老金算不算收入"},
     ["抚恤金", "奖学金", "基础养老金", "人均收入"], [(DIBAO, "第十三条")]),
    ("低保有车", "ask_dibao_eligibility", {"text": "家里有辆车能吃低保吗"},
     ["存款", "车辆", "必需财产可以豁免"], [(DIBAO, "第十四条")]),
    ("单人保", "ask_dibao_eligibility", {"text": "单人保怎么弄"},
     ["一级、二级重度残疾人", "三级智力、三级精神残疾人", "重特大疾病"], [(DIBAO, "第八条"), (N2022, "一、（一）")]),
    ("单人保-详细", "ask_dibao_eligibility", {"topic": "dibao_single_person", "detail": True},
     ["1.5倍", "成年无业重度残疾人"], [(N2022, "一、（四）")]),
    ("低保标准", "ask_dibao_standard", {"text": "低保一个月发多少钱"},
     ["城市", "农村", "差额", "分档"], [(SA, "第十条"), (DIBAO, "第二十三条")]),
    ("低保标准-提标", "ask_dibao_standard", {"detail": True, "text": "今年提标了吗"},
     ["50.26万元", "下个月起发放"], [(REPORT, "一、一是"), (DIBAO, "第二十一条")]),
    ("怎么申请低保", "ask_dibao_apply", {"text": "低保怎么申请"},
     ["书面申请", "公示7天", "30个工作日", "45个工作日", "一次性"], [(DIBAO, "第四条"), (DIBAO, "第二十二条")]),
    ("低保申请-详细", "ask_dibao_apply", {"text": "低保怎么申请", "detail": True},
     ["3个工作日内启动家庭经济状况调查", "10个工作日内", "20个工作日内"], [(DIBAO, "第十九条")]),
    ("多久批下来", "ask_dibao_apply", {"text": "低保多久能批下来"},
     ["3个工作日", "公示7天", "10个工作日", "30个工作日", "45个工作日", "20个工作日"],
     [(DIBAO, "第十五条"), (DIBAO, "第二十条"), (DIBAO, "第二十二条"), (N2022, "四、（一）")]),
    ("低保公示几天", "ask_dibao_apply", {"text": "公示要几天"}, ["公示7天"], [(DIBAO, "第十九条")]),
    ("不予确认告知", "ask_dibao_apply", {"text": "低保审批时限", "detail": True},
     ["3个工作日内通过镇（街道）书面告知"], [(DIBAO, "第二十一条")]),
    ("特困条件", "ask_tekun", {"text": "特困供养需要什么条件"},
     ["60周岁以上", "未满16周岁", "一、二、三级的智力、精神残疾人", "一、二级的肢体残疾人", "一级的视力残疾人",
      "无生活来源", "义务人"], [(TEKUN, "第四条"), (TEKUN, "第五条"), (TEKUN, "第六条")]),
    ("五保户", "ask_tekun", {"text": "五保户是什么"}, ["无劳动能力", "60周岁"], [(TEKUN, "第五条")]),
    ("特困-详细", "ask_tekun", {"text": "特困", "detail": True},
     ["集中供养", "分散供养", "18周岁", "孤儿"], [(SA, "第十九条")]),
    ("特困护理", "ask_tekun", {"text": "特困护理补贴多少钱"},
     ["6项指标", "3项以下", "4项以上", "完全丧失", "部分丧失"], [(TEKUN, "第二十一条"), (TEKUN, "第二十二条")]),
    ("特困护理复核", "ask_tekun", {"text": "老人瘫痪了护理标准能调吗", "detail": True},
     ["10个工作日内组织复核评估"], [(TEKUN, "第二十三条")]),
    ("特困申请时限", "ask_tekun", {"text": "特困怎么申请要多久"},
     ["15个工作日内调查核实", "公示7天", "县民政局15个工作日内"], [(TEKUN, "第十三条"), (TEKUN, "第十五条"), (TEKUN, "第十六条")]),
    ("特困敬老院", "ask_tekun", {"text": "想去敬老院集中供养", "detail": True},
     ["集中供养", "30%"], [(TEKUN, "第十六条")]),
    ("临时救助", "ask_temp_relief", {"text": "临时救助是什么"},
     ["急难型", "支出型", "小金额先行救助", "火灾"], [(SA, "第四十七条"), (REFORM, "二、（四）15")]),
    ("临时救助审批", "ask_temp_relief", {"text": "临时救助怎么申请", "detail": False},
     ["县民政局审批", "简化审批手续"], [(SA, "第四十八条")]),
    ("临时救助金额", "ask_temp_relief", {"text": "临时救助最多给多少钱"},
     ["县级以上地方人民政府确定、公布", "待核实"], [(SA, "第四十九条")]),
    ("外地人", "ask_temp_relief", {"text": "我是外地人在略阳没钱回家"},
     ["急难发生地", "救助站", "临时食宿"], [(MONITOR, "四、（三）"), (SA, "第五十条")]),
    ("外地人-详细", "ask_temp_relief", {"topic": "temp_relief_nonlocal", "detail": True},
     ["略阳县救助站", "0916-4822453", "尚未核实"], [(N2022, "二、（一）")]),
    ("材料-通用", "ask_materials", {"text": "要带什么材料"},
     ["身份证", "户口簿", "授权", "低保、特困供养、临时救助"], [(DIBAO, "第十条")]),
    ("材料-低保", "ask_materials", {"programme": "低保"},
     ["身份证", "户口簿", "承诺书", "残疾人证"], [(DIBAO, "第九条")]),
    ("材料-特困", "ask_materials", {"programme": "特困供养"},
     ["有效身份证明", "书面声明", "承诺书", "残疾人证"], [(TEKUN, "第十条")]),
    ("材料-临时救助", "ask_materials", {"programme": "临时救助"},
     ["医疗费票据", "事故证明", "事后补充"], [(SA, "第四十八条")]),
    ("材料-特因", "ask_materials", {"text": "特因要带什么材料"}, ["书面声明"], [(TEKUN, "第十条")]),
    ("材料-临救", "ask_materials", {"text": "临救要什么证明"}, ["医疗费票据"], [(REFORM, "二、（四）15")]),
    ("边缘家庭", "ask_edge_family", {"text": "低保边缘家庭是什么"},
     ["1.5倍", "不符合低保条件", "单独申请低保"], [(DIBAO, "第八条"), (N2022, "一、（四）")]),
    ("三类人群", "ask_edge_family", {"text": "三类人群指什么"},
     ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户", "截至2023年6月底"], [(MONITOR, "四"), (REPORT, "一、五是、六是")]),
    ("刚性支出", "ask_edge_family", {"text": "刚性支出困难家庭怎么认定", "detail": True},
     ["2025年1月1日", "12个月", "30个工作日", "45个工作日"], [("rigid_measures", "第四条"), ("rigid_measures", "第八条")]),
    ("因病致贫", "ask_illness_poverty", {"text": "因病致贫重病患者怎么认定"},
     ["汉民发〔2023〕14号", "略民发〔2023〕39号", "县医保局", "21人"], [(REPORT, "一、三是"), (DIBAO, "第八条")]),
    ("不服", "ask_appeal", {"text": "低保没批我不服"},
     ["复查", "行政复议", "行政诉讼", "3个工作日", "15个工作日"],
     [(DIBAO, "第十八条"), (DIBAO, "第三十八条"), (SA, "第六十五条"), (TEKUN, "第十五条")]),
    ("复议期限", "ask_appeal", {"text": "行政复议多少天内申请"}, ["60日内", "略阳县人民政府"],
     [(DIBAO, "第三十八条"), ("reconsideration_law", "第二十条")]),
    ("举报", "ask_appeal", {"text": "我要举报有人骗保"},
     ["实名举报", "1倍以上3倍以下"], [(DIBAO, "第三十七条"), (SA, "第六十八条")]),
    ("复审", "ask_review", {"text": "低保多久复审一次"},
     ["12个月", "6个月", "特困人员每年核查一次", "减发、停发的要告知理由"], [(DIBAO, "第三十一条"), (REFORM, "二、（二）7")]),
    ("复审-详细", "ask_review", {"text": "家里老人去世了低保怎么办", "detail": True},
     ["3个月内核查", "连续3次", "略民发〔2023〕36号"], [(N2022, "一、（三）"), (DIBAO, "第三十四条")]),
    ("渐退期", "ask_review", {"text": "找到工作了低保会不会马上停"},
     ["渐退期", "不超过6个月"], [(N2022, "一、（三）"), (DIBAO, "第三十三条")]),
    ("联系-镇", "ask_contact", {"town": "接官亭镇"},
     ["接官亭镇人民政府", "受理、初审", "略阳县民政局", "暂无核实信息"], [(SA, "第六十条")]),
    ("联系-简称", "ask_contact", {"town": "硖口驿"}, ["硖口驿镇人民政府"], [(DIBAO, "第二条")]),
    ("联系-县局", "ask_contact", {}, ["略阳县民政局", "略阳县救助站"], [(SA, "第四条")]),
    ("联系-勉县", "ask_contact", {"text": "勉县民政局电话多少"},
     ["勉县不属于略阳县", "急难发生地"], [(MONITOR, "四、（三）")]),
    ("统计", "ask_statistics", {},
     ["截至2023年6月底", "3855户8050人", "752户1297人", "1866人", "3368人次", "4113.32万元"], [(REPORT, "一、一是、二是、三是、五是、六是")]),
    ("统计-特困", "ask_statistics", {"programme": "特困供养"}, ["截至2023年6月底", "集中供养605人", "37人"], [(REPORT, "一、一是、二是")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("qid", "intent", "kwargs", "facts", "cites"), QUESTIONS, ids=[q[0] for q in QUESTIONS]
)
def test_question_table(qid, intent, kwargs, facts, cites):
    result = answer(intent, **kwargs)
    for fact in facts:
        assert fact in result.text, f"{qid}: missing {fact!r} in:\n{result.text}"
    shown = {(c.doc, c.article) for c in result.citations}
    for cite in cites:
        assert cite in shown, f"{qid}: missing citation {cite}; has {sorted(shown)}"
    assert "依据：" in result.text
    assert "{param:" not in result.text and "{office:" not in result.text
    assert result.version


def test_table_has_at_least_40_questions():
    assert len(QUESTIONS) >= 40


def test_citation_titles_and_dates_are_shown():
    text = answer("ask_dibao_apply", text="多久能批下来").text
    assert "《最低生活保障审核确认办法》" in text
    assert "2021年7月1日起施行" in text
    assert "《关于进一步做好最低生活保障等社会救助兜底工作的通知》四、（一）" in text


def test_tekun_disability_grades_match_article_5():
    """特困人员认定办法 第五条: 智力/精神 一至三级, 肢体 一、二级, 视力 一级 — and nothing broader."""
    text = answer("ask_tekun").text
    assert "残疾等级为一、二、三级的智力、精神残疾人" in text
    assert "一、二级的肢体残疾人" in text
    assert "一级的视力残疾人" in text
    assert "三级的肢体" not in text and "二级的视力" not in text


def test_statistics_say_as_of_and_cite_the_report():
    result = answer("ask_statistics")
    assert "截至2023年6月底" in result.text
    assert "《略阳县2023年上半年社会救助工作总结》" in result.text


def test_programme_entity_narrows_the_question():
    assert answer("ask_dibao_eligibility", programme="特困供养").topic == "tekun"
    assert answer("ask_dibao_apply", programme="特困供养", text="多久能批").topic == "tekun_apply"
    assert answer("ask_dibao_standard", programme="临时救助").topic == "temp_relief_amount"
    assert answer("ask_materials", programme="低保边缘家庭").topic == "materials_edge_family"


def test_town_names_the_office():
    result = answer("ask_dibao_apply", town="郭镇")
    assert "郭镇人民政府" in result.text
    confirm = answer("ask_dibao_standard", town="郭镇").text
    assert "请向郭镇人民政府或略阳县民政局确认" in confirm


def test_amount_is_used_without_inventing_a_standard():
    result = answer("ask_dibao_eligibility", amount="2400", amount_period="month", household_size="3")
    assert "每月2400元" in result.text
    assert "人均约每月800元" in result.text
    assert "无法替您比较" in result.text


def test_amount_compared_when_the_standard_is_verified(tmp_path):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    block = text[text.index("  dibao.standard.urban_monthly:") : text.index("  dibao.standard.rural_yearly:")]
    verified = (
        block.replace("value: null", "value: 999")
        .replace("verified: false", "verified: true")
        .replace("effective_from: null", "effective_from: 2023-01-01")
    )
    path = tmp_path / "county.yml"
    path.write_text(text.replace(block, verified), encoding="utf-8")
    params = load_parameters(path)
    result = answer("ask_dibao_standard", params=params)
    assert "城市每人每月999元" in result.text
    note = result.text.split("说明：")[1].split("依据：")[0]
    assert "农村低保标准" in note and "城市低保标准" not in note
    compared = answer(
        "ask_dibao_eligibility", amount="1500", amount_period="month", household_size="2", params=params
    )
    assert "当地城市低保标准每人每月999元" in compared.text
    assert "人均约每月750元" in compared.text


def test_detail_button_payload_round_trip():
    kb = load_knowledge()
    first = answer("ask_dibao_eligibility")
    assert ("详细说明", '/ask_dibao_eligibility{"detail": "dibao_eligibility"}') in first.buttons
    payload = parse_payload(first.buttons[0][1])
    again = answer("ask_dibao_eligibility", detail=payload["detail"])
    assert "共同生活的家庭成员包括" in again.text
    assert not any(title == "详细说明" for title, _ in again.buttons)
    assert parse_payload(topic_payload(kb.topics["tekun_care"])) == {"topic": "tekun_care"}
    assert parse_payload("普通的一句话") == {}
    assert parse_payload("/ask_tekun{not json}") == {}


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [("那特困呢?", "ask_tekun", True), ("那临时救助呢", "ask_temp_relief", True), ("特困", "inform", True),
     ("特困怎么申请呢", "ask_tekun", False), ("特困供养需要什么条件", "ask_tekun", False),
     ('/ask_tekun{"topic": "tekun"}', "ask_tekun", False)],
)  # fmt: skip
def test_followup_detection(text, intent, expected):
    assert is_followup(text, intent, "特困供养", "timeline") is expected


def test_followup_answers_the_same_question_for_the_other_programme():
    first = answer("ask_dibao_apply", text="低保多久能批下来")
    assert first.family == "timeline"
    follow = followup_answer(first.family, "特困供养")
    assert follow.topic == "tekun_apply"
    assert "15个工作日" in follow.text
    assert follow.programme == "特困供养"
    standard = followup_answer("standard", "临时救助")
    assert standard.topic == "temp_relief_amount"
    # a kind of question the other programme has no topic for falls back to its overview
    assert followup_answer("single", "临时救助").topic == "temp_relief"


def test_unknown_intent_gets_the_menu():
    result = answer("ask_nonexistent")
    assert "我可以解答这些问题" in result.text
    assert result.buttons


@pytest.mark.parametrize("intent", [t for t in ("ask_dibao_eligibility", "ask_tekun", "ask_temp_relief")])
def test_answers_are_plain_text_without_internals(intent):
    text = answer(intent).text
    assert not re.search(r"Traceback|None|null|\{|\}", text)


def test_programme_intent_keeps_its_programme_when_the_text_names_it():
    assert answer("ask_tekun", programme="低保", text="低保和五保能同时吃吗").topic == "tekun"
    # a message about another programme only (misclassified intent) follows the entity
    assert answer("ask_tekun", programme="低保", text="低保多久能批下来").programme == "低保"
