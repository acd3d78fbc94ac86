"""Chinese working days: Monday–Friday, minus public holidays, plus make-up working days (调休).

Holidays come from ``bot/cases/data/holidays.yml`` (the State Council's yearly notices). For a year the
file does not cover, the calendar falls back to plain Monday–Friday and logs a warning once per year.

Conventions (as in "自受理之日起30个工作日内"): the start day itself is not counted.
``add_working_days(d, n)`` is the n-th working day after ``d``; ``working_days_between(a, b)`` counts the
working days in (a, b], so ``working_days_between(d, add_working_days(d, n)) == n``.
"""

from __future__ import annotations

import logging
import threading
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

from bot.errors import DataFileError

log = logging.getLogger(__name__)

HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays.yml"


@dataclass
class WorkdayCalendar:
    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]
    sources: dict[int, str] = field(default_factory=dict)
    _warned: set[int] = field(default_factory=set)
    _sorted_holidays: list[int] = field(default_factory=list)
    _sorted_workdays: list[int] = field(default_factory=list)

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning(
                    "holiday calendar has no data for %s: counting Monday-Friday only (add the year to %s)",
                    day.year,
                    HOLIDAYS_FILE.name,
                )
            return day.weekday() < 5
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        left = n
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        if b <= a:
            return -self._count(b, a) if b < a else 0
        return self._count(a, b)

    def _count(self, a: date, b: date) -> int:
        """Working days in (a, b], a < b: Monday-Friday by arithmetic, then the calendar's exceptions."""
        for year in range(a.year, b.year + 1):
            if year not in self.years and year not in self._warned:
                self.is_working_day(date(year, 1, 1))  # logs the fallback warning once
        count = _weekdays_upto(b) - _weekdays_upto(a)
        if not self._sorted_holidays:
            self._sorted_holidays = sorted(d.toordinal() for d in self.holidays if d.weekday() < 5)
            self._sorted_workdays = sorted(d.toordinal() for d in self.workdays)
        lo, hi = a.toordinal(), b.toordinal()
        count -= bisect_right(self._sorted_holidays, hi) - bisect_right(self._sorted_holidays, lo)
        count += bisect_right(self._sorted_workdays, hi) - bisect_right(self._sorted_workdays, lo)
        return count


def _weekdays_upto(day: date) -> int:
    """Monday-Friday days from a fixed Monday epoch up to and including ``day``."""
    n = day.toordinal() - 1  # ordinal 1 (0001-01-01) is a Monday
    weeks, rest = divmod(n + 1, 7)
    return weeks * 5 + min(rest, 5)


def load_calendar(path: Path | None = None) -> WorkdayCalendar:
    """Read and validate a holiday file."""
    path = path or HOLIDAYS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"cannot read holiday calendar {path}: {exc}") from exc
    years_raw = (data or {}).get("years")
    if not isinstance(years_raw, dict) or not years_raw:
        raise DataFileError(f"{path.name}: `years:` must be a non-empty mapping")
    holidays: set[date] = set()
    workdays: set[date] = set()
    sources: dict[int, str] = {}
    for year, entry in years_raw.items():
        year = int(year)
        if not isinstance(entry, dict) or not entry.get("source"):
            raise DataFileError(f"{path.name}: {year}: needs `source`, `holidays`, `workdays`")
        sources[year] = str(entry["source"])
        for span in entry.get("holidays") or []:
            if not (isinstance(span, list) and len(span) == 2 and all(isinstance(d, date) for d in span)):
                raise DataFileError(f"{path.name}: {year}: holiday spans must be [YYYY-MM-DD, YYYY-MM-DD]")
            first, last = span
            if last < first or (last - first).days > 10:
                raise DataFileError(f"{path.name}: {year}: implausible holiday span {first}..{last}")
            day = first
            while day <= last:
                holidays.add(day)
                day += timedelta(days=1)
        for day in entry.get("workdays") or []:
            if not isinstance(day, date):
                raise DataFileError(f"{path.name}: {year}: workdays must be dates")
            if day.weekday() < 5:
                raise DataFileError(f"{path.name}: {year}: make-up workday {day} is not a weekend day")
            workdays.add(day)
    overlap = holidays & workdays
    if overlap:
        raise DataFileError(f"{path.name}: days both holiday and workday: {sorted(overlap)}")
    return WorkdayCalendar(
        holidays=frozenset(holidays), workdays=frozenset(workdays), years=frozenset(sources), sources=sources
    )


_calendar: WorkdayCalendar | None = None
_lock = threading.Lock()


def get_calendar() -> WorkdayCalendar:
    """The default calendar, read on first use."""
    global _calendar
    if _calendar is None:
        with _lock:
            if _calendar is None:
                _calendar = load_calendar()
    return _calendar


def is_working_day(day: date) -> bool:
    return get_calendar().is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself not counted)."""
    return get_calendar().add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]; negative when ``b`` is before ``a``."""
    return get_calendar().working_days_between(a, b)
