"""Monitoring rules as plain functions: groups, warning kinds, matching, reasons, months and the deadline.

The county's routine (《略阳县2023年上半年社会救助工作总结》 五是 and 下一步 二是): every warning of the monitoring
platform is checked by the town; households that qualify are included in 低保/特困/临时救助 at once; for every
household not included the reason is written under 基本情况、收入情况、财产情况、刚性支出情况、家庭年人均纯收入情况.
The check deadline (``monitoring.check_working_days`` in county.yml) is an example value until the bureau sets it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from bot.errors import InputError
from bot.parsing.amounts import find_amounts
from bot.policy.parameters import CountyParameters

# --- groups (三类人群) and warning kinds -------------------------------------------------------------------
EDGE = "边缘易致贫户"
UNSTABLE = "脱贫不稳定户"
SUDDEN = "突发严重困难户"
OTHER = "其他"
GROUPS = (EDGE, UNSTABLE, SUDDEN, OTHER)
KEY_GROUPS = (EDGE, UNSTABLE, SUDDEN)  # the 三类人群 of the report's 六是 paragraph
_GROUP_WORDS: tuple[tuple[str, str], ...] = (
    ("边缘易致贫", EDGE),
    ("边缘户", EDGE),
    ("脱贫不稳定", UNSTABLE),
    ("不稳定户", UNSTABLE),
    ("突发严重困难", SUDDEN),
    ("严重困难户", SUDDEN),
    ("突发困难", SUDDEN),
)

KINDS = ("收入骤减", "支出骤增", "因病", "因灾", "因残", "因学", "因意外事故", "失业", "其他")
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("收入", "收入骤减"),
    ("支出", "支出骤增"),
    ("病", "因病"),
    ("医疗", "因病"),
    ("灾", "因灾"),
    ("残", "因残"),
    ("学", "因学"),
    ("意外", "因意外事故"),
    ("事故", "因意外事故"),
    ("失业", "失业"),
    ("务工", "失业"),
)


def normalize_group(text: str) -> str:
    """The 三类人群 group of a cell ("边缘易致贫户", "脱贫不稳定", "突发严重困难户（新识别）"), else 其他."""
    compact = re.sub(r"\s", "", text or "")
    for word, group in _GROUP_WORDS:
        if word in compact:
            return group
    return OTHER


def normalize_kind(text: str) -> str:
    """The warning kind of a cell: one of ``KINDS`` when a known word is in it, else the text itself (at most 32
    characters); ``InputError`` when empty."""
    compact = re.sub(r"\s", "", text or "")
    if not compact:
        raise InputError("缺少预警类型")
    if compact in KINDS:
        return compact
    for word, kind in _KIND_WORDS:
        if word in compact:
            return kind
    return compact[:32]


# --- months -----------------------------------------------------------------------------------------------
_MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?\s*$")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str) -> str:
    """'2024-06', '2024/6', '2024年6月' -> '2024-06'; ``InputError`` otherwise."""
    m = _MONTH_RE.match(text or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError(f"月份“{text}”应写成 2024-06 这样的格式")
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


# --- matching ---------------------------------------------------------------------------------------------
class Match(str, Enum):
    ASSISTED = "assisted"  # a case approved or paid: already in a programme
    APPLIED = "applied"  # an application still being processed
    UNKNOWN = "unknown"  # no case, or only refused or withdrawn ones

    @property
    def label(self) -> str:
        return {"assisted": "已在保", "applied": "正在申请", "unknown": "未纳入救助"}[self.value]


ASSISTED_STATUSES = frozenset({"已批准", "已发放"})


@dataclass(frozen=True)
class CaseFact:
    """What matching needs of one case of the household's applicant."""

    case_no: str
    programme: str
    status: str
    open: bool  # still being processed (bot.cases.status)
    applied_on: date


@dataclass(frozen=True)
class MatchResult:
    match: Match
    programme: str | None = None
    case_no: str | None = None

    @property
    def needs_task(self) -> bool:
        """Unknown and not-assisted households are checked by the town; an open application is already being
        checked by its own procedure."""
        return self.match is Match.UNKNOWN


def classify(cases: Iterable[CaseFact]) -> MatchResult:
    """Assisted (the newest approved or paid case) before applied (the newest open case) before unknown."""
    facts = sorted(cases, key=lambda c: (c.applied_on, c.case_no), reverse=True)
    for c in facts:
        if c.status in ASSISTED_STATUSES:
            return MatchResult(Match.ASSISTED, c.programme, c.case_no)
    for c in facts:
        if c.open:
            return MatchResult(Match.APPLIED, c.programme, c.case_no)
    return MatchResult(Match.UNKNOWN)


# --- outcomes and reasons ---------------------------------------------------------------------------------
class Outcome(str, Enum):
    INCLUDED = "included"
    NOT_INCLUDED = "not_included"
    REFERRED = "referred"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {Outcome.INCLUDED: "纳入", Outcome.NOT_INCLUDED: "不纳入", Outcome.REFERRED: "转其他部门"}
_OUTCOME_WORDS: tuple[tuple[str, Outcome], ...] = (
    ("不纳入", Outcome.NOT_INCLUDED),
    ("未纳入", Outcome.NOT_INCLUDED),
    ("不符合", Outcome.NOT_INCLUDED),
    ("不予纳入", Outcome.NOT_INCLUDED),
    ("转其他部门", Outcome.REFERRED),
    ("转其它部门", Outcome.REFERRED),
    ("转部门", Outcome.REFERRED),
    ("转办", Outcome.REFERRED),
    ("转交", Outcome.REFERRED),
    ("移交", Outcome.REFERRED),
    ("纳入", Outcome.INCLUDED),
    ("符合", Outcome.INCLUDED),
)


def parse_outcome(text: str) -> Outcome | None:
    compact = re.sub(r"\s", "", text or "")
    for word, outcome in _OUTCOME_WORDS:
        if word in compact:
            return outcome
    return None


@dataclass(frozen=True)
class Heading:
    key: str
    label: str
    words: tuple[str, ...]  # how staff write it, longest first


# the five headings of the county's routine, in its order
HEADINGS = (
    Heading("basic", "基本情况", ("基本情况", "基本")),
    Heading("income", "收入情况", ("收入情况", "收入")),
    Heading("property", "财产情况", ("财产情况", "财产", "资产")),
    Heading("expense", "刚性支出情况", ("刚性支出情况", "刚性支出", "支出情况", "支出")),
    Heading(
        "per_capita",
        "家庭年人均纯收入情况",
        ("家庭年人均纯收入情况", "家庭年人均纯收入", "年人均纯收入", "人均纯收入", "人均收入"),
    ),
)
HEADING_KEYS = tuple(h.key for h in HEADINGS)
HEADING_LABELS = {h.key: h.label for h in HEADINGS}
_SEP = "：:，,；;。、 \n\t"


def _heading_pattern() -> re.Pattern[str]:
    words = sorted(((w, h.key) for h in HEADINGS for w in h.words), key=lambda x: -len(x[0]))
    return re.compile("|".join(re.escape(w) for w, _ in words))


_HEADING_RE = _heading_pattern()
_WORD_TO_KEY = {w: h.key for h in HEADINGS for w in h.words}
# "收入" inside "家庭年人均纯收入" must not start the income heading: the longest word wins at each position


@dataclass(frozen=True)
class Reason:
    key: str
    text: str
    figure: Decimal | None = None

    @property
    def label(self) -> str:
        return HEADING_LABELS[self.key]

    def as_json(self) -> dict[str, str | None]:
        return {"text": self.text, "figure": None if self.figure is None else str(self.figure)}


MAX_REASON_CHARS = 300


def parse_reasons(text: str) -> list[Reason]:
    """Reasons under the five headings from free text: "收入情况：月收入4500元，超过标准；财产情况：有小轿车一辆".

    Each heading word starts a part that runs to the next heading; the figure is the first amount in the part
    (``bot.parsing.amounts``). A heading named twice keeps both parts. Text before the first heading is ignored
    when there is a heading, and an ``InputError`` says what is expected when there is none."""
    marks: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        m = _HEADING_RE.search(text, pos)
        if m is None:
            break
        marks.append((m.start(), m.end(), _WORD_TO_KEY[m.group(0)]))
        pos = m.end()
    # a heading word immediately followed by "情况" already matched above; one inside a part's own text (e.g.
    # "收入" in "工资收入3000元") only counts when it begins a clause
    marks = [mk for mk in marks if mk[0] == 0 or text[mk[0] - 1] in _SEP]
    if not marks:
        raise InputError(
            "请按五个方面写明不纳入的原因（至少一项），例如：“收入情况：家庭月收入4500元，超过标准；"
            "财产情况：有小轿车一辆”。五个方面是：" + "、".join(h.label for h in HEADINGS) + "。"
        )
    parts: dict[str, list[str]] = {}
    figures: dict[str, Decimal | None] = {}
    for i, (_, end, key) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        part = text[end:stop].strip(_SEP)
        if part.startswith("情况"):
            part = part[2:].strip(_SEP)
        if not part:
            continue
        parts.setdefault(key, []).append(part)
        if figures.get(key) is None:
            amounts = find_amounts(part)
            figures[key] = amounts[0].yuan if amounts else None
    if not parts:
        raise InputError("每个方面后面请写上具体情况，例如“收入情况：家庭月收入4500元”。")
    out = []
    for key in HEADING_KEYS:
        if key in parts:
            joined = "；".join(parts[key])
            if len(joined) > MAX_REASON_CHARS:
                raise InputError(
                    f"“{HEADING_LABELS[key]}”写得太长了（超过 {MAX_REASON_CHARS} 字），请简要一些。"
                )
            out.append(Reason(key, joined, figures.get(key)))
    return out


def reasons_from_json(data: Mapping[str, object] | None) -> list[Reason]:
    out = []
    for key in HEADING_KEYS:
        entry = (data or {}).get(key)
        if isinstance(entry, Mapping):
            figure = entry.get("figure")
            out.append(Reason(key, str(entry.get("text") or ""), Decimal(str(figure)) if figure else None))
    return out


def reasons_text(reasons: Iterable[Reason]) -> str:
    return "；".join(f"{r.label}：{r.text}" for r in reasons)


# --- county parameters ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonitoringParams:
    check_working_days: int = 10
    verified: bool = False

    KEYS = ("monitoring.check_working_days",)

    @classmethod
    def from_county(cls, params: CountyParameters) -> MonitoringParams:
        """The values in ``county.yml``, verified or not (staff tools; they show ``verified``)."""
        p = params.get("monitoring.check_working_days")
        return cls(check_working_days=int(p.value), verified=p.known)
