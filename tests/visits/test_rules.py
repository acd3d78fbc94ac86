"""Visit rules as plain functions: table tests (no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.cases.workdays import get_calendar
from bot.policy.parameters import load_parameters
from bot.visits.rules import (
    CITATION,
    Decision,
    DueState,
    VisitParams,
    add_months,
    due_date,
    due_state,
    earliest_on_time_base,
    is_low,
    latest_listed_base,
    mean,
    parse_period,
    period_of,
    previous_period,
    propose,
    visit_score,
)

P = VisitParams()  # the values in county.yml (checked below)
CAL = get_calendar()


def test_the_county_parameters_are_read_and_unverified():
    params = VisitParams.from_county(load_parameters())
    assert params == VisitParams(verified=False)
    assert not params.verified


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year, clamped
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2023, 12, 10), 1, date(2024, 1, 10)),  # across the year
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("last_visit", "since", "expected", "why"),
    [
        (date(2024, 8, 12), None, date(2024, 9, 12), "a working day"),
        (date(2024, 9, 1), None, date(2024, 10, 8), "国庆 2024-10-01..07: the next working day"),
        (date(2024, 1, 10), None, date(2024, 2, 18), "春节 2024-02-10..17 ends on 2024-02-18, a 调休 Sunday"),
        (date(2024, 8, 29), None, date(2024, 9, 29), "2024-09-29 is a Sunday made a working day (调休)"),
        (date(2024, 5, 1), None, date(2024, 6, 3), "06-01 a Saturday: Monday"),
        (date(2026, 9, 1), None, date(2026, 10, 8), "国庆 2026-10-01..07"),
        (date(2026, 8, 26), None, date(2026, 9, 28), "中秋 2026-09-25..27"),
        (None, date(2024, 3, 5), date(2024, 4, 7), "never visited: one interval after coming into care; 04-07 调休"),
        (None, None, None, "never visited, no start date: due at once"),
    ],
)
def test_due_date_moves_over_weekends_and_holidays(last_visit, since, expected, why):
    assert due_date(last_visit, since, P, CAL.is_working_day) == expected, why


@pytest.mark.parametrize(
    ("due", "today", "state"),
    [
        (None, date(2024, 6, 3), DueState.OVERDUE),
        (date(2024, 6, 3), date(2024, 6, 4), DueState.OVERDUE),
        (date(2024, 6, 3), date(2024, 6, 3), DueState.DUE_SOON),  # due today is not overdue yet
        (date(2024, 6, 7), date(2024, 6, 3), DueState.DUE_SOON),
        (date(2024, 6, 11), date(2024, 6, 3), DueState.DUE_SOON),  # 5 working days: 06-10 端午 not counted
        (date(2024, 6, 12), date(2024, 6, 3), DueState.OK),
        (date(2024, 10, 8), date(2024, 9, 30), DueState.DUE_SOON),  # across 国庆: one working day
    ],
)
def test_due_state_counts_working_days(due, today, state):
    assert due_state(due, today, P, CAL.working_days_between) is state


@pytest.mark.parametrize(
    ("ratings", "score"),
    [
        ({"environment": 5, "hygiene": 5, "daily": 5, "health": 5, "care": 5}, Decimal("5.00")),
        ({"environment": 2, "hygiene": 1, "daily": 3, "health": 4, "care": 2}, Decimal("2.40")),
        ({"environment": 4, "hygiene": 3, "daily": 3, "health": 4, "care": None}, Decimal("3.50")),  # 不适用
        ({"environment": 5, "hygiene": 4}, Decimal("4.50")),  # items not rated are left out
        ({"environment": 4, "hygiene": 4, "daily": 5}, Decimal("4.33")),
        ({}, None),
    ],
)
def test_visit_score_is_the_mean_of_the_rated_items(ratings, score):
    assert visit_score(ratings, P) == score


@pytest.mark.parametrize(
    "ratings", [{"environment": 6}, {"environment": 0}, {"environment": "好"}, {"environment": True}, {"kitchen": 3}]
)
def test_bad_ratings_are_refused(ratings):
    with pytest.raises(ValueError):
        visit_score(ratings, P)


@pytest.mark.parametrize(
    ("day", "months", "label", "start", "end"),
    [
        (date(2023, 8, 15), 3, "2023Q3", date(2023, 7, 1), date(2023, 9, 30)),
        (date(2023, 12, 31), 3, "2023Q4", date(2023, 10, 1), date(2023, 12, 31)),
        (date(2024, 2, 29), 1, "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2023, 7, 1), 6, "2023H2", date(2023, 7, 1), date(2023, 12, 31)),
        (date(2023, 3, 3), 12, "2023", date(2023, 1, 1), date(2023, 12, 31)),
        (date(2023, 5, 3), 2, "2023P03", date(2023, 5, 1), date(2023, 6, 30)),
    ],
)
def test_periods(day, months, label, start, end):
    period = period_of(day, months)
    assert (period.label, period.start, period.end) == (label, start, end)


def test_previous_period_crosses_the_year_and_periods_parse():
    assert previous_period(period_of(date(2024, 2, 1), 3), 3).label == "2023Q4"
    assert parse_period("2023q3", 3).start == date(2023, 7, 1)
    assert parse_period("2023-08-20", 3).label == "2023Q3"
    with pytest.raises(ValueError):
        parse_period("上季度", 3)
    with pytest.raises(ValueError):
        period_of(date(2023, 1, 1), 5)


@pytest.mark.parametrize(
    ("score", "earlier_low", "care_level", "decision", "flagged", "in_a_row"),
    [
        (Decimal("4.2"), [], None, Decision.KEEP, False, 0),
        (Decimal("3.00"), [True, True], None, Decision.KEEP, False, 0),  # at the threshold is not low
        (Decimal("2.99"), [], None, Decision.WARN, False, 1),
        (Decimal("2.5"), [False, True], None, Decision.WARN, False, 1),  # the earlier low was not in a row
        (Decimal("2.5"), [True], "部分失能", Decision.REPLACE, True, 2),
        (Decimal("2.5"), [True], "完全失能", Decision.CENTRALISE, True, 2),
        (Decimal("1.0"), [True, True, False], "自理", Decision.REPLACE, True, 3),
        (None, [True], None, Decision.KEEP, False, 0),  # no visits scored: nothing to evaluate
    ],
)
def test_the_flag_rule(score, earlier_low, care_level, decision, flagged, in_a_row):
    proposal = propose(score, earlier_low, care_level, P)
    assert (proposal.decision, proposal.flagged, proposal.low_in_a_row) == (decision, flagged, in_a_row)
    if flagged:
        assert CITATION in proposal.reason and "略阳县2023年上半年社会救助工作总结" in proposal.reason
        assert "更换照料护理人或转为集中供养" in proposal.reason


def test_the_flag_rule_follows_the_parameters():
    strict = VisitParams(low_score_threshold=Decimal("4"), flag_after_low_evaluations=3)
    assert propose(Decimal("3.5"), [True], None, strict).decision is Decision.WARN
    assert propose(Decimal("3.5"), [True, True], None, strict).flagged
    assert is_low(Decimal("3.99"), strict) and not is_low(None, strict)


def test_mean_rounds_half_up():
    assert mean([Decimal("2.345")]) == Decimal("2.35")
    assert mean([]) is None


@pytest.mark.parametrize("today", [date(2024, 6, 28), date(2024, 9, 30), date(2024, 2, 8), date(2025, 3, 31), date(2024, 3, 1)])
def test_everybody_after_the_latest_listed_base_is_fine(today):
    """The database leaves out people whose last visit is after ``latest_listed_base``: exact, not approximate."""
    limit = latest_listed_base(today, P, CAL.is_working_day, CAL.working_days_between)
    for offset in range(-80, 80):
        base = limit + timedelta(days=offset)
        state = due_state(due_date(base, None, P, CAL.is_working_day), today, P, CAL.working_days_between)
        assert (state is not DueState.OK) == (base <= limit), (today, base, state)


@pytest.mark.parametrize("today", [date(2024, 6, 28), date(2024, 10, 8), date(2024, 2, 19), date(2025, 3, 31), date(2024, 3, 1)])
def test_visited_on_time_exactly_from_the_earliest_on_time_base(today):
    first = earliest_on_time_base(today, P, CAL.is_working_day)
    for offset in range(-80, 80):
        base = first + timedelta(days=offset)
        state = due_state(due_date(base, None, P, CAL.is_working_day), today, P, CAL.working_days_between)
        assert (state is not DueState.OVERDUE) == (base >= first), (today, base, state)
