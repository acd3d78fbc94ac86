from dataclasses import replace
from datetime import date, datetime

from bot.cases.workdays import WorkdayCalendar
from bot.handoff.hours import office_time, parse_hours, response_time_text, staff_see_text
from bot.policy.parameters import load_parameters

# 2024-10-01..07 National Day holiday, 2024-10-12 (Saturday) a make-up working day
CAL = WorkdayCalendar(
    holidays=frozenset(date(2024, 10, d) for d in range(1, 8)),
    workdays=frozenset({date(2024, 10, 12)}),
    years=frozenset({2024}),
)


def utc(y, m, d, hh, mm=0):
    """China local time -> naive UTC."""
    return datetime(y, m, d, hh, mm) - (datetime(2000, 1, 1, 8) - datetime(2000, 1, 1))


class _Params:
    """The real county parameters with the bureau's hours and response time overridden."""

    def __init__(self, hours=None, response=None):
        self._real = load_parameters()
        bureau = self._real.bureau()
        if hours is not None:
            bureau = replace(
                bureau,
                hours=replace(bureau.hours, value=hours, verified=True, effective_from=date(2024, 1, 1)),
            )
        self._bureau = bureau
        self._response = response

    def bureau(self):
        return self._bureau

    def __contains__(self, key):
        return key in self._real

    def get(self, key):
        p = self._real.get(key)
        if key == "handoff.response_hours" and self._response is not None:
            return replace(p, value=self._response, verified=True, effective_from=date(2024, 1, 1))
        return p


def test_parse_hours():
    assert [
        (a.isoformat("minutes"), b.isoformat("minutes")) for a, b in parse_hours("8:30-12:00，14:30－17:30")
    ] == [
        ("08:30", "12:00"),
        ("14:30", "17:30"),
    ]


def test_unverified_hours_weekday_daytime_is_unknown_not_closed():
    status = office_time(utc(2024, 10, 9, 10), load_parameters(), CAL)
    assert status.open_now is None and status.hours_text is None


def test_holiday_and_evening_are_closed_with_the_next_working_day():
    params = load_parameters()
    assert office_time(utc(2024, 10, 3, 10), params, CAL).resume_day == date(2024, 10, 8)
    evening = office_time(utc(2024, 10, 11, 20), params, CAL)  # Friday evening -> make-up Saturday
    assert evening.open_now is False and evening.resume_day == date(2024, 10, 12)
    early = office_time(utc(2024, 10, 9, 6), params, CAL)
    assert early.open_now is False and early.resume_day == date(2024, 10, 9)


def test_verified_hours_decide_open_and_lunch_break():
    params = _Params(hours="8:30-12:00,14:30-17:30")
    assert office_time(utc(2024, 10, 9, 9), params, CAL).open_now is True
    lunch = office_time(utc(2024, 10, 9, 13), params, CAL)
    assert lunch.open_now is False and lunch.resume_day == date(2024, 10, 9)
    assert office_time(utc(2024, 10, 9, 17, 45), params, CAL).resume_day == date(2024, 10, 10)


def test_unverified_response_time_is_never_stated():
    text = response_time_text(utc(2024, 10, 9, 10), load_parameters(), CAL)
    assert text == "工作人员会尽快与您联系。"
    assert "24" not in text and "小时" not in text


def test_verified_response_time_is_stated():
    text = response_time_text(utc(2024, 10, 9, 10), _Params(response=4), CAL)
    assert "4小时内" in text


def test_outside_hours_says_when_staff_respond():
    text = response_time_text(utc(2024, 10, 3, 10), load_parameters(), CAL)
    assert "非工作时间" in text and "10月8日（星期二）" in text
    assert "办公时间" not in text  # hours unverified: not shown
    text = response_time_text(utc(2024, 10, 3, 10), _Params(hours="8:30-12:00,14:30-17:30"), CAL)
    assert "办公时间：8:30-12:00,14:30-17:30" in text


def test_urgent_outside_hours_points_to_emergency_numbers():
    text = response_time_text(utc(2024, 10, 5, 23), load_parameters(), CAL, urgent=True)
    assert "110" in text and "优先" in text


def test_when_staff_will_see_a_waiting_ticket():
    params = _Params()
    # Friday evening: the next working day is Monday (no hours stated: they are not verified)
    assert (
        staff_see_text(utc(2024, 10, 18, 20), params, CAL)
        == "（现在是非工作时间，工作人员会在10月21日（星期一）上班后看到）"
    )
    # a holiday: the first working day after it
    assert "10月8日（星期二）" in staff_see_text(utc(2024, 10, 3, 10), params, CAL)
    # probably open (hours unverified): nothing said
    assert staff_see_text(utc(2024, 10, 18, 10), params, CAL) == ""
    # verified hours are stated
    verified = _Params(hours="8:30-12:00，14:30-17:30")
    assert "办公时间：8:30-12:00，14:30-17:30" in staff_see_text(utc(2024, 10, 18, 13), verified, CAL)
