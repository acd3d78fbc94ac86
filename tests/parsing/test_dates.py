import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import DateError
from bot.parsing.dates import ParsedDate, parse_date, parse_exact_date, require_past_date

TODAY = dt.date(2024, 3, 15)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected", "approximate"),
    [
        ("2023-05-01", dt.date(2023, 5, 1), False),
        ("2023/5/1", dt.date(2023, 5, 1), False),
        ("2023年5月1日", dt.date(2023, 5, 1), False),
        ("二〇二三年五月一日", dt.date(2023, 5, 1), False),
        ("23年5月1号", dt.date(2023, 5, 1), False),
        ("3月1号", dt.date(2024, 3, 1), False),
        ("5月1号", dt.date(2023, 5, 1), False),  # not yet this year -> last year
        ("今天", TODAY, False),
        ("昨天", dt.date(2024, 3, 14), False),
        ("前天", dt.date(2024, 3, 13), False),
        ("大前天", dt.date(2024, 3, 12), False),
        ("三天前", dt.date(2024, 3, 12), False),
        ("10天前", dt.date(2024, 3, 5), False),
        ("上周", dt.date(2024, 3, 8), True),
        ("上周三", dt.date(2024, 3, 6), False),
        ("上个月", dt.date(2024, 2, 15), True),
        ("上个月5号", dt.date(2024, 2, 5), False),
        ("半个月前", dt.date(2024, 2, 29), True),
        ("两个月前", dt.date(2024, 1, 15), True),
        ("去年", dt.date(2023, 3, 15), True),
        ("去年8月", dt.date(2023, 8, 1), True),
        ("前年", dt.date(2022, 3, 15), True),
        ("2023年5月", dt.date(2023, 5, 1), True),
        ("3号", dt.date(2024, 3, 3), False),
        ("20号", dt.date(2024, 2, 20), False),
        ("房子是昨天晚上塌的", dt.date(2024, 3, 14), False),
    ],
)
def test_dates(text, expected, approximate):
    assert parse_date(text, TODAY) == ParsedDate(expected, approximate)


def test_result_is_a_pair():
    day, approximate = parse_date("昨天", TODAY)
    assert day == dt.date(2024, 3, 14) and approximate is False


def test_month_end_clamping():
    assert parse_date("上个月", dt.date(2024, 3, 31)) == ParsedDate(dt.date(2024, 2, 29), True)


def test_feb_29_in_a_common_year_means_the_last_leap_year():
    assert parse_date("2月29日", dt.date(2025, 3, 1)) == ParsedDate(dt.date(2024, 2, 29), False)


@pytest.mark.parametrize("text", ["", "随便", "2023年2月30日", "2023-13-01", "手机号13812345678"])
def test_unreadable(text):
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("随便", "没有看懂"),
        ("2023年2月30日", "没有30日"),
        ("2023年13月1日", "没有13月"),
        ("2030年1月1日", "晚于今天"),
    ],
)
def test_require_past_date_reasons(text, reason_part):
    with pytest.raises(DateError) as err:
        require_past_date(text, TODAY)
    assert reason_part in err.value.reason


@given(st.text(), st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_never_crashes(text, today):
    parsed = parse_date(text, today)
    assert parsed is None or isinstance(parsed.date, dt.date)
    try:
        require_past_date(text, today)
    except DateError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason)  # a Chinese reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-01", dt.date(2023, 5, 1)),
        ("2023/5/1", dt.date(2023, 5, 1)),
        ("2023.5.1", dt.date(2023, 5, 1)),
        ("2023年5月1日", dt.date(2023, 5, 1)),
        ("2023年5月1号", dt.date(2023, 5, 1)),
        ("2023年5月1", dt.date(2023, 5, 1)),
        ("2023 年 5 月 1 日", dt.date(2023, 5, 1)),
        ("二〇二三年五月一日", dt.date(2023, 5, 1)),
        ("20230501", dt.date(2023, 5, 1)),
        ("２０２３－０５－０１", dt.date(2023, 5, 1)),  # full width
        ("  2024-2-29 ", dt.date(2024, 2, 29)),
    ],
)
def test_exact_date(text, expected):
    assert parse_exact_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "2023-02-30", "2023-13-01", "20231301", "2023年5月", "5月1日", "昨天", "三天前", "2023-05-01 00:00",
     "申请日期2023-05-01", "202305011", "1899-12-31", "abc"],
)
def test_exact_date_is_none_for_anything_but_one_complete_date(text):
    assert parse_exact_date(text) is None


@pytest.mark.parametrize("text", ["2023-05-01", "2023/5/1", "2023年5月1日", "二〇二三年五月一日"])
def test_exact_and_free_text_parsing_agree_on_complete_dates(text):
    assert parse_date(text, TODAY) == ParsedDate(parse_exact_date(text), False)


def test_free_text_does_not_read_eight_digits_as_a_date():
    assert parse_date("我的编号是20230501", TODAY) is None
