import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import CaseNumberError
from bot.parsing.case_numbers import (
    codes_text,
    find_case_numbers,
    is_valid_case_no,
    normalize_case_no,
    programme_of,
)
from bot.programmes import case_codes


@pytest.mark.parametrize(
    "text",
    [
        "LY2023LS00123",
        "ly2023ls00123",
        "ly-2023-ls-00123",
        "LY 2023 LS 00123",
        "ly_2023_ls_00123",
        "ＬＹ２０２３ＬＳ００１２３",
        " LY2023ls00123 ",
    ],
)
def test_normalise(text):
    assert normalize_case_no(text) == "LY2023LS00123"


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("", "请提供"),
        ("XY2023LS00123", "LY 开头"),
        ("LY20LS00123", "年份"),
        ("LY1999LS00123", "年份"),
        ("LY2099LS00123", "年份"),
        ("LY2023XX00123", "DB（低保）"),
        ("LY2023LS0012", "5位数字"),
        ("LY2023LS001234", "5位数字"),
        ("LY2023LS0012A", "5位数字"),
    ],
)
def test_rejections(text, reason_part):
    with pytest.raises(CaseNumberError) as err:
        normalize_case_no(text, today=dt.date(2024, 1, 1))
    assert reason_part in err.value.reason


def test_programme_of():
    assert programme_of("LY2023DB00001") == "低保"
    assert programme_of("ly2023tk00001") == "特困供养"
    assert programme_of("LY2023LS00123") == "临时救助"
    with pytest.raises(CaseNumberError):
        programme_of("LY2023XX00001")


def test_codes_come_from_the_registry():
    assert codes_text() == "DB（低保）、TK（特困供养）或 LS（临时救助）"
    with pytest.raises(CaseNumberError) as err:
        normalize_case_no("LY2023XX00123", today=dt.date(2024, 1, 1))
    assert err.value.reason == "案件编号中年份后面的业务代码应为 DB（低保）、TK（特困供养）或 LS（临时救助），请核对。"
    for name, code in case_codes().items():
        assert programme_of(f"LY2023{code}00001") == name
    with pytest.raises(CaseNumberError):  # 低保边缘家庭 has no county case records, so no code
        normalize_case_no("LY2023BY00001", today=dt.date(2024, 1, 1))


def test_find_case_numbers_with_spans():
    text = "我的编号是 ly-2023-ls-00123，还有一个LY2022DB00007。"
    found = find_case_numbers(text)
    assert [m.value for m in found] == ["LY2023LS00123", "LY2022DB00007"]
    for m in found:
        assert text[m.start : m.end] == m.raw


def test_find_case_numbers_valid_only_switch():
    text = "编号LY2023XX00123"
    assert find_case_numbers(text) == []
    lenient = find_case_numbers(text, valid_only=False)
    assert [m.value for m in lenient] == ["LY2023XX00123"]


def test_find_ignores_embedded_codes():
    assert find_case_numbers("ABCLY2023LS00123") == []
    assert find_case_numbers("LY2023LS001234567") == []


@given(st.integers(2000, 2025), st.sampled_from(sorted(case_codes().values())), st.integers(0, 99999))
def test_round_trip(year, code, serial):
    case_no = f"LY{year}{code}{serial:05d}"
    assert normalize_case_no(case_no.lower()) == case_no
    assert is_valid_case_no(f"ly-{year}-{code.lower()}-{serial:05d}")
    assert [m.value for m in find_case_numbers(f"查一下{case_no}的进度")] == [case_no]


@given(st.text())
def test_never_crashes(text):
    try:
        normalize_case_no(text)
    except CaseNumberError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason)  # a Chinese reason
    find_case_numbers(text, valid_only=False)
