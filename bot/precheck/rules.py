"""The temporary-relief pre-check rules as code.

``evaluate(answers, params, today)`` returns a ``Result``: every applicable criterion with its outcome (met /
not met / needs checking), the rule in one line and its citation; the overall outcome with a one-sentence reason;
the route; a tailored document checklist; the offices to go to; and an estimated amount only when every county
parameter the estimate uses is verified.

``questions_for(answers)`` says which questions still matter given the answers so far (non-local people skip the
money questions; families already on 低保/特困/低保边缘 skip income and savings).

Local amounts come only from ``CountyParameters`` (``bot/policy/data/county.yml``). A value that is not verified is
never used as a figure: the criterion that depends on it becomes "needs checking".

No national source sets an income line for 临时救助: 支出型 asks whether a necessary expense exceeds what the
household can bear (社会救助暂行办法 第四十七条), which the "burden" criterion checks. An income criterion exists only
as the county's own rule (``temp_relief.spending_income_multiple``), labelled 略阳县规定 and cited by its source,
once the bureau has set and verified it. The income question is still asked for 支出型: the answer is saved with the
pre-check for the township, and the flow stays the same when the county sets the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from bot.errors import TownError, UnknownParameter
from bot.precheck import citations as cite
from bot.precheck.documents import checklist
from bot.precheck.model import (
    Answers,
    Category,
    Criterion,
    Estimate,
    EventKind,
    OfficeInfo,
    Outcome,
    Overall,
    Residency,
    Result,
    Route,
    Status,
)

RULES_VERSION = "precheck-rules-1"

# Question keys in the order they are asked (the Rasa slots are these names prefixed with ``pc_``).
QUESTION_ORDER: tuple[str, ...] = (
    "residency",
    "event",
    "date",
    "status",
    "household_size",
    "income",
    "compensation",
    "loss",
    "savings",
    "town",
)

# A heuristic of this pre-check, not a county rule: older events are flagged for the township to check.
RECENT_DAYS = 90

# said when the urban and the rural 低保 standard give different results
WHICH_STANDARD = "适用城市还是农村低保标准，由乡镇按您家的户籍和居住情况确定"

# Keys in the county parameter file.
K_URBAN = "dibao.standard.urban_monthly"
K_RURAL = "dibao.standard.rural_yearly"
K_EDGE_MULTIPLE = "edge_family.income_multiple"
K_MULTIPLE_MONTHS = "temp_relief.emergency_multiple_months"
K_CEILING = "temp_relief.ceiling"
K_TOWNSHIP_LIMIT = "temp_relief.township_approval_limit"
K_DEPOSIT_MONTHS = "dibao.property.deposit_limit_months"
# The county's OWN income condition for 支出型 临时救助, as a multiple of the 低保 standard. No national source
# sets an income line for 临时救助 (社会救助暂行办法 第四十七条 asks whether a necessary expense exceeds what the
# household can bear), so there is no income criterion unless the bureau has set and verified this value.
K_SPENDING_INCOME_MULTIPLE = "temp_relief.spending_income_multiple"


class ParamLike(Protocol):
    value: Any
    verified: bool
    note: str


class OfficeLike(Protocol):
    name: str
    address: ParamLike
    phone: ParamLike
    hours: ParamLike


class ParametersLike(Protocol):
    """What the rules need from ``bot.policy.parameters.CountyParameters``."""

    version: str

    def get(self, key: str) -> ParamLike: ...
    def office(self, town: str | None = None) -> OfficeLike: ...
    def relief_station(self) -> OfficeLike: ...
    def bureau(self) -> OfficeLike: ...


# --- which questions to ask ---------------------------------------------------------------------------------------
def questions_for(answers: Answers) -> list[str]:
    """The questions that matter given ``answers`` so far, in asking order.

    - not local (neither 户籍 nor 居住证 in 略阳): only what happened, when and where (the route is help where the
      emergency happened, or the relief station): household, money and status questions are skipped;
    - already on 低保/特困 or registered 低保边缘: income and property were checked by the township, so the income
      and savings questions are skipped.
    """
    if answers.residency is Residency.NONLOCAL:
        return ["residency", "event", "date", "town"]
    skip: set[str] = set()
    if answers.category is Category.EMERGENCY:
        skip.add("income")  # 急难型 does not depend on income (办法第四十七条; 意见 二、（四）14)
    if answers.status is not None and answers.status.means_known:
        skip |= {"income", "savings"}
    return [q for q in QUESTION_ORDER if q not in skip]


# --- parameters -------------------------------------------------------------------------------------------------
def _verified(params: ParametersLike, key: str) -> Decimal | None:
    """The verified value of ``key`` as Decimal, else None (unknown key, null or unverified value)."""
    try:
        param = params.get(key)
    except (UnknownParameter, KeyError):
        return None
    if not param.verified or param.value is None:
        return None
    try:
        return Decimal(str(param.value))
    except ArithmeticError:
        return None


def _standard_candidates(params: ParametersLike) -> list[tuple[str, Decimal | None]]:
    """Monthly per-person 低保 standards that may apply: both, always.

    Whether the urban or the rural standard applies follows the household (its 户籍 and residence), not the kind
    of town (a 镇 has town residents, a 街道 villages), and the pre-check does not ask it: a comparison that the
    two standards decide differently is left to the township (``WHICH_STANDARD``).
    """
    urban = ("城市", _verified(params, K_URBAN))
    rural_yearly = _verified(params, K_RURAL)
    rural = ("农村", rural_yearly / 12 if rural_yearly is not None else None)
    return [urban, rural]


def _yuan(value: Decimal) -> str:
    q = value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{q:,}元"


def _compare_all(value: Decimal, lines: Sequence[Decimal]) -> str:
    """'below' when value < every line, 'above' when value >= every line, else 'mixed'."""
    if all(value < line for line in lines):
        return "below"
    if all(value >= line for line in lines):
        return "above"
    return "mixed"


# --- criteria ---------------------------------------------------------------------------------------------------
def _residency(a: Answers) -> Criterion:
    title = "户籍或居住地"
    kind = a.category
    if a.residency is Residency.LOCAL_HUKOU:
        return Criterion(
            "residency", title, Outcome.MET,
            "临时救助向户籍所在地的乡镇人民政府或街道办事处申请。",
            cite.ART_48, "户籍在略阳。",
        )  # fmt: skip
    if a.residency is Residency.LOCAL_PERMIT:
        if kind is Category.EMERGENCY:
            return Criterion(
                "residency", title, Outcome.MET,
                "遭遇急难的，不受户籍地、居住地限制，可在急难发生地或居住地申请。",
                cite.join(cite.OPINION_2023_WHERE, cite.OPINION_2020_EMERGENCY), "持有略阳居住证。",
            )  # fmt: skip
        return Criterion(
            "residency", title, Outcome.NEEDS_CHECKING,
            "持居住证人员在居住地申办社会救助，要看当地是否已开展，需向乡镇（街道）确认。",
            cite.OPINION_2020_RESIDENCE, "持有略阳居住证，户籍不在略阳。",
        )  # fmt: skip
    if a.residency is Residency.NONLOCAL:
        if kind is Category.EMERGENCY and a.town_in_county:
            return Criterion(
                "residency", title, Outcome.MET,
                "遭遇急难的，取消户籍地、居住地申请限制，在急难发生地申请临时救助。",
                cite.join(cite.OPINION_2023_WHERE, cite.NOTICE_2022_WHERE), f"户籍不在略阳，急难发生在{a.town}。",
            )  # fmt: skip
        if kind is Category.EMERGENCY or kind is None:
            return Criterion(
                "residency", title, Outcome.NEEDS_CHECKING,
                "外地人员遭遇急难，向急难发生地申请临时救助；生活无着的，可以找当地救助管理站。",
                cite.join(cite.OPINION_2023_WHERE, cite.ART_50), "户籍和居住证都不在略阳。",
            )  # fmt: skip
        return Criterion(
            "residency", title, Outcome.NEEDS_CHECKING,
            "支出型困难一般向户籍所在地的乡镇（街道）申请。",
            cite.ART_48, "户籍和居住证都不在略阳。",
        )  # fmt: skip
    return Criterion(
        "residency", title, Outcome.NEEDS_CHECKING,
        "临时救助向户籍所在地（或居住地、急难发生地）的乡镇（街道）申请。",
        cite.join(cite.ART_48, cite.OPINION_2023_WHERE), "户籍情况不清楚。",
    )  # fmt: skip


def _event(a: Answers) -> Criterion:
    title = "遭遇的困难"
    e = a.event
    if e is None:
        return Criterion(
            "event", title, Outcome.NEEDS_CHECKING,
            "临时救助针对意外事件、突发重病、生活必需支出突然增加等导致基本生活暂时严重困难的家庭。",
            cite.ART_47, "发生了什么还不清楚。",
        )  # fmt: skip
    if e is EventKind.OTHER_EMERGENCY:
        return Criterion(
            "event", title, Outcome.NEEDS_CHECKING,
            "遭遇突发性、紧迫性、灾难性困难、靠自身无力解决的，属于急难型临时救助；是否属于由乡镇核实。",
            cite.join(cite.ART_47, cite.OPINION_2020_EMERGENCY), f"{e.label}（急难型）。",
        )  # fmt: skip
    if e is EventKind.OTHER_SPENDING:
        return Criterion(
            "event", title, Outcome.NEEDS_CHECKING,
            "生活必需支出突然增加、超出家庭承受能力的，属于支出型临时救助；哪些支出算“必需”由乡镇核实。",
            cite.join(cite.ART_47, cite.OPINION_2020_TYPES), f"{e.label}（支出型）。",
        )  # fmt: skip
    if e.category is Category.SPENDING:
        return Criterion(
            "event", title, Outcome.MET,
            "因生活必需支出突然增加、超出家庭承受能力导致基本生活暂时严重困难的，可申请支出型临时救助。",
            cite.join(cite.ART_47, cite.OPINION_2020_TYPES), f"{e.label}（支出型）。",
        )  # fmt: skip
    citation = cite.join(cite.ART_47, cite.OPINION_2020_TYPES)
    if e is EventKind.DISASTER:
        citation = cite.join(citation, cite.OPINION_2020_DISASTER)
    return Criterion(
        "event", title, Outcome.MET,
        "因火灾、交通事故等意外事件或家人突发重大疾病导致基本生活暂时严重困难的，可申请急难型临时救助。",
        citation, f"{e.label}（急难型）。",
    )  # fmt: skip


def _timing(a: Answers, today: date) -> Criterion:
    title = "发生时间"
    rule = "临时救助解决的是“暂时”出现的严重困难，困难发生后应尽快申请。"
    if a.event_date is None:
        return Criterion("timing", title, Outcome.NEEDS_CHECKING, rule, cite.ART_47, "发生时间不清楚。")
    days = (today - a.event_date).days
    when = f"{a.event_date.year}年{a.event_date.month}月{a.event_date.day}日"
    if days < 0:
        return Criterion("timing", title, Outcome.NEEDS_CHECKING, rule, cite.ART_47, f"{when}还没到，请核对日期。")
    if days <= RECENT_DAYS:
        return Criterion("timing", title, Outcome.MET, rule, cite.ART_47, f"{when}发生，是近期的困难。")
    return Criterion(
        "timing", title, Outcome.NEEDS_CHECKING, rule, cite.ART_47,
        f"{when}发生，已超过{RECENT_DAYS}天，需要乡镇核实现在是否仍有严重困难。",
    )  # fmt: skip


def _burden(a: Answers) -> Criterion:
    title = "损失或支出是否超出家庭承受能力"
    rule = "事件造成的损失或支出，扣除已获得的赔偿、保险和捐助后，靠家庭自身无力解决。"
    citation = cite.join(cite.ART_47, cite.OPINION_2020_EMERGENCY)
    if a.loss is None:
        return Criterion("burden", title, Outcome.NEEDS_CHECKING, rule, citation, "损失或支出金额不清楚。")
    if a.compensation is None:
        return Criterion(
            "burden", title, Outcome.NEEDS_CHECKING, rule, citation,
            f"损失或支出约{_yuan(a.loss)}，已获得的赔偿或保险金额不清楚。",
        )  # fmt: skip
    net = a.loss - a.compensation
    if net <= 0:
        return Criterion(
            "burden", title, Outcome.NOT_MET, rule, citation,
            f"损失或支出约{_yuan(a.loss)}，已获得的赔偿、保险或捐助约{_yuan(a.compensation)}，已经能够覆盖。",
        )  # fmt: skip
    gap = f"扣除已获得的{_yuan(a.compensation)}后，还有约{_yuan(net)}没有着落"
    if a.status is not None and a.status.means_known:
        return Criterion("burden", title, Outcome.MET, rule, citation, f"{gap}，家庭已是{a.status.label}。")
    if a.savings is None:
        return Criterion("burden", title, Outcome.NEEDS_CHECKING, rule, citation, f"{gap}，家庭存款情况不清楚。")
    if a.savings.high is not None and a.savings.high < net:
        return Criterion("burden", title, Outcome.MET, rule, citation, f"{gap}，超过家庭存款。")
    if a.savings.low >= net:
        return Criterion(
            "burden", title, Outcome.NOT_MET, rule, citation, f"{gap}，家庭存款（{_range(a.savings)}）足以承担。"
        )
    return Criterion(
        "burden", title, Outcome.NEEDS_CHECKING, rule, citation,
        f"{gap}，与家庭存款（{_range(a.savings)}）相近，需要乡镇核实。",
    )  # fmt: skip


def _range(r) -> str:
    if r.high is None:
        return f"{_yuan(r.low)}以上"
    if r.high == r.low:
        return f"约{_yuan(r.low)}"
    if r.low == 0:
        return f"{_yuan(r.high)}以下"
    return f"{_yuan(r.low)}到{_yuan(r.high)}"


def _county_rule(params: ParametersLike, key: str) -> tuple[Decimal, str] | None:
    """A verified county rule's value and the citation of its source (the bureau's own document), else None."""
    value = _verified(params, key)
    if value is None:
        return None
    source = str(getattr(params.get(key), "source", "") or "").strip()
    return value, f"略阳县规定（{source}）" if source else "略阳县规定"


def _income(a: Answers, params: ParametersLike) -> Criterion | None:
    """The county's own income condition for 支出型 临时救助, only when the bureau has set and verified it (None
    otherwise: the national rules set no income line; the income answer is kept for the township)."""
    rule_set = _county_rule(params, K_SPENDING_INCOME_MULTIPLE)
    if rule_set is None:
        return None
    multiple, citation = rule_set
    title = "家庭收入（略阳县规定）"
    rule = f"略阳县规定：家庭人均收入低于当地低保标准的{multiple.normalize()}倍（县里的规定，国家文件没有统一的收入线）。"
    if a.status in (Status.DIBAO, Status.TEKUN):
        return Criterion(
            "income", title, Outcome.MET,
            "低保家庭、特困人员的收入已经乡镇核实，可以申请临时救助。",
            cite.ART_47, f"家庭已是{a.status.label}。",
        )  # fmt: skip
    if a.income is None or a.household_size is None:
        missing = "家庭收入" if a.income is None else "家庭人数"
        return Criterion("income", title, Outcome.NEEDS_CHECKING, rule, citation, f"{missing}不清楚，无法计算人均收入。")
    per_capita = a.income.monthly / a.household_size
    finding = f"全家每月约{_yuan(a.income.monthly)}，{a.household_size}口人，人均每月约{_yuan(per_capita)}"
    candidates = _standard_candidates(params)
    if any(std is None for _, std in candidates):
        return Criterion(
            "income", title, Outcome.NEEDS_CHECKING, rule, citation,
            f"{finding}；略阳现行低保标准尚未核实，需要乡镇对照标准核算。",
        )  # fmt: skip
    lines = [multiple * std for _, std in candidates if std is not None]
    line_text = "、".join(f"{name}{_yuan(multiple * std)}" for name, std in candidates if std is not None)
    position = _compare_all(per_capita, lines)
    if position == "below":
        return Criterion("income", title, Outcome.MET, rule, citation, f"{finding}，低于收入线（人均每月{line_text}）。")
    if position == "mixed":
        return Criterion(
            "income", title, Outcome.NEEDS_CHECKING, rule, citation,
            f"{finding}，介于城市和农村收入线之间（人均每月{line_text}），{WHICH_STANDARD}。",
        )  # fmt: skip
    return Criterion(
        "income", title, Outcome.NOT_MET, rule, citation, f"{finding}，不低于收入线（人均每月{line_text}）。"
    )


def _property(a: Answers, params: ParametersLike) -> Criterion:
    title = "家庭存款等财产"
    rule = "家庭财产状况（存款、有价证券等）需符合当地规定。"
    citation = cite.join(cite.OPINION_2023_LOW_INCOME, cite.RIGID_CONDITIONS, cite.DIBAO_PROPERTY)
    if a.savings is None:
        return Criterion("property", title, Outcome.NEEDS_CHECKING, rule, citation, "存款情况不清楚。")
    if a.household_size is None:
        return Criterion("property", title, Outcome.NEEDS_CHECKING, rule, citation, "家庭人数不清楚，无法计算人均存款。")
    months = _verified(params, K_DEPOSIT_MONTHS)
    candidates = _standard_candidates(params)
    savings_text = f"家庭存款{_range(a.savings)}，{a.household_size}口人"
    if months is None or any(std is None for _, std in candidates):
        return Criterion(
            "property", title, Outcome.NEEDS_CHECKING, rule, citation,
            f"{savings_text}；略阳的存款标准尚未核实，需要乡镇核实。",
        )  # fmt: skip
    limits = [months * std * a.household_size for _, std in candidates if std is not None]
    rule = f"家庭人均存款等金融资产一般不超过{months.normalize()}个月的当地低保标准。"
    limit_text = "、".join(_yuan(x) for x in limits)
    if a.savings.high is not None and all(a.savings.high <= x for x in limits):
        return Criterion("property", title, Outcome.MET, rule, citation, f"{savings_text}，未超过全家上限（{limit_text}）。")
    if all(a.savings.low > x for x in limits):
        return Criterion("property", title, Outcome.NOT_MET, rule, citation, f"{savings_text}，超过全家上限（{limit_text}）。")
    return Criterion(
        "property", title, Outcome.NEEDS_CHECKING, rule, citation,
        f"{savings_text}，与全家上限（{limit_text}）相近或介于两者之间，需要核实；{WHICH_STANDARD}。",
    )  # fmt: skip


# --- overall, route, estimate -------------------------------------------------------------------------------------
def _criteria(a: Answers, params: ParametersLike, today: date) -> list[Criterion]:
    out = [_residency(a), _event(a), _timing(a, today)]
    if a.residency is Residency.NONLOCAL:
        return out  # money questions were not asked: the township where it happened assesses them
    out.append(_burden(a))
    if a.category is Category.EMERGENCY:
        return out  # 急难型: the event and the unmet need decide; income and property are not conditions
    income = _income(a, params)
    if income is not None:  # only the county's own, verified rule
        out.append(income)
    if not (a.status is not None and a.status.means_known):
        out.append(_property(a, params))
    return out


def _overall(criteria: Sequence[Criterion], category: Category | None) -> tuple[Overall, str]:
    not_met = [c for c in criteria if c.outcome is Outcome.NOT_MET]
    if not_met:
        first = not_met[0]
        return Overall.UNLIKELY, f"“{first.title}”一项不符合：{first.finding.rstrip('。')}。"
    unclear = [c for c in criteria if c.outcome is Outcome.NEEDS_CHECKING]
    if unclear:
        names = "、".join(f"“{c.title}”" for c in unclear)
        return Overall.CHECK, f"有{len(unclear)}项需要乡镇进一步核实：{names}。"
    label = category.label if category else ""
    return Overall.LIKELY, f"按您的回答，{label}临时救助的各项条件都可能满足，最终以乡镇调查和县民政局审批为准。"


def _route(a: Answers) -> tuple[Route, str]:
    if a.residency is Residency.NONLOCAL:
        where = f"急难发生在略阳{a.town}，可以直接向{a.town}申请" if a.town_in_county else "请向急难发生地的乡镇（街道）申请"
        text = (
            f"您的户籍和居住地都不在略阳：遭遇急难的，不受户籍限制，{where}临时救助，可以先给小额救助、材料事后补充；"
            "如果在外地临时生活无着（没钱吃住、回不了家），可以找当地救助管理站求助；"
            "看病、上学等支出型困难，一般向户籍所在地的乡镇（街道）申请。"
            f"（{cite.join(cite.OPINION_2023_WHERE, cite.ART_50)}）"
        )
        return Route.NONLOCAL, text
    if a.category is Category.EMERGENCY:
        return Route.EMERGENCY_FIRST, (
            "急难型：情况紧急的，现在就可以向乡镇（街道）提出申请，请工作人员按“小金额先行救助”先救急，"
            "证明材料可以事后补充，情况紧急的可以简化审批手续"
            f"（{cite.join(cite.OPINION_2020_TYPES, cite.ART_48)}）。"
        )
    return Route.NORMAL, (
        "支出型：向乡镇（街道）提交申请和材料，经乡镇审核、公示后，由县民政局审批，金额较小的可由乡镇审批"
        f"（{cite.join(cite.ART_48, cite.OPINION_2020_TYPES)}）。"
    )


def _status_note(a: Answers) -> str | None:
    if a.status in (Status.DIBAO, Status.TEKUN):
        return (
            f"您家已是{a.status.label}对象：临时救助是在现有待遇之外的一次性帮助，不会减少您现在领的钱。"
            "如果家庭人口、收入、财产发生了长期变化，请及时告诉乡镇（街道），待遇可能会重新核定。"
        )
    if a.status is Status.EDGE:
        return "您家已认定为低保边缘家庭：可以申请临时救助；家中有重病、重残人员的，还可以问乡镇能否单独纳入低保。"
    if a.status is Status.THREE_GROUPS:
        return "您家是防止返贫监测对象：乡镇和村里会同时按监测帮扶政策跟进，请一并告诉驻村工作队或村干部。"
    return None


def _office_info(office: OfficeLike) -> OfficeInfo:
    fields = {"address": office.address, "phone": office.phone, "hours": office.hours}
    shown = {k: (str(p.value) if p.value not in (None, "") else None) for k, p in fields.items()}
    return OfficeInfo(
        name=office.name,
        address=shown["address"],
        phone=shown["phone"],
        hours=shown["hours"],
        unverified=tuple(k for k, p in fields.items() if not p.verified),
    )


def _offices(a: Answers, params: ParametersLike) -> list[OfficeInfo]:
    out: list[OfficeInfo] = []
    town = a.town_in_county
    if town:
        try:
            out.append(_office_info(params.office(town)))
        except TownError:
            town = None
    if a.residency is Residency.NONLOCAL:
        out.append(_office_info(params.relief_station()))
    elif not town:
        out.append(_office_info(params.bureau()))
    return out


def _estimate(a: Answers, params: ParametersLike, overall: Overall) -> tuple[Estimate | None, str]:
    nobody = "具体金额由县民政局按略阳的临时救助标准核定，可以向乡镇（街道）民政办或县民政局询问。"
    if a.category is not Category.EMERGENCY:
        return None, "支出型临时救助的金额按审核结果确定，" + nobody
    if overall is Overall.UNLIKELY:
        return None, nobody
    if not a.town_in_county or a.household_size is None:  # the emergency happened in 略阳; the household size
        return None, nobody
    months = _verified(params, K_MULTIPLE_MONTHS)
    ceiling = _verified(params, K_CEILING)
    candidates = _standard_candidates(params)
    if months is None or ceiling is None or any(std is None for _, std in candidates):
        return None, "略阳的临时救助标准还没有核实，这里不估算金额。" + nobody

    def amount(standard: Decimal) -> Decimal:
        return min(months * standard * a.household_size, ceiling).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    # the lower estimate first (by amount, then by standard); an equal one is not repeated
    by_amount = sorted(
        ((amount(std), name, std) for name, std in candidates if std is not None), key=lambda x: (x[0], x[2])
    )
    low, name, standard = by_amount[0]
    method = f"按{name}低保标准每人每月{_yuan(standard)} × {months.normalize()}个月 × {a.household_size}口人估算"
    others = [(value, other, std) for value, other, std in by_amount[1:] if value != low]
    for value, other, std in others:
        method += f"；按{other}低保标准（每人每月{_yuan(std)}）估算为{_yuan(value)}"
    if others:
        method += f"；{WHICH_STANDARD}"
    method += f"；单次不超过{_yuan(ceiling)}"
    limit = _verified(params, K_TOWNSHIP_LIMIT)
    high = by_amount[-1][0]
    within: bool | None = None  # unknown limit, or the two estimates on both sides of it
    if limit is not None and high <= limit:
        within = True
    elif limit is not None and low > limit:
        within = False
    return Estimate(low, method, within), "这是估算，实际金额以县民政局审批为准。"


def evaluate(answers: Answers, params: ParametersLike, today: date) -> Result:
    """Apply the pre-check rules to ``answers`` with the county parameters ``params``."""
    criteria = _criteria(answers, params, today)
    overall, reason = _overall(criteria, answers.category)
    route, route_text = _route(answers)
    estimate, estimate_note = _estimate(answers, params, overall)
    notes = [
        "这只是预检，不是审批结果；是否给予救助、给多少，以乡镇调查和县民政局审批为准。",
        "即使预检结果是暂不符合，您仍然可以向乡镇（街道）提出申请，由工作人员调查核实。",
    ]
    return Result(
        criteria=tuple(criteria),
        overall=overall,
        reason=reason,
        category=answers.category,
        route=route,
        route_text=route_text,
        status_note=_status_note(answers),
        documents=tuple(checklist(answers)),
        offices=tuple(_offices(answers, params)),
        estimate=estimate,
        estimate_note=estimate_note,
        rules_version=RULES_VERSION,
        data_version=params.version,
        notes=tuple(notes),
    )
