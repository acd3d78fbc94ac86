"""Table-driven tests of the temporary-relief rules, criterion by criterion.

Synthetic verified parameters (tests/precheck/conftest.py): rural 低保 standard 500/month, urban 700, deposit limit
24 months of the standard per person, emergency amount 3 months of the standard per person (ceiling 5000, township
limit 1000). No national source sets an income line for 临时救助 (issue 15 item 14): there is no income criterion
unless the county's own rule is set; ``county_rule_params`` adds one (1.5 x the standard: rural line 750 per
person and month, urban 1050), labelled 略阳县规定. Both standards are always compared (item 15: urban or rural
follows the household, which the pre-check does not ask, not the kind of town).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
import yaml

from bot.policy.parameters import load_parameters
from bot.precheck import citations as cite
from bot.precheck.model import (
    OUTSIDE,
    Answers,
    EventKind,
    Income,
    MoneyRange,
    Outcome,
    Overall,
    Period,
    Residency,
    Route,
    Status,
)
from bot.precheck.rules import QUESTION_ORDER, evaluate, questions_for

from .conftest import write_verified_copy

TODAY = date(2026, 11, 28)
RECENT = TODAY - timedelta(days=10)
D = Decimal

M, N, C = "met", "not_met", "needs_checking"

# A local rural household with a medical bill: the base every spending case varies.
SPENDING = Answers(
    residency=Residency.LOCAL_HUKOU,
    event=EventKind.MEDICAL_SPENDING,
    event_date=RECENT,
    household_size=3,
    income=Income(D(2000)),
    compensation=D(10000),
    loss=D(50000),
    savings=MoneyRange(D(0), D(10000)),
    status=Status.NONE,
    town="接官亭镇",
)
# A local household whose house burnt down (income is not asked for 急难型).
FIRE = replace(SPENDING, event=EventKind.FIRE, income=None, compensation=D(0))


def S(**kw) -> Answers:  # noqa: N802 - table shorthand
    return replace(SPENDING, **kw)


def F(**kw) -> Answers:  # noqa: N802 - table shorthand
    return replace(FIRE, **kw)


def crit(residency=M, event=M, timing=M, burden=M, income=None, prop=M) -> dict[str, str]:
    out = {"residency": residency, "event": event, "timing": timing, "burden": burden}
    if income is not None:
        out["income"] = income
    if prop is not None:
        out["property"] = prop
    return out


def emerg(residency=M, event=M, timing=M, burden=M) -> dict[str, str]:
    return crit(residency, event, timing, burden, income=None, prop=None)


LIKELY, UNLIKELY, CHECK = Overall.LIKELY, Overall.UNLIKELY, Overall.CHECK

CASES = [
    # --- 支出型 without a county income rule: income is no criterion (社会救助暂行办法 第四十七条) -----------------
    ("3 people 2000/month", S(), crit(), LIKELY),
    ("1 person 6000/month: income alone decides nothing", S(household_size=1, income=Income(D(6000))), crit(), LIKELY),
    ("2 people 4000/month", S(household_size=2, income=Income(D(4000))), crit(), LIKELY),
    ("6 people 0 income", S(household_size=6, income=Income(D(0))), crit(), LIKELY),
    ("三类人群, high income", S(status=Status.THREE_GROUPS, household_size=1, income=Income(D(6000))), crit(), LIKELY),
    # --- missing answers --------------------------------------------------------------------------------------
    ("income unknown", S(income=None), crit(), LIKELY),
    ("household size unknown", S(household_size=None), crit(prop=C), CHECK),
    ("savings unknown", S(savings=None), crit(burden=C, prop=C), CHECK),
    ("compensation unknown", S(compensation=None), crit(burden=C), CHECK),
    ("loss unknown", S(loss=None), crit(burden=C), CHECK),
    ("date unknown", S(event_date=None), crit(timing=C), CHECK),
    ("event unknown", S(event=None), crit(event=C), CHECK),
    ("residency unknown", S(residency=Residency.UNKNOWN), crit(residency=C), CHECK),
    ("everything unknown", Answers(), crit(C, C, C, C, prop=C), CHECK),
    # --- money already received, savings ---------------------------------------------------------------------
    ("compensation covers the bill", S(compensation=D(50000)), crit(burden=N), UNLIKELY),
    ("savings between the rural and urban limits (36000 / 50400)", S(savings=MoneyRange(D(40000), D(45000)), loss=D(200000)), crit(prop=C), CHECK),
    ("savings above both limits", S(savings=MoneyRange(D(60000), D(70000)), loss=D(200000)), crit(prop=N), UNLIKELY),
    ("savings range straddles the limit", S(savings=MoneyRange(D(30000), D(100000)), loss=D(200000)), crit(prop=C), CHECK),
    ("savings 10万以上 cover the unmet bill", S(savings=MoneyRange(D(100000), None)), crit(burden=N, prop=N), UNLIKELY),
    ("other spending", S(event=EventKind.OTHER_SPENDING), crit(event=C), CHECK),
    ("education spending", S(event=EventKind.EDUCATION_SPENDING), crit(), LIKELY),
    ("residence permit, spending", S(residency=Residency.LOCAL_PERMIT), crit(residency=C), CHECK),
    # --- 急难型 --------------------------------------------------------------------------------------------------
    ("fire, 50000 lost, little savings", F(), emerg(), LIKELY),
    ("accident in town", F(event=EventKind.ACCIDENT, town="兴州街道"), emerg(), LIKELY),
    ("sudden illness 200 days ago", F(event=EventKind.ILLNESS_SUDDEN, event_date=TODAY - timedelta(days=200)), emerg(timing=C), CHECK),
    ("disaster, date unknown", F(event=EventKind.DISASTER, event_date=None), emerg(timing=C), CHECK),
    ("date in the future", F(event_date=TODAY + timedelta(days=3)), emerg(timing=C), CHECK),
    ("other emergency", F(event=EventKind.OTHER_EMERGENCY), emerg(event=C), CHECK),
    ("fire, savings cover the loss", F(loss=D(20000), savings=MoneyRange(D(50000), None)), emerg(burden=N), UNLIKELY),
    ("fire, insurance paid everything", F(compensation=D(60000)), emerg(burden=N), UNLIKELY),
    ("fire, high income does not matter", F(income=Income(D(20000))), emerg(), LIKELY),
    ("fire, residence permit", F(residency=Residency.LOCAL_PERMIT), emerg(), LIKELY),
    # --- not local --------------------------------------------------------------------------------------------
    ("non-local, emergency happened in 接官亭镇", Answers(Residency.NONLOCAL, EventKind.FIRE, RECENT, town="接官亭镇"),
     {"residency": M, "event": M, "timing": M}, LIKELY),
    ("non-local, emergency elsewhere", Answers(Residency.NONLOCAL, EventKind.ACCIDENT, RECENT, town=OUTSIDE),
     {"residency": C, "event": M, "timing": M}, CHECK),
    ("non-local, spending", Answers(Residency.NONLOCAL, EventKind.MEDICAL_SPENDING, RECENT, town=OUTSIDE),
     {"residency": C, "event": M, "timing": M}, CHECK),
    # --- already on 低保 / 特困 / 边缘 ---------------------------------------------------------------------------
    ("on 低保, medical bill (income, savings not asked)", S(status=Status.DIBAO, income=None, savings=None), crit(prop=None), LIKELY),
    ("特困, fire", F(status=Status.TEKUN, savings=None), emerg(), LIKELY),
    ("低保边缘, education", S(status=Status.EDGE, event=EventKind.EDUCATION_SPENDING, income=None, savings=None), crit(prop=None), LIKELY),
    ("on 低保 but compensation covers it", S(status=Status.DIBAO, income=None, savings=None, compensation=D(60000)),
     crit(burden=N, prop=None), UNLIKELY),
]


@pytest.mark.parametrize(("answers", "expected", "overall"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rules_table(verified_params, answers, expected, overall):
    result = evaluate(answers, verified_params, TODAY)
    assert result.outcomes() == expected
    assert result.overall is overall
    for c in result.criteria:
        assert c.rule and c.finding
        assert "《" in c.citation, f"{c.key} must cite a document"
    assert result.data_version == verified_params.version


def test_table_has_at_least_30_cases():
    assert len(CASES) >= 30


# --- the county's own income rule (issue 15 item 14) ------------------------------------------------------------
COUNTY_RULE_SOURCE = "测试用：略阳县临时救助实施细则（假设的文件）第五条"


@pytest.fixture(scope="module")
def county_rule_params(tmp_path_factory):
    path = write_verified_copy(tmp_path_factory.mktemp("county-rule") / "county.yml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["parameters"]["temp_relief.spending_income_multiple"] = {
        "value": 1.5, "unit": "倍低保标准", "source": COUNTY_RULE_SOURCE, "effective_from": "2023-01-01",
        "verified": True, "note": "test only",
    }  # fmt: skip
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_parameters(path)


INCOME_CASES = [
    ("3 people 2000/month: 667 per person, below", S(), crit(income=M), LIKELY),
    ("3 people 2249/month: just below the line", S(income=Income(D(2249))), crit(income=M), LIKELY),
    ("3 people 2250/month: the rural line, below the urban one", S(income=Income(D(2250))), crit(income=C), CHECK),
    ("1 person 749/month", S(household_size=1, income=Income(D(749)), savings=MoneyRange(D(0), D(0))), crit(income=M), LIKELY),
    ("1 person 751/month: between the lines", S(household_size=1, income=Income(D(751)), savings=MoneyRange(D(0), D(0))), crit(income=C), CHECK),
    ("1 person 6000/month: above both lines", S(household_size=1, income=Income(D(6000))), crit(income=N), UNLIKELY),
    ("4 people 35999/year: below", S(household_size=4, income=Income(D(35999), Period.YEAR)), crit(income=M), LIKELY),
    ("4 people 36000/year: the rural line", S(household_size=4, income=Income(D(36000), Period.YEAR)), crit(income=C), CHECK),
    # urban or rural follows the household, not the town: a 街道 and a 镇 household are judged alike (item 15)
    ("街道, 2 people 2099/month: below urban, above rural", S(town="兴州街道", household_size=2, income=Income(D(2099))), crit(income=C), CHECK),
    ("镇, 2 people 2099/month: the same", S(town="白水江镇", household_size=2, income=Income(D(2099))), crit(income=C), CHECK),
    ("街道, 2 people 1400/month: below both", S(town="兴州街道", household_size=2, income=Income(D(1400))), crit(income=M), LIKELY),
    ("镇, 2 people 2200/month: above both", S(town="接官亭镇", household_size=2, income=Income(D(2200))), crit(income=N), UNLIKELY),
    ("5 people 3000/month", S(household_size=5, income=Income(D(3000))), crit(income=M), LIKELY),
    ("2 people 3000/month: above both lines", S(household_size=2, income=Income(D(3000))), crit(income=N), UNLIKELY),
    ("income unknown", S(income=None), crit(income=C), CHECK),
    ("household size unknown", S(household_size=None), crit(income=C, prop=C), CHECK),
    ("on 低保: income checked by the township", S(status=Status.DIBAO, income=None, savings=None), crit(income=M, prop=None), LIKELY),
    ("三类人群: the county rule applies", S(status=Status.THREE_GROUPS, household_size=1, income=Income(D(6000))), crit(income=N), UNLIKELY),
    ("急难型: no income rule", F(income=Income(D(20000))), emerg(), LIKELY),
]  # fmt: skip


@pytest.mark.parametrize(("answers", "expected", "overall"), [c[1:] for c in INCOME_CASES], ids=[c[0] for c in INCOME_CASES])
def test_the_county_income_rule(county_rule_params, answers, expected, overall):
    result = evaluate(answers, county_rule_params, TODAY)
    assert result.outcomes() == expected
    assert result.overall is overall
    if "income" in expected:
        income = result.criterion("income")
        assert income.title == "家庭收入（略阳县规定）"
        if answers.status not in (Status.DIBAO, Status.TEKUN):
            assert income.citation == f"略阳县规定（{COUNTY_RULE_SOURCE}）"
            assert "国家文件没有统一的收入线" in income.rule


def test_no_income_line_is_presented_as_national():
    """Without the county's rule no criterion, rule or citation speaks of an income line for 临时救助."""
    result = evaluate(S(household_size=1, income=Income(D(6000))), load_parameters(), TODAY)
    assert "income" not in result.outcomes()
    text = " ".join(c.rule + c.citation for c in result.criteria)
    assert "收入线" not in text and "可支配收入" not in text and "1.5倍" not in text


# --- estimate ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answers", "amount", "within"),
    [
        (F(household_size=3), D(4500), False),  # 3 months x 500 x 3
        (F(household_size=4), D(5000), False),  # 6000 capped at the ceiling
        (F(household_size=1, town="兴州街道"), D(1500), False),  # 3 x 500 (rural); 3 x 700 = 2100 (urban) in the method
        (F(household_size=1, town="白水江镇", event_date=None), D(1500), False),  # needs checking still estimates
    ],
)
def test_estimate_only_with_verified_parameters(verified_params, answers, amount, within):
    result = evaluate(answers, verified_params, TODAY)
    assert result.estimate is not None
    assert result.estimate.yuan == amount
    assert result.estimate.within_township_limit is within


@pytest.mark.parametrize(
    "answers",
    [
        F(household_size=None),  # cannot estimate without the household size
        F(town=None),  # nor without knowing urban or rural
        F(compensation=D(60000)),  # not for an unlikely case
        S(),  # 支出型 amounts are set by the review
    ],
)
def test_no_estimate_when_something_is_missing(verified_params, answers):
    assert evaluate(answers, verified_params, TODAY).estimate is None


def test_real_parameters_never_give_a_figure(real_params):
    """With the county file as it is (local amounts unverified) there is no estimate and no income verdict."""
    fire = evaluate(FIRE, real_params, TODAY)
    assert fire.estimate is None
    assert "没有核实" in fire.estimate_note
    assert fire.overall is Overall.LIKELY  # 急难型 does not depend on unverified amounts
    spending = evaluate(SPENDING, real_params, TODAY)
    assert "income" not in spending.outcomes()  # no income line: the county has set no rule of its own
    assert spending.outcomes()["property"] == C
    assert "尚未核实" in spending.criterion("property").finding
    assert spending.overall is Overall.CHECK


# --- urban or rural: the household, not the town (issue 15 item 15) ---------------------------------------------
@pytest.mark.parametrize("town", ["兴州街道", "横现河街道", "接官亭镇", "郭镇", None])
def test_the_kind_of_town_does_not_choose_the_standard(verified_params, town):
    """兴州街道 has villages and every 镇 has town residents: the pre-check does not ask whether the household is
    urban or rural, so it compares with both standards, whatever the town."""
    base = evaluate(F(household_size=1, town="接官亭镇"), verified_params, TODAY)
    result = evaluate(F(household_size=1, town=town or "接官亭镇"), verified_params, TODAY)
    assert result.estimate == base.estimate
    assert "按农村低保标准每人每月500元 × 3个月 × 1口人估算" in result.estimate.method
    assert "按城市低保标准（每人每月700元）估算为2,100元" in result.estimate.method
    assert "由乡镇按您家的户籍和居住情况确定" in result.estimate.method
    savings = evaluate(S(town=town, savings=MoneyRange(D(40000), D(45000)), loss=D(200000)), verified_params, TODAY)
    assert savings.criterion("property").outcome is Outcome.NEEDS_CHECKING
    assert "由乡镇按您家的户籍和居住情况确定" in savings.criterion("property").finding


def test_the_same_estimate_under_both_standards_is_given_once(verified_params):
    result = evaluate(F(household_size=4), verified_params, TODAY)  # both capped at the 5000 ceiling
    assert result.estimate.yuan == D(5000) and "城市" not in result.estimate.method


# --- route, offices, documents -----------------------------------------------------------------------------------
def test_routes(verified_params):
    assert evaluate(FIRE, verified_params, TODAY).route is Route.EMERGENCY_FIRST
    assert "小金额先行救助" in evaluate(FIRE, verified_params, TODAY).route_text
    assert evaluate(SPENDING, verified_params, TODAY).route is Route.NORMAL
    nonlocal_ = evaluate(Answers(Residency.NONLOCAL, EventKind.FIRE, RECENT, town=OUTSIDE), verified_params, TODAY)
    assert nonlocal_.route is Route.NONLOCAL
    assert "救助管理站" in nonlocal_.route_text


def test_offices(verified_params):
    fire = evaluate(FIRE, verified_params, TODAY)
    assert [o.name for o in fire.offices] == ["接官亭镇人民政府"]
    assert set(fire.offices[0].unverified) == {"address", "phone", "hours"}
    no_town = evaluate(F(town=None), verified_params, TODAY)
    assert [o.name for o in no_town.offices] == ["略阳县民政局"]
    outside = evaluate(Answers(Residency.NONLOCAL, EventKind.FIRE, RECENT, town=OUTSIDE), verified_params, TODAY)
    assert [o.name for o in outside.offices] == ["略阳县救助站"]
    assert outside.offices[0].phone == "0916-4822453" and "phone" in outside.offices[0].unverified
    here = evaluate(Answers(Residency.NONLOCAL, EventKind.FIRE, RECENT, town="郭镇"), verified_params, TODAY)
    assert [o.name for o in here.offices] == ["郭镇人民政府", "略阳县救助站"]


def test_status_notes(verified_params, county_rule_params):
    dibao = evaluate(S(status=Status.DIBAO), verified_params, TODAY)
    assert "不会减少" in dibao.status_note
    assert evaluate(S(), verified_params, TODAY).status_note is None
    assert evaluate(S(status=Status.DIBAO), county_rule_params, TODAY).criterion("income").citation == cite.ART_47


@pytest.mark.parametrize(
    ("answers", "present", "absent"),
    [
        (F(), ["火灾事故认定书", "事后补充"], ["出院小结"]),
        (S(), ["出院小结", "报销结算单", "赔偿、保险金"], ["火灾"]),
        (F(event=EventKind.ACCIDENT), ["交通事故认定书"], ["赔偿、保险金或捐助的证明"]),
        (S(event=EventKind.EDUCATION_SPENDING, compensation=D(0)), ["在读证明"], ["赔偿、保险金"]),
        (S(status=Status.DIBAO), ["低保证"], []),
        (S(residency=Residency.LOCAL_PERMIT), ["居住证"], []),
        (Answers(Residency.NONLOCAL, EventKind.FIRE, RECENT, town=OUTSIDE), ["身份证"], ["银行卡"]),
    ],
)
def test_document_checklist_is_tailored(verified_params, answers, present, absent):
    docs = "\n".join(evaluate(answers, verified_params, TODAY).documents)
    for item in present:
        assert item in docs
    for item in absent:
        assert item not in docs


# --- which questions are asked --------------------------------------------------------------------------------------
def test_questions_skip_what_does_not_matter():
    assert questions_for(Answers()) == list(QUESTION_ORDER)
    assert questions_for(Answers(residency=Residency.NONLOCAL)) == ["residency", "event", "date", "town"]
    assert "income" not in questions_for(Answers(event=EventKind.FIRE))
    assert "savings" in questions_for(Answers(event=EventKind.FIRE))
    dibao = questions_for(Answers(status=Status.DIBAO, event=EventKind.MEDICAL_SPENDING))
    assert "income" not in dibao and "savings" not in dibao and "household_size" in dibao
    assert "income" in questions_for(Answers(status=Status.THREE_GROUPS, event=EventKind.MEDICAL_SPENDING))
