"""Dates written as text: the one parser of date text in the project. Stdlib only.

- ``parse_date(text, today)``: the date a message talks about, as people say it (2023-05-01, 2023年5月1日, 5月1号,
  昨天, 前天, 上周, 上个月, 三天前, 半个月前, 去年), as ``ParsedDate(date, approximate)`` (a named pair) or None.
  Relative and vague expressions (上周, 上个月, 去年, 2023年5月) are approximate. ``today`` defaults to today's date
  in China (``bot.clock.today()``).
- ``require_past_date(text, today)``: the same for past events, raising ``DateError`` with a Chinese reason.
- ``parse_exact_date(text)``: a complete calendar date written on its own, as in a form field or a spreadsheet
  cell (2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 二〇二三年五月一日, 20230501), or None.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import cache
from typing import NamedTuple

from bot import clock
from bot.errors import AmountError, DateError
from bot.parsing.amounts import chinese_to_int
from bot.parsing.text import fold

__all__ = ["ParsedDate", "parse_date", "parse_exact_date", "require_past_date"]

_N = r"[0-9]{1,4}|[零〇一二两三四五六七八九十]{1,4}"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}


class ParsedDate(NamedTuple):
    date: dt.date
    approximate: bool


def _num(text: str) -> int:
    try:
        return chinese_to_int(text)
    except AmountError as exc:
        raise DateError("没有看懂这个日期。") from exc


def _make(year: int, month: int, day: int) -> dt.date:
    if not 1 <= month <= 12:
        raise DateError(f"没有{month}月，请核对日期。")
    if not 1900 <= year <= 2200:
        raise DateError(f"年份{year}不对，请核对日期。")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise DateError(f"{year}年{month}月没有{day}日，请核对日期。")
    return dt.date(year, month, day)


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _full_year(text: str) -> int:
    year = _num(text)
    if year < 100:  # 23年 -> 2023
        year += 2000
    return year


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    return {
        "iso": re.compile(r"(?<![0-9])([0-9]{4})\s*[-/.]\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})(?![0-9])"),
        "ymd": re.compile(rf"({_N})\s*年\s*({_N})\s*月\s*({_N})\s*(?:日|号)?"),
        "compact": re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"),  # 20230501: only a date on its own
        "ym": re.compile(rf"({_N})\s*年\s*({_N})\s*(?:月份|月)"),
        "rel_year_md": re.compile(rf"(今年|去年|前年)\s*({_N})\s*月(?:份)?\s*(?:({_N})\s*(?:日|号))?"),
        "md": re.compile(rf"(?<![0-9年])({_N})\s*月\s*({_N})\s*(?:日|号)"),
        "last_month_day": re.compile(rf"(上个?月|这个?月|本月)\s*({_N})\s*(?:日|号)"),
        "d": re.compile(rf"(?<![0-9月])({_N})\s*(?:日|号)(?!码)"),
        "days_ago": re.compile(rf"({_N})\s*(?:天|日)\s*(?:前|以前|之前)"),
        "weeks_ago": re.compile(rf"({_N}|半)\s*(?:个)?\s*(?:周|星期|礼拜)\s*(?:前|以前|之前)"),
        "months_ago": re.compile(rf"({_N}|半)\s*个\s*(?:多)?\s*月\s*(?:前|以前|之前)"),
        "years_ago": re.compile(rf"({_N}|半)\s*年\s*(?:前|以前|之前)"),
        "last_weekday": re.compile(r"(上|这|本)\s*(?:个)?\s*(?:周|星期|礼拜)\s*([一二三四五六日天末])"),
        "word": re.compile(
            r"大前天|前天|昨天|昨日|昨晚|今天|今日|今早|今晚|刚才|刚刚|上周|上个星期|上星期|上礼拜|上个礼拜|上个月|上月|本月|这个月|今年|去年|前年"
        ),
    }


# complete dates: year, month and day written out
_EXACT = ("iso", "ymd", "compact")


def _exact(pattern: str, m: re.Match[str]) -> dt.date:
    if pattern == "ymd":
        return _make(_full_year(m.group(1)), _num(m.group(2)), _num(m.group(3)))
    return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _parse(text: str, today: dt.date) -> ParsedDate | None:
    text = fold(text or "")
    if not text.strip():
        return None
    p = _patterns()
    for pattern in ("iso", "ymd"):  # not "compact": eight digits inside a message are rarely a date
        if m := p[pattern].search(text):
            return ParsedDate(_exact(pattern, m), False)
    if m := p["rel_year_md"].search(text):
        year = today.year - {"今年": 0, "去年": 1, "前年": 2}[m.group(1)]
        if m.group(3):
            return ParsedDate(_make(year, _num(m.group(2)), _num(m.group(3))), False)
        return ParsedDate(_make(year, _num(m.group(2)), 1), True)
    if m := p["ym"].search(text):
        return ParsedDate(_make(_full_year(m.group(1)), _num(m.group(2)), 1), True)
    if m := p["last_month_day"].search(text):
        base = _shift_months(today, 1) if m.group(1).startswith("上") else today
        return ParsedDate(_make(base.year, base.month, _num(m.group(2))), False)
    if m := p["md"].search(text):
        month, day = _num(m.group(1)), _num(m.group(2))
        try:
            date: dt.date | None = _make(today.year, month, day)
        except DateError:
            date = None  # e.g. 2月29日 in a common year: it was last year
        if date is None or date > today:
            date = _make(today.year - 1, month, day)
        return ParsedDate(date, False)
    if m := p["days_ago"].search(text):
        return ParsedDate(today - dt.timedelta(days=_num(m.group(1))), False)
    if m := p["weeks_ago"].search(text):
        days = 3 if m.group(1) == "半" else 7 * _num(m.group(1))
        return ParsedDate(today - dt.timedelta(days=days), True)
    if m := p["months_ago"].search(text):
        if m.group(1) == "半":
            return ParsedDate(today - dt.timedelta(days=15), True)
        return ParsedDate(_shift_months(today, _num(m.group(1))), True)
    if m := p["years_ago"].search(text):
        if m.group(1) == "半":
            return ParsedDate(_shift_months(today, 6), True)
        return ParsedDate(_shift_months(today, 12 * _num(m.group(1))), True)
    if m := p["last_weekday"].search(text):
        monday = today - dt.timedelta(days=today.weekday())
        if m.group(1) == "上":
            monday -= dt.timedelta(days=7)
        return ParsedDate(monday + dt.timedelta(days=_WEEKDAYS[m.group(2)]), m.group(2) == "末")
    if m := p["d"].search(text):
        day = _num(m.group(1))
        base = today
        if day > today.day:
            base = _shift_months(today.replace(day=1), 1)
        return ParsedDate(_make(base.year, base.month, day), False)
    if m := p["word"].search(text):
        word = m.group(0)
        offsets = {"大前天": 3, "前天": 2, "昨天": 1, "昨日": 1, "昨晚": 1}
        if word in offsets:
            return ParsedDate(today - dt.timedelta(days=offsets[word]), False)
        if word in ("今天", "今日", "今早", "今晚", "刚才", "刚刚"):
            return ParsedDate(today, False)
        if word in ("上周", "上个星期", "上星期", "上礼拜", "上个礼拜"):
            return ParsedDate(today - dt.timedelta(days=7), True)
        if word in ("上个月", "上月"):
            return ParsedDate(_shift_months(today, 1), True)
        if word in ("本月", "这个月", "今年"):
            return ParsedDate(today, True)
        if word == "去年":
            return ParsedDate(_shift_months(today, 12), True)
        if word == "前年":
            return ParsedDate(_shift_months(today, 24), True)
    return None


def parse_date(text: str, today: dt.date | None = None) -> ParsedDate | None:
    """The date ``text`` talks about, as ``ParsedDate(date, approximate)``, or None if none can be read."""
    try:
        return _parse(text, today or clock.today())
    except (DateError, ValueError, OverflowError):
        return None


def require_past_date(text: str, today: dt.date | None = None) -> ParsedDate:
    """Like ``parse_date`` for past events, but raises DateError with a Chinese reason (unreadable, invalid, future)."""
    today = today or clock.today()
    try:
        parsed = _parse(text, today)
    except (ValueError, OverflowError) as exc:
        raise DateError("没有看懂这个日期，请写成“2023年5月1日”或“5月1号”这样的格式。") from exc
    if parsed is None:
        raise DateError("没有看懂这个日期，请写成“2023年5月1日”、“5月1号”或“三天前”这样的说法。")
    if parsed.date > today:
        raise DateError("这个日期晚于今天，请核对事情发生的日期。")
    return parsed


def parse_exact_date(text: str) -> dt.date | None:
    """``text`` as a complete calendar date written on its own (a form field, a spreadsheet cell), else None.

    Accepts 2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日 (or 号, or no 日), Chinese numerals, 20230501, with spaces
    around the parts and full-width characters. Partial (2023年5月), relative (昨天) and impossible dates
    (2023-02-30) give None.
    """
    text = fold(text or "").strip()
    p = _patterns()
    for pattern in _EXACT:
        if m := p[pattern].fullmatch(text):
            try:
                return _exact(pattern, m)
            except (DateError, ValueError, OverflowError):
                return None
    return None
