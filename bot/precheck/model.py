"""What a resident answers in the pre-check, and what the rules make of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum


class Residency(str, Enum):
    LOCAL_HUKOU = "local_hukou"  # 户籍在略阳
    LOCAL_PERMIT = "local_residence_permit"  # 持略阳居住证
    NONLOCAL = "nonlocal"  # 都不是
    UNKNOWN = "unknown"

    @property
    def is_local(self) -> bool:
        return self in (Residency.LOCAL_HUKOU, Residency.LOCAL_PERMIT)


class Category(str, Enum):
    EMERGENCY = "emergency"  # 急难型
    SPENDING = "spending"  # 支出型

    @property
    def label(self) -> str:
        return "急难型" if self is Category.EMERGENCY else "支出型"


class EventKind(str, Enum):
    FIRE = "fire"
    ACCIDENT = "accident"
    ILLNESS_SUDDEN = "illness_sudden"
    DISASTER = "disaster"
    OTHER_EMERGENCY = "other_emergency"
    MEDICAL_SPENDING = "medical_spending"
    EDUCATION_SPENDING = "education_spending"
    OTHER_SPENDING = "other_spending"

    @property
    def category(self) -> Category:
        if self in (EventKind.MEDICAL_SPENDING, EventKind.EDUCATION_SPENDING, EventKind.OTHER_SPENDING):
            return Category.SPENDING
        return Category.EMERGENCY

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS = {
    EventKind.FIRE: "火灾",
    EventKind.ACCIDENT: "交通事故或其他意外",
    EventKind.ILLNESS_SUDDEN: "家人突发重病",
    EventKind.DISASTER: "自然灾害",
    EventKind.OTHER_EMERGENCY: "其他突发困难",
    EventKind.MEDICAL_SPENDING: "看病花费大",
    EventKind.EDUCATION_SPENDING: "上学花费大",
    EventKind.OTHER_SPENDING: "其他必需支出大",
}


class Status(str, Enum):
    DIBAO = "dibao"
    TEKUN = "tekun"
    EDGE = "edge"  # 低保边缘家庭
    THREE_GROUPS = "three_groups"  # 防止返贫监测的"三类人群"
    NONE = "none"
    UNKNOWN = "unknown"

    @property
    def means_known(self) -> bool:
        """Income and property were already checked by the township (低保, 特困, 低保边缘)."""
        return self in (Status.DIBAO, Status.TEKUN, Status.EDGE)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DIBAO: "低保",
    Status.TEKUN: "特困供养",
    Status.EDGE: "低保边缘家庭",
    Status.THREE_GROUPS: "防止返贫监测对象（三类人群）",
    Status.NONE: "都没有",
    Status.UNKNOWN: "不清楚",
}


class Period(str, Enum):
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class Income:
    """Household total income (all members together) for a month or a year."""

    yuan: Decimal
    period: Period = Period.MONTH

    @property
    def monthly(self) -> Decimal:
        return self.yuan / 12 if self.period is Period.YEAR else self.yuan


@dataclass(frozen=True)
class MoneyRange:
    """An amount given as a range (savings: 1万–3万); ``high`` None means open-ended (10万以上)."""

    low: Decimal
    high: Decimal | None = None

    @classmethod
    def exact(cls, yuan: Decimal) -> MoneyRange:
        return cls(yuan, yuan)


OUTSIDE = "outside"  # town answer: the emergency happened outside 略阳


@dataclass(frozen=True)
class Answers:
    """The answers of one pre-check. ``None`` means unknown (不知道/不方便说) or not asked (skipped)."""

    residency: Residency | None = None
    event: EventKind | None = None
    event_date: date | None = None
    household_size: int | None = None
    income: Income | None = None
    compensation: Decimal | None = None  # money already received for this event (0 = none)
    loss: Decimal | None = None  # loss or spending caused by the event
    savings: MoneyRange | None = None
    status: Status | None = None
    town: str | None = None  # canonical town name, OUTSIDE, or None

    @property
    def category(self) -> Category | None:
        return self.event.category if self.event else None

    @property
    def town_in_county(self) -> str | None:
        return self.town if self.town and self.town != OUTSIDE else None


class Outcome(str, Enum):
    MET = "met"
    NOT_MET = "not_met"
    NEEDS_CHECKING = "needs_checking"

    @property
    def label(self) -> str:
        return {"met": "符合", "not_met": "不符合", "needs_checking": "需要核实"}[self.value]


class Overall(str, Enum):
    LIKELY = "likely"
    UNLIKELY = "unlikely"
    CHECK = "check"

    @property
    def label(self) -> str:
        return {"likely": "可能符合", "unlikely": "暂不符合", "check": "需要进一步核实"}[self.value]


class Route(str, Enum):
    EMERGENCY_FIRST = "emergency_first"  # 急难型: 小额先行救助 now, paperwork after
    NORMAL = "normal"  # 支出型 (or unknown kind): the normal procedure
    NONLOCAL = "nonlocal"  # help where the emergency happened / relief station


@dataclass(frozen=True)
class Criterion:
    """One criterion of the result: outcome, the rule in one line, its citation and what we found."""

    key: str
    title: str
    outcome: Outcome
    rule: str
    citation: str
    finding: str


@dataclass(frozen=True)
class Estimate:
    yuan: Decimal
    method: str
    within_township_limit: bool | None = None


@dataclass(frozen=True)
class OfficeInfo:
    """An office to go to. ``unverified`` names the fields (address/phone/hours) not confirmed by the bureau."""

    name: str
    address: str | None
    phone: str | None
    hours: str | None
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    criteria: tuple[Criterion, ...]
    overall: Overall
    reason: str
    category: Category | None
    route: Route
    route_text: str
    status_note: str | None
    documents: tuple[str, ...]
    offices: tuple[OfficeInfo, ...]
    estimate: Estimate | None
    estimate_note: str
    rules_version: str
    data_version: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)

    def outcomes(self) -> dict[str, str]:
        """``{criterion key: outcome value}``, handy for tests and for storage."""
        return {c.key: c.outcome.value for c in self.criteria}
