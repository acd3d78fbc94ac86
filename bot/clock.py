"""China time: the county's time zone, the current time there and today's date there. Stdlib only.

The servers may run in any time zone (UTC in most deployments), but every date a resident or the bureau talks
about (today, yesterday, a deadline, office hours) is a date in China Standard Time. Use ``today()`` for "today"
and ``to_china()`` to show a stored UTC time; never ``date.today()`` or a local ``timezone(timedelta(hours=8))``.
Imported by both virtualenvs (``bot.parsing`` uses it), so it must stay stdlib-only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

# China Standard Time, UTC+8 all year (no daylight saving since 1991)
CHINA_TZ = timezone(timedelta(hours=8))

__all__ = ["CHINA_TZ", "now", "to_china", "today"]


def now() -> datetime:
    """The current time in China, time-zone aware."""
    return datetime.now(CHINA_TZ)


def today() -> date:
    """Today's date in China (the calendar date residents and the bureau see), whatever the server's zone."""
    return now().date()


def to_china(moment: datetime) -> datetime:
    """``moment`` in China time; a naive ``moment`` is taken as UTC (how the database stores times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(CHINA_TZ)
