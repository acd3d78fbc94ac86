"""Issue 15: the audited claims put right. Each row: a question, the facts its answer must contain, the words it
must not contain (the wrong claim), and the citations (document key, article) it must show. Facts checked against
shared/policy/sources and the county report (shared/seed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.cases.deadlines import statutory_deadline
from bot.cases.status import status_for
from bot.handoff.crisis import CrisisKind
from bot.handoff.emergency import emergency_text
from bot.policy.answers import answer, report_sections
from bot.policy.parameters import load_parameters
from bot.precheck.model import Answers, EventKind, Income, Residency, Status
from bot.precheck.rules import evaluate

DIBAO = "dibao_measures"
TEKUN = "tekun_measures"
SA = "sa_measures"
N2022 = "notice_2022"
REFORM = "reform_opinions"
MONITOR = "monitoring_opinions"
REPORT = "report_2023h1"
RECON = "reconsideration_law"
LITIG = "litigation_law"

# (id, intent, kwargs, facts, absent, citations)
AUDITED = [
    # item 1: the report has no 低保边缘家庭 count; the 三类人群 figures are not presented as one
    ("1 边缘家庭有多少户", "ask_statistics", {"programme": "低保边缘家庭"},
     ["没有低保边缘家庭的统计数字", "三类人群", "不是一回事"], ["315户897人", "412户1284人", "514户1615人"], [(REPORT, "")]),
    ("1 边缘户多少 (text)", "ask_statistics", {"text": "低保边缘户全县有多少户"},
     ["没有低保边缘家庭的统计数字"], ["315户897人"], []),
    ("1 三类人群 not under 边缘家庭", "ask_edge_family", {"text": "三类人群指什么"},
     ["脱贫不稳定户", "边缘易致贫户"], [], [(MONITOR, "四")]),
    # item 2: the 复议 and 诉讼 deadlines are national law (source 10) and the body is the county government
    ("2 复议多少天", "ask_appeal", {"text": "复议要在多少天内提"},
     ["60日内", "向略阳县人民政府申请行政复议"], ["待核实", "本助手暂无经过核实的数据"],
     [(RECON, "第二十条"), (RECON, "第二十四条")]),
    ("2 起诉期限", "ask_appeal", {"text": "低保没批，想去法院告，有没有期限"},
     ["6个月内直接向人民法院提起行政诉讼", "收到复议决定书之日起15日内"], [], [(LITIG, "第四十五条"), (LITIG, "第四十六条")]),
    ("2 没告知权利", "ask_appeal", {"text": "不服低保决定", "detail": True},
     ["最长不超过一年", "不可抗力"], [], [(RECON, "第二十条")]),
    ("2 话术", "ask_appeal", {"text": "行政复议", "audience": "staff"},
     ["60日内向略阳县人民政府申请行政复议", "第二十四条"], ["资料库未收录"], [(RECON, "第二十条")]),
    # item 3: 渐退期 is something the county "可以给予", not a promise
    ("3 渐退期", "ask_review", {"text": "找到工作了低保会不会马上停"},
     ["可以给予渐退期", "原则上不超过6个月", "由县民政局根据您家的情况决定"], ["不会马上全部停发"],
     [(N2022, "一、（三）"), (DIBAO, "第三十三条")]),
    ("3 渐退期话术", "ask_review", {"text": "上班了收入超标", "audience": "staff"},
     ["可给予渐退期", "不要承诺一定有"], ["不会马上"], [(N2022, "一、（三）")]),
    # item 4: the 10-working-day re-assessment is for a change in self-care ability (特困人员认定办法 第二十三条)
    ("4 自理能力复核", "ask_appeal", {"text": "对特困的评估结果不服", "detail": True},
     ["生活自理能力发生变化的", "10个工作日内组织复核评估", "申请行政复议"], ["有变化或不认可"],
     [(TEKUN, "第二十三条")]),
    # item 5: the one-off relief for migrant workers was a 2022 pandemic measure, said as such
    ("5 农民工一次性救助", "ask_temp_relief", {"topic": "temp_relief_nonlocal", "detail": True},
     ["2022年疫情期间", "这是当时针对疫情的措施", "一次性临时救助金"], ["受疫情等影响无法返岗"], [(N2022, "二、（一）")]),
    # item 6: the 乡镇 备用金 is something the opinions ask to push for, not a fact about 略阳
    ("6 备用金", "ask_temp_relief", {"topic": "temp_relief_apply", "detail": True},
     ["推动在乡镇（街道）建立临时救助备用金制度", "是否已经建立，本助手没有核实的信息"], ["推行临时救助备用金制度，便于"],
     [(REFORM, "二、（四）15")]),
    ("6 备用金话术", "ask_temp_relief", {"text": "临时救助", "audience": "staff"},
     ["不要说镇里一定有备用金"], ["可使用临时救助备用金先行救助"], [(REFORM, "二、（四）15")]),
    # item 7: 支出型 in the words of 社会救助暂行办法 第四十七条
    ("7 支出型", "ask_temp_relief", {"text": "支出型临时救助是什么意思"},
     ["因生活必需支出突然增加超出家庭承受能力", "按审核审批程序办理", "突发性、紧迫性、灾难性"],
     ["因医疗、教育等必需支出过大"], [(SA, "第四十七条"), (REFORM, "二、（四）15")]),
    # item 8: 临时救助 can also be asked for where the emergency happens, not only at the 户籍 place
    ("8 去哪办", "ask_contact", {"text": "办救助去哪里"},
     ["低保、特困供养向户籍所在地的镇政府（街道办事处）申请", "也可以向急难发生地的镇（街道）申请"],
     ["低保、特困供养、临时救助都由户籍所在地"], [(SA, "第四十八条"), (MONITOR, "四、（三）")]),
    # item 11: working days follow the official holiday schedule: make-up weekend days are working days
    ("11 工作日", "ask_dibao_apply", {"text": "低保多久能批下来", "detail": True},
     ["因调休要上班的周末算工作日", "公示期按自然日计算"], ["不含周末和法定节假日"], [(DIBAO, "第二十二条")]),
    # item 16: the department is 农业农村（乡村振兴）部门 (意见 五、（二）)
    ("16 三类人群谁识别", "ask_edge_family", {"text": "三类人群是哪个部门认定的"},
     ["农业农村（乡村振兴）部门"], ["由乡村振兴部门识别"], [(MONITOR, "五、（二）")]),
    ("16 话术", "ask_edge_family", {"topic": "three_groups", "audience": "staff"},
     ["县农业农村（乡村振兴）部门"], ["县乡村振兴部门"], [(MONITOR, "五、（二）")]),
    # item 17: the statistics cite the report's sections of the figures shown, 一是 (提标补发) included
    ("17 统计全部", "ask_statistics", {}, ["50.26万元", "4113.32万元"], [], [(REPORT, "一、一是、二是、三是、五是、六是")]),
    ("17 统计低保", "ask_statistics", {"programme": "低保"}, ["3855户8050人", "50.26万元"], ["1866人"],
     [(REPORT, "一、一是、二是")]),
    ("17 统计临时救助", "ask_statistics", {"programme": "临时救助"}, ["事前救助2998人次"], ["3855户"],
     [(REPORT, "一、一是、二是")]),
    # item 18: the 督导组 were set up under 略民发〔2023〕38号 (the review itself is 36号)
    ("18 督导组", "ask_review", {"text": "家里老人去世了低保怎么办", "detail": True},
     ["略民发〔2023〕36号", "按略民发〔2023〕38号由局领导带队成立3个督导组"], ["（略民发〔2023〕36号），由局领导带队"],
     [(REPORT, "一、二是")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("qid", "intent", "kwargs", "facts", "absent", "cites"), AUDITED, ids=[q[0] for q in AUDITED]
)
def test_audited_items(qid, intent, kwargs, facts, absent, cites):
    result = answer(intent, **kwargs)
    for fact in facts:
        assert fact in result.text, f"{qid}: missing {fact!r} in:\n{result.text}"
    for wrong in absent:
        assert wrong not in result.text, f"{qid}: {wrong!r} must not be in:\n{result.text}"
    shown = {(c.doc, c.article) for c in result.citations}
    for doc, article in cites:
        if article:
            assert (doc, article) in shown, f"{qid}: missing citation {(doc, article)}; has {sorted(shown)}"
        else:
            assert doc in {d for d, _ in shown}, f"{qid}: missing a citation of {doc}; has {sorted(shown)}"
    assert "依据：" in result.text
    assert "{param:" not in result.text and "{office:" not in result.text


def test_three_groups_and_rigid_expense_are_not_filed_under_edge_families():
    assert answer("ask_edge_family", topic="three_groups").programme is None
    assert answer("ask_edge_family", topic="rigid_expense").programme is None


@pytest.mark.parametrize(
    ("articles", "merged"),
    [
        (["一、二是", "一、一是、二是"], "一、一是、二是"),
        (["一、六是", "一、三是"], "一、三是、六是"),
        ([], ""),
    ],
)
def test_report_sections_merge_in_the_report_order(articles, merged):
    assert report_sections(articles) == merged


# --- the audited items fixed in code (their own suites test them in depth; here one check each) ------------------
def test_item_9_temp_relief_status_texts():
    approved = status_for("已批准", "临时救助")
    assert "一次性救助" in approved.next_step and "下个月" not in approved.next_step
    assert "7天" not in status_for("公示中", "临时救助").meaning
    assert "公示期为7天" in status_for("公示中", "低保").meaning


def test_item_10_deadlines():
    tekun = statutory_deadline("特困供养", date(2025, 3, 3))
    assert tekun.estimate and "估算" in tekun.description
    dibao = statutory_deadline("低保", date(2025, 3, 3))
    assert dibao.latest > dibao.due
    assert not dibao.is_overdue(dibao.due + (dibao.latest - dibao.due) / 2)  # past 30, within the lawful 45
    assert dibao.is_overdue(dibao.latest + (dibao.latest - dibao.due))


def test_items_12_13_emergency_text():
    text = emergency_text(CrisisKind.GENERAL, load_parameters(), town="郭镇")
    assert "二、（四）15" in text and "探索" not in text and "四、（三）" in text
    assert "本助手暂无核实的电话号码" in text and "尚未公布" not in text


def test_items_14_15_precheck():
    answers = Answers(
        residency=Residency.LOCAL_HUKOU, event=EventKind.MEDICAL_SPENDING, event_date=date(2026, 11, 1),
        household_size=1, income=Income(Decimal(9000)), status=Status.NONE, town="兴州街道",
    )  # fmt: skip
    street = evaluate(answers, load_parameters(), date(2026, 11, 28))
    village = evaluate(replace(answers, town="白水江镇"), load_parameters(), date(2026, 11, 28))
    assert "income" not in street.outcomes()  # no income line without the county's own rule (item 14)
    assert street.outcomes() == village.outcomes()  # the town's kind does not pick a standard (item 15)
