import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import PhoneNumberError
from bot.parsing.phones import find_phones, is_valid_phone, normalize_phone


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "008613812345678",
        "8613812345678",
        "１３８１２３４５６７８",
    ],
)
def test_normalise(text):
    assert normalize_phone(text) == "13812345678"


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("", "请提供"),
        ("1381234567", "11位"),
        ("23812345678", "13至19"),
        ("12812345678", "13至19"),
        ("1381234abcd", "只能包含数字"),
        ("+1 2025550123", "中国大陆"),
    ],
)
def test_rejections(text, reason_part):
    with pytest.raises(PhoneNumberError) as err:
        normalize_phone(text)
    assert reason_part in err.value.reason


def test_find_phones():
    text = "电话13812345678或者 +86 139-0000-1111 都行"
    found = find_phones(text)
    assert [m.value for m in found] == ["13812345678", "13900001111"]
    for m in found:
        assert text[m.start : m.end] == m.raw


def test_find_phones_skips_longer_digit_strings():
    assert find_phones("110105194912310021") == []
    assert find_phones("610727193812345678") == []
    assert find_phones("1381234567890") == []


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_valid_round_trip(number):
    assert is_valid_phone(number)
    assert normalize_phone(f"+86 {number[:3]} {number[3:7]} {number[7:]}") == number
    assert [m.value for m in find_phones(f"我的手机是{number}。")] == [number]


@given(st.text())
def test_never_crashes(text):
    try:
        normalize_phone(text)
    except PhoneNumberError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason)  # a Chinese reason
    find_phones(text)
