import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import IdNumberError
from bot.parsing.identity import (
    generate_id_number,
    id_birth_date,
    id_check_digit,
    id_sex,
    is_valid_id_number,
    normalize_id_number,
    validate_id_last6,
    validate_id_number,
)

# The worked example of GB 11643-1999 (Appendix A): 11010519491231002 -> check character X.
STANDARD_EXAMPLE = "11010519491231002X"
TODAY = dt.date(2024, 6, 1)


def test_check_digit_matches_the_standard_example():
    assert id_check_digit("11010519491231002") == "X"
    assert validate_id_number(STANDARD_EXAMPLE, today=TODAY) == STANDARD_EXAMPLE


def test_check_digit_known_values():
    # 440524188001010014 is a widely published valid example (check digit 4).
    assert id_check_digit("44052418800101001") == "4"


def test_check_digit_rejects_bad_input():
    with pytest.raises(IdNumberError):
        id_check_digit("123")


@pytest.mark.parametrize(
    "text",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105-1949-1231-002X",
    ],
)
def test_normalises_case_spaces_and_full_width(text):
    assert validate_id_number(text, today=TODAY) == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("", "请提供"),
        ("110105491231002", "旧版15位"),
        ("11010519491231002", "18位"),
        ("1101051949123100212", "18位"),
        ("1101051949123100AX", "前17位应为数字"),
        ("11010519491231002Y", "前17位应为数字"),
        ("990105194912310021", "地区代码"),
        ("110105194913310021", "出生日期"),
        ("110105194902300021", "出生日期"),
        ("110105203001010021", "晚于今天"),
        ("11010519491231002" + "1", "校验码"),
    ],
)
def test_rejections_have_precise_chinese_reasons(text, reason_part):
    with pytest.raises(IdNumberError) as err:
        validate_id_number(text, today=TODAY)
    assert reason_part in err.value.reason
    assert err.value.user_message == err.value.reason


def test_future_birth_depends_on_today():
    number = generate_id_number(random.Random(1), birth=dt.date(2024, 7, 1))
    assert not is_valid_id_number(number, today=TODAY)
    assert is_valid_id_number(number, today=dt.date(2024, 7, 1))


def test_error_does_not_keep_the_number():
    with pytest.raises(IdNumberError) as err:
        validate_id_number("110105194912310021", today=TODAY)
    assert "110105194912310021" not in str(err.value)
    assert err.value.value is None


@pytest.mark.parametrize("text", ["12345X", "123456", "12345x", " 12 34 56 ", "１２３４５６"])
def test_last6_ok(text):
    assert validate_id_last6(text) == normalize_id_number(text)
    assert len(validate_id_last6(text)) == 6


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [("", "后六位"), ("12345", "6个字符"), ("1234X6", "5位数字"), ("abcdef", "5位数字")],
)
def test_last6_rejections(text, reason_part):
    with pytest.raises(IdNumberError) as err:
        validate_id_last6(text)
    assert reason_part in err.value.reason


def test_generate_id_numbers_are_valid_and_deterministic():
    rng = random.Random(42)
    numbers = [generate_id_number(rng) for _ in range(200)]
    assert all(is_valid_id_number(n) for n in numbers)
    assert all(n.startswith("610727") for n in numbers)
    assert numbers[:5] == [generate_id_number(random.Random(42)) for _ in range(1)] + numbers[1:5]


def test_generate_with_birth_and_sex():
    rng = random.Random(7)
    number = generate_id_number(rng, region="610727", birth=dt.date(1956, 3, 9), sex="女")
    assert number[6:14] == "19560309"
    assert id_birth_date(number) == dt.date(1956, 3, 9)
    assert id_sex(number) == "女"
    assert id_sex(generate_id_number(rng, sex="男")) == "男"
    with pytest.raises(IdNumberError):
        generate_id_number(rng, sex="x")
    with pytest.raises(IdNumberError):
        generate_id_number(rng, region="6107")


@given(
    st.integers(min_value=0, max_value=2**32),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
)
def test_generated_numbers_always_validate(seed, birth):
    number = generate_id_number(random.Random(seed), birth=birth)
    assert validate_id_number(number) == number
    assert id_birth_date(number) == birth


@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_any_single_digit_change_breaks_the_check(seed, position, delta):
    number = generate_id_number(random.Random(seed))
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    assert not is_valid_id_number(changed) or id_check_digit(changed[:17]) == changed[17]
    # GB 11643 detects every single-digit substitution:
    assert id_check_digit(changed[:17]) != number[17]


@settings(max_examples=300)
@given(st.text())
def test_validation_never_crashes(text):
    try:
        validate_id_number(text)
    except IdNumberError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason)  # a Chinese reason
    try:
        validate_id_last6(text)
    except IdNumberError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason)  # a Chinese reason
