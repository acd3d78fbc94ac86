"""Statutory deadlines per programme, computed in Chinese working days from the county parameters.

- 低保: ``deadlines.dibao.total`` working days from acceptance (最低生活保障审核确认办法 第二十二条); the rule
  lawfully allows an extension to ``deadlines.dibao.total_special`` (45) working days in special cases, so a
  case is only *overdue* after the extended date (``latest``); between the two it is past the usual time.
- 特困供养: the national rules give no single total; the date is an *estimate* (``estimate=True``) summing the
  stages: township ``deadlines.tekun.township`` working days (第十三条), publicity ``deadlines.tekun.publicity``
  calendar days (第十五条), county ``deadlines.tekun.county`` working days (第十六条): 15 + 7 days + 15.
- 临时救助: the national sources fix no number of days (社会救助暂行办法 第四十八条); the parameter
  ``deadlines.temp_relief.decision`` is used only once the bureau has filled it in and verified it.
Only verified parameters are used: an unverified value never becomes a deadline shown to a resident.
Which rule a programme follows is its ``deadline_rule`` in the programme registry (``bot.programmes``); a
programme without one has no statutory deadline here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot import programmes
from bot.cases.workdays import WorkdayCalendar, get_calendar
from bot.policy.parameters import load_parameters


@dataclass(frozen=True)
class Deadline:
    programme: str
    due: date | None  # None: no statutory deadline known; else the usual deadline
    description: str  # e.g. "自受理之日起30个工作日内" (empty when unknown)
    basis: str  # the document and article
    note: str = ""
    # the lawful latest date when the rule allows an extension (低保: 45 working days)
    latest: date | None = None
    estimate: bool = False  # the date is summed from stage limits, not a statutory total (特困供养)

    @property
    def final(self) -> date | None:
        """The date after which the case is overdue: the extended date when there is one."""
        return self.latest or self.due

    def is_overdue(self, today: date) -> bool:
        return self.final is not None and self.final < today


def _params():
    return load_parameters()


def _known_int(params, key: str) -> int | None:
    if key not in params:
        return None
    p = params.get(key)
    if not p.known:
        return None
    try:
        return int(p.value)
    except (TypeError, ValueError):
        return None


_deadline_cache: dict[tuple, Deadline] = {}


def statutory_deadline(
    programme: str,
    accepted_on: date | None,
    *,
    params=None,
    calendar: WorkdayCalendar | None = None,
) -> Deadline:
    """The date by which the case should be decided, or a Deadline with ``due=None`` saying why not.

    Cached per (programme, acceptance date, parameter file version, calendar): listings compute many.
    """
    params = params if params is not None else _params()
    cal = calendar or get_calendar()
    key = (programme, accepted_on, getattr(params, "version", id(params)), id(cal), programmes.revision())
    found = _deadline_cache.get(key)
    if found is None:
        if len(_deadline_cache) > 20_000:
            _deadline_cache.clear()
        found = _deadline_cache[key] = _statutory_deadline(programme, accepted_on, params, cal)
    return found


def _statutory_deadline(programme: str, accepted_on: date | None, params, cal: WorkdayCalendar) -> Deadline:
    entry = programmes.get(programme)
    rule = RULES.get(entry.deadline_rule or "") if entry else None
    if rule is None:
        return Deadline(programme, None, "", "", "")
    return rule(programme, accepted_on, params, cal)


def _dibao(programme: str, accepted_on: date | None, params, cal: WorkdayCalendar) -> Deadline:
    total = _known_int(params, "deadlines.dibao.total")
    special = _known_int(params, "deadlines.dibao.total_special")
    basis = params.get("deadlines.dibao.total").source if "deadlines.dibao.total" in params else ""
    note = (
        f"特殊情况下（如公示有异议、人户分离、异地申办、调查难度大）可以延长至{special}个工作日。"
        if special
        else ""
    )
    if total is None:
        return Deadline(programme, None, "", basis, "低保办理时限需向县民政局确认。")
    due = cal.add_working_days(accepted_on, total) if accepted_on else None
    latest = (
        cal.add_working_days(accepted_on, special) if accepted_on and special and special > total else None
    )
    return Deadline(programme, due, f"自受理之日起{total}个工作日内", basis, note, latest=latest)


def _tekun(programme: str, accepted_on: date | None, params, cal: WorkdayCalendar) -> Deadline:
    town = _known_int(params, "deadlines.tekun.township")
    pub = _known_int(params, "deadlines.tekun.publicity")
    county = _known_int(params, "deadlines.tekun.county")
    basis = "特困人员认定办法 第十三条、第十五条、第十六条"
    if None in (town, pub, county):
        return Deadline(programme, None, "", basis, "特困供养办理时限需向县民政局确认。")
    due = None
    if accepted_on:
        due = cal.add_working_days(cal.add_working_days(accepted_on, town) + timedelta(days=pub), county)
    desc = f"按各环节时限估算（乡镇调查核实{town}个工作日、公示{pub}天、县民政局审核{county}个工作日）"
    note = "国家没有规定特困供养认定的总时限，这是按各环节时限累加的估算；公示有异议需要重新调查的，时间会相应延长。"
    return Deadline(programme, due, desc, basis, note, estimate=True)


def _temp_relief(programme: str, accepted_on: date | None, params, cal: WorkdayCalendar) -> Deadline:
    days = _known_int(params, "deadlines.temp_relief.decision")
    basis = (
        params.get("deadlines.temp_relief.decision").source
        if "deadlines.temp_relief.decision" in params
        else "社会救助暂行办法 第四十八条"
    )
    if days is None:
        return Deadline(
            programme,
            None,
            "",
            "社会救助暂行办法 第四十八条",
            "国家规定没有统一的临时救助办理天数；情况紧急的可以简化审批、先行救助。",
        )
    due = cal.add_working_days(accepted_on, days) if accepted_on else None
    return Deadline(programme, due, f"自受理之日起{days}个工作日内", basis)


# deadline rules by name (the registry's ``deadline_rule``)
RULES: dict[str, Callable[[str, date | None, object, WorkdayCalendar], Deadline]] = {
    "dibao": _dibao,
    "tekun": _tekun,
    "temp_relief": _temp_relief,
}


_cutoff_cache: dict[tuple, date | None] = {}


def overdue_cutoff(
    programme: str, today: date, *, params=None, calendar: WorkdayCalendar | None = None
) -> date | None:
    """Cached per (programme, day, parameter file version, calendar); see ``_overdue_cutoff``."""
    params = params if params is not None else _params()
    cal = calendar or get_calendar()
    key = (programme, today, getattr(params, "version", id(params)), id(cal), programmes.revision())
    if key not in _cutoff_cache:
        if len(_cutoff_cache) > 256:
            _cutoff_cache.clear()
        _cutoff_cache[key] = _overdue_cutoff(programme, today, params=params, calendar=cal)
    return _cutoff_cache[key]


def _overdue_cutoff(
    programme: str, today: date, *, params=None, calendar: WorkdayCalendar | None = None
) -> date | None:
    """The latest acceptance date whose case is overdue on ``today`` (past its ``final`` date; None: no deadline).

    Deadlines never move backwards when the acceptance date moves forward, so "accepted on or before the
    cutoff" is the same as "overdue": the database can filter on it with an index.
    """
    params = params if params is not None else _params()
    cal = calendar or get_calendar()
    if statutory_deadline(programme, today, params=params, calendar=cal).due is None:
        return None
    # the statutory spans are at most ~13 weeks; search backwards from today
    day = today
    for _ in range(400):
        if statutory_deadline(programme, day, params=params, calendar=cal).is_overdue(today):
            return day
        day -= timedelta(days=1)
    return None  # pragma: no cover - unreachable with sane parameters
