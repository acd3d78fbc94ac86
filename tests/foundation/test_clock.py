"""bot.clock: China time whatever the server's time zone."""

from datetime import date, datetime, timedelta, timezone

import pytest

from bot import clock


class _FrozenDatetime(datetime):
    """``datetime`` whose ``now(tz)`` is a fixed UTC instant seen in ``tz``."""

    instant = datetime(2024, 5, 31, 20, 30, tzinfo=timezone.utc)  # 2024-06-01 04:30 in China

    @classmethod
    def now(cls, tz=None):
        return cls.instant.astimezone(tz)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "datetime", _FrozenDatetime)


def test_china_is_utc_plus_eight_all_year():
    for moment in (datetime(2024, 1, 15), datetime(2024, 7, 15)):
        assert clock.CHINA_TZ.utcoffset(moment) == timedelta(hours=8)


def test_now_is_aware_china_time(frozen):
    now = clock.now()
    assert now.utcoffset() == timedelta(hours=8)
    assert (now.year, now.month, now.day, now.hour, now.minute) == (2024, 6, 1, 4, 30)


def test_today_is_the_china_date_not_the_utc_date(frozen):
    assert clock.today() == date(2024, 6, 1)
    assert _FrozenDatetime.instant.date() == date(2024, 5, 31)


def test_today_on_the_real_clock_is_now_in_china():
    before, now, after = clock.today(), clock.now(), clock.today()
    assert now.date() in (before, after)
    assert now.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 5, 31, 16, 0), datetime(2024, 6, 1, 0, 0)),  # naive = UTC (database times)
        (datetime(2024, 5, 31, 15, 59), datetime(2024, 5, 31, 23, 59)),
        (datetime(2024, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5))), datetime(2024, 6, 1, 22, 0)),
    ],
)
def test_to_china(moment, expected):
    local = clock.to_china(moment)
    assert local.utcoffset() == timedelta(hours=8)
    assert local.replace(tzinfo=None) == expected
