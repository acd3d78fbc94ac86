from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cases.workdays import (
    add_working_days,
    get_calendar,
    is_working_day,
    load_calendar,
    working_days_between,
)
from bot.errors import DataFileError


def test_covers_2023_to_2026():
    cal = get_calendar()
    assert all(cal.covers(y) for y in (2023, 2024, 2025, 2026))


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2024, 10, 1), False),  # 国庆
        (date(2024, 10, 7), False),
        (date(2024, 9, 29), True),  # Sunday make-up day
        (date(2024, 10, 12), True),  # Saturday make-up day
        (date(2025, 1, 28), False),  # 除夕, a statutory holiday from 2025
        (date(2025, 1, 26), True),  # Sunday make-up day
        (date(2025, 2, 8), True),
        (date(2025, 4, 27), True),
        (date(2025, 5, 5), False),
        (date(2023, 6, 25), True),
        (date(2023, 4, 5), False),  # 清明, a Wednesday
        (date(2026, 2, 23), False),
        (date(2026, 2, 28), True),
        (date(2024, 3, 16), False),  # ordinary Saturday
        (date(2024, 3, 18), True),  # ordinary Monday
    ],
)
def test_known_days(day, working):
    assert is_working_day(day) is working


def test_add_across_national_day_2024():
    # Fri 27 Sep + 5: Sun 29 (make-up), Mon 30, [1-7 Oct off], Tue 8, Wed 9, Thu 10
    assert add_working_days(date(2024, 9, 27), 5) == date(2024, 10, 10)


def test_add_across_spring_festival_2025():
    # Fri 24 Jan: Sun 26 (make-up) = 1, Mon 27 = 2, 28 Jan-4 Feb off, Wed 5 = 3
    assert add_working_days(date(2025, 1, 24), 3) == date(2025, 2, 5)


def test_zero_and_between():
    d = date(2024, 5, 6)
    assert add_working_days(d, 0) == d
    assert working_days_between(d, d) == 0
    assert working_days_between(date(2024, 9, 27), date(2024, 10, 10)) == 5
    assert working_days_between(date(2024, 10, 10), date(2024, 9, 27)) == -5


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2022, 12, 1), max_value=date(2027, 6, 30)), st.integers(0, 60))
def test_between_inverts_add(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert n == 0 or is_working_day(end)


def test_outside_covered_years_falls_back_to_weekdays(caplog):
    cal = load_calendar()
    with caplog.at_level(logging.WARNING, logger="bot.cases.workdays"):
        assert cal.is_working_day(date(2031, 10, 1))  # a Wednesday: holiday unknown, so working
        assert not cal.is_working_day(date(2031, 10, 4))  # Saturday
    assert any("2031" in r.getMessage() for r in caplog.records)


def test_loader_rejects_weekday_make_up(tmp_path):
    path = tmp_path / "h.yml"
    path.write_text(
        yaml.safe_dump({"years": {2024: {"source": "x", "holidays": [], "workdays": [date(2024, 3, 18)]}}}),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError):
        load_calendar(path)


def test_every_make_up_day_is_a_weekend_and_every_year_has_spring_festival():
    cal = get_calendar()
    assert all(d.weekday() >= 5 for d in cal.workdays)
    for year in (2023, 2024, 2025, 2026):
        spring = [
            d
            for d in cal.holidays
            if d.year == year and d.month in (1, 2) and not (d.month == 1 and d.day <= 3)
        ]
        assert len(spring) >= 7, year
        assert len([d for d in cal.holidays if d.year == year and d.month == 10]) >= 6
    assert date(2024, 12, 31) + timedelta(days=1) in cal.holidays  # 元旦 2025


@settings(max_examples=80, deadline=None)
@given(st.dates(min_value=date(2021, 6, 1), max_value=date(2028, 6, 30)), st.integers(0, 900))
def test_fast_count_equals_day_by_day(a, span):
    cal = get_calendar()
    b = a + timedelta(days=span)
    slow = sum(1 for i in range(1, span + 1) if cal.is_working_day(a + timedelta(days=i)))
    assert cal.working_days_between(a, b) == slow
