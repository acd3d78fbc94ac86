"""Office hours and the response time a resident is told.

The county parameter file holds the bureau's hours (``offices.bureau.hours``) and the handoff response time
(``handoff.response_hours``). Neither is verified yet, so:
- no hours and no number of hours are ever stated unless verified;
- the working-day calendar (State Council holiday notices) tells weekends and holidays apart for certain;
- without verified hours, early morning and evening (before 8:00, from 18:00) count as outside office
  hours, which is true for every government office, but no opening time is promised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.cases.workdays import get_calendar
from bot.clock import to_china
from bot.handoff import texts
from bot.policy.parameters import load_parameters

SURELY_CLOSED_BEFORE = time(8, 0)
SURELY_CLOSED_FROM = time(18, 0)
_RANGE = re.compile(r"(\d{1,2})[:：](\d{2})\s*[-~－—至到]+\s*(\d{1,2})[:：](\d{2})")


@dataclass(frozen=True)
class OfficeTime:
    open_now: bool | None  # None: probably open, but the hours are not verified
    hours_text: str | None  # the verified hours, else None
    resume_day: date | None  # when closed: the day staff next work (today if before opening on a working day)


def parse_hours(text: str) -> list[tuple[time, time]]:
    """'8:30-12:00，14:30-17:30' -> [(08:30, 12:00), (14:30, 17:30)]."""
    out = []
    for m in _RANGE.finditer(text or ""):
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60:
            out.append((time(h1, m1), time(h2, m2)))
    return out


def _next_working_day(day: date, calendar) -> date:
    d = day + timedelta(days=1)
    for _ in range(40):
        if calendar.is_working_day(d):
            return d
        d += timedelta(days=1)
    return d


def office_time(now_utc: datetime, params=None, calendar=None) -> OfficeTime:
    """Whether the bureau is open at ``now_utc`` (naive UTC or aware) and, if not, when staff work next."""
    if params is None:
        params = load_parameters()
    if calendar is None:
        calendar = get_calendar()
    local = to_china(now_utc)
    today, now_t = local.date(), local.time()
    hours = params.bureau().hours
    ranges = parse_hours(str(hours.value)) if hours.known else []
    hours_text = str(hours.value) if hours.known else None
    if not calendar.is_working_day(today):
        return OfficeTime(False, hours_text, _next_working_day(today, calendar))
    if ranges:
        if any(a <= now_t < b for a, b in ranges):
            return OfficeTime(True, hours_text, None)
        if now_t < min(a for a, _ in ranges):
            return OfficeTime(False, hours_text, today)
        if now_t >= max(b for _, b in ranges):
            return OfficeTime(False, hours_text, _next_working_day(today, calendar))
        return OfficeTime(False, hours_text, today)  # lunch break
    if now_t < SURELY_CLOSED_BEFORE:
        return OfficeTime(False, None, today)
    if now_t >= SURELY_CLOSED_FROM:
        return OfficeTime(False, None, _next_working_day(today, calendar))
    return OfficeTime(None, None, None)


def response_time_text(now_utc: datetime, params=None, calendar=None, *, urgent: bool = False) -> str:
    """What to tell a resident about when staff will respond (no unverified figure is ever stated)."""
    if params is None:
        params = load_parameters()
    response = params.get("handoff.response_hours") if "handoff.response_hours" in params else None
    if response is not None and response.known:
        base = texts.response_within(response.value, response.unit)
    else:
        base = texts.RESPONSE_SOON
    status = office_time(now_utc, params, calendar)
    if status.open_now is False and status.resume_day is not None:
        when = texts.day_label(status.resume_day, to_china(now_utc).date())
        return texts.outside_hours(when, status.hours_text, base, urgent=urgent)
    return base


def staff_see_text(now_utc: datetime, params=None, calendar=None) -> str:
    """'' in office hours (or when unsure); outside them, when staff will see a waiting ticket."""
    if params is None:
        params = load_parameters()
    status = office_time(now_utc, params, calendar)
    if status.open_now is False and status.resume_day is not None:
        return texts.staff_see_when(
            texts.day_label(status.resume_day, to_china(now_utc).date()), status.hours_text
        )
    return ""


__all__ = ["OfficeTime", "office_time", "parse_hours", "response_time_text", "staff_see_text"]
