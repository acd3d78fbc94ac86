"""Rules of the visits and the caregiver evaluations, as plain functions (no database, no Rasa).

Parameters come from ``county.yml`` (``visits.*``, read by ``VisitParams.from_county``); they are all unverified
until the bureau confirms them, and staff views say so. The rule that matters (the county's own wording, from
《略阳县2023年上半年社会救助工作总结》): a caregiver whose evaluation is below the threshold in
``flag_after_low_evaluations`` consecutive evaluations is flagged: replace the caregiver, or move the person to
集中供养 (proposed when the person cannot look after themselves: 完全失能).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from bot.policy.parameters import CountyParameters


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str


# the items the county report names (居住环境、个人卫生、日常生活) and the care agreement itself
CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("environment", "居住环境"),
    ChecklistItem("hygiene", "个人卫生"),
    ChecklistItem("daily", "饮食和日常生活"),
    ChecklistItem("health", "健康和就医"),
    ChecklistItem("care", "照料人是否按协议照护"),
)
ITEM_KEYS = tuple(item.key for item in CHECKLIST)
ITEM_LABELS = {item.key: item.label for item in CHECKLIST}

# five-point scale (visits.score_scale = 5): 好 5 ... 差 1
RATING_LABELS: dict[int, str] = {5: "好", 4: "较好", 3: "一般", 2: "较差", 1: "差"}

CITATION = (
    "《略阳县2023年上半年社会救助工作总结》：严格落实分散供养特困人员“探访评价”工作机制，定期召开会议对照料护理人的"
    "照护情况进行评价打分，对无法按照照料护理协议落实照护责任的及时更换照料护理人或转为集中供养。"
)
FULLY_DEPENDENT = "完全失能"
CARE_LEVELS = ("自理", "部分失能", FULLY_DEPENDENT)


class Decision(str, Enum):
    KEEP = "keep"
    WARN = "warn"
    REPLACE = "replace"
    CENTRALISE = "centralise"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS = {
    Decision.KEEP: "继续照料",
    Decision.WARN: "提醒整改",
    Decision.REPLACE: "更换照料护理人",
    Decision.CENTRALISE: "转为集中供养",
}


@dataclass(frozen=True)
class VisitParams:
    interval_months: int = 1
    due_soon_working_days: int = 5
    score_scale: int = 5
    evaluation_period_months: int = 3
    low_score_threshold: Decimal = Decimal("3")
    flag_after_low_evaluations: int = 2
    verified: bool = False  # every value confirmed by the bureau

    KEYS = (
        "visits.interval_months",
        "visits.due_soon_working_days",
        "visits.score_scale",
        "visits.evaluation_period_months",
        "visits.low_score_threshold",
        "visits.flag_after_low_evaluations",
    )

    @classmethod
    def from_county(cls, params: CountyParameters) -> VisitParams:
        """The values in ``county.yml``, verified or not (staff tools; they show ``verified``)."""
        p = {key: params.get(key) for key in cls.KEYS}
        return cls(
            interval_months=int(p["visits.interval_months"].value),
            due_soon_working_days=int(p["visits.due_soon_working_days"].value),
            score_scale=int(p["visits.score_scale"].value),
            evaluation_period_months=int(p["visits.evaluation_period_months"].value),
            low_score_threshold=Decimal(str(p["visits.low_score_threshold"].value)),
            flag_after_low_evaluations=int(p["visits.flag_after_low_evaluations"].value),
            verified=all(param.known for param in p.values()),
        )


# --- dates ------------------------------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's end (1月31日 + 1 -> 2月28/29日)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_working_day(day: date, is_working_day: Callable[[date], bool]) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(
    last_visit: date | None, since: date | None, params: VisitParams, is_working_day: Callable[[date], bool]
) -> date | None:
    """When the next visit is due: one interval after the last visit (or after the person came into 分散供养
    when never visited), moved to the next working day when it falls on a weekend or holiday. None: never
    visited and no start date (due at once)."""
    base = last_visit or since
    if base is None:
        return None
    return next_working_day(add_months(base, params.interval_months), is_working_day)


class DueState(str, Enum):
    OVERDUE = "overdue"
    DUE_SOON = "due"
    OK = "ok"


def due_state(
    due: date | None,
    today: date,
    params: VisitParams,
    working_days_between: Callable[[date, date], int],
) -> DueState:
    """Overdue (due before today, or never visited without a start date), due soon (within
    ``due_soon_working_days`` working days), or fine."""
    if due is None or due < today:
        return DueState.OVERDUE
    if working_days_between(today, due) <= params.due_soon_working_days:
        return DueState.DUE_SOON
    return DueState.OK


def latest_listed_base(
    today: date,
    params: VisitParams,
    is_working_day: Callable[[date], bool],
    working_days_between: Callable[[date, date], int],
) -> date:
    """The latest last-visit (or start) date whose next visit is due soon or overdue today.

    The due date never decreases when the last visit is later, so everybody whose last visit is after this date
    is fine: the database can leave them out of the due list, and the rules above decide for the rest.
    """
    base = add_months(today, -params.interval_months) + timedelta(days=60)
    while (
        due_state(due_date(base, None, params, is_working_day), today, params, working_days_between)
        is DueState.OK
    ):
        base -= timedelta(days=1)
    return base


def earliest_on_time_base(today: date, params: VisitParams, is_working_day: Callable[[date], bool]) -> date:
    """The earliest last-visit (or start) date whose next visit is not overdue today: a person is visited on
    time exactly when their last visit is on or after it (the due date never decreases with the last visit)."""
    base = add_months(today, -params.interval_months) - timedelta(days=60)
    while (due_date(base, None, params, is_working_day) or date.min) < today:
        base += timedelta(days=1)
    return base


# --- scores -----------------------------------------------------------------------------------------------
TWO_PLACES = Decimal("0.01")


def mean(values: Iterable[Decimal | int | float]) -> Decimal | None:
    """Mean to two places (half up), None for no values."""
    items = [Decimal(str(v)) for v in values]
    if not items:
        return None
    return (sum(items) / len(items)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def check_rating(value: object, params: VisitParams) -> int | None:
    """A stored rating: an int 1..scale, or None (不适用). ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= params.score_scale:
        raise ValueError(f"rating must be 1..{params.score_scale} or None, got {value!r}")
    return value


def visit_score(ratings: Mapping[str, int | None], params: VisitParams) -> Decimal | None:
    """A visit's score: the mean of its rated checklist items (不适用 left out)."""
    unknown = set(ratings) - set(ITEM_KEYS)
    if unknown:
        raise ValueError(f"unknown checklist items: {sorted(unknown)}")
    return mean(r for r in (check_rating(ratings.get(k), params) for k in ITEM_KEYS) if r is not None)


def is_low(score: Decimal | None, params: VisitParams) -> bool:
    return score is not None and score < params.low_score_threshold


# --- evaluation periods -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    label: str  # 2023Q3 | 2023-07 | 2023H2 | 2023P05 (other lengths: the n-th period of the year)
    start: date
    end: date


def period_of(day: date, months: int) -> Period:
    """The evaluation period containing ``day`` (periods start in January and do not cross years)."""
    if months < 1 or 12 % months:
        raise ValueError(f"evaluation period must divide the year, got {months} months")
    index = (day.month - 1) // months
    start = date(day.year, index * months + 1, 1)
    end = add_months(start, months) - timedelta(days=1)
    if months == 3:
        label = f"{day.year}Q{index + 1}"
    elif months == 1:
        label = f"{day.year}-{day.month:02d}"
    elif months == 6:
        label = f"{day.year}H{index + 1}"
    elif months == 12:
        label = str(day.year)
    else:
        label = f"{day.year}P{index + 1:02d}"
    return Period(label, start, end)


def previous_period(period: Period, months: int) -> Period:
    return period_of(period.start - timedelta(days=1), months)


def parse_period(text: str, months: int) -> Period:
    """'2023Q3' (or any date inside the period, e.g. '2023-08-01') -> the period; ValueError otherwise."""
    text = text.strip().upper()
    if len(text) == 6 and text[4] == "Q" and text[:4].isdigit() and text[5] in "1234" and months == 3:
        return period_of(date(int(text[:4]), (int(text[5]) - 1) * 3 + 1, 1), months)
    try:
        return period_of(date.fromisoformat(text), months)
    except ValueError:
        pass
    if len(text) == 7 and text[4] == "-":
        return period_of(date.fromisoformat(text + "-01"), months)
    raise ValueError(f"not a period: {text!r}")


# --- the caregiver decision -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Proposal:
    decision: Decision
    flagged: bool
    low_in_a_row: int  # this evaluation included
    reason: str


def propose(
    score: Decimal | None, earlier_low: Sequence[bool], care_level: str | None, params: VisitParams
) -> Proposal:
    """The rule's proposal for one caregiver and period.

    ``earlier_low``: for the earlier evaluations of the same caregiver and person, newest first, whether each
    was below the threshold. Not low: keep. Low for fewer than ``flag_after_low_evaluations`` evaluations in a
    row: warn. Low that many times in a row: flagged, replace the caregiver, or 转为集中供养 for a person who
    cannot look after themselves (完全失能). The meeting decides; this is a proposal.
    """
    threshold = params.low_score_threshold
    if score is None:
        return Proposal(Decision.KEEP, False, 0, "本期没有探访评分，未评价")
    if not is_low(score, params):
        return Proposal(Decision.KEEP, False, 0, f"平均分 {score}，不低于 {threshold} 分")
    in_a_row = 1
    for low in earlier_low:
        if not low:
            break
        in_a_row += 1
    if in_a_row >= params.flag_after_low_evaluations:
        decision = Decision.CENTRALISE if care_level == FULLY_DEPENDENT else Decision.REPLACE
        return Proposal(
            decision,
            True,
            in_a_row,
            f"平均分 {score}，连续 {in_a_row} 次评价低于 {threshold} 分：建议{decision.label}。依据：{CITATION}",
        )
    return Proposal(
        Decision.WARN, False, in_a_row, f"平均分 {score}，低于 {threshold} 分：提醒照料人按协议照护"
    )
