"""Property tests for the parsers: no input crashes them, every rejection carries a Chinese reason, and valid
values survive the ways people type them (separators, lower case, full-width digits)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.errors import (
    AmountError,
    CaseNumberError,
    DateError,
    IdNumberError,
    InputError,
    PhoneNumberError,
    TownError,
)
from bot.parsing.amounts import chinese_to_int, find_amounts, parse_amount, require_amount
from bot.parsing.case_numbers import find_case_numbers, normalize_case_no
from bot.parsing.dates import parse_date, require_past_date
from bot.parsing.entities import extract_entities
from bot.parsing.household import parse_household_size
from bot.parsing.identity import find_id_numbers, validate_id_last6, validate_id_number
from bot.parsing.phones import find_phones, normalize_phone
from bot.parsing.towns import normalize_town, towns
from tests.properties.strategies import (
    any_text,
    chatty_text,
    digit_runs,
    messy,
    valid_case_numbers,
    valid_id_numbers,
    valid_phones,
)

TODAY = dt.date(2025, 6, 30)
CASE_NO = re.compile(r"LY[0-9]{4}(DB|TK|LS)[0-9]{5}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_reason(exc: InputError) -> None:
    """A rejected input is explained to the user: a non-empty Chinese sentence, no traceback text."""
    assert isinstance(exc.reason, str) and exc.reason.strip()
    assert CJK.search(exc.reason), exc.reason
    assert "Traceback" not in exc.reason
    assert exc.user_message == exc.reason


# -- amounts --------------------------------------------------------------------------------------------------
@given(st.one_of(any_text, chatty_text))
def test_amounts_never_crash_and_spans_point_into_the_text(text):
    for amount in find_amounts(text):
        start, end = amount.span
        assert 0 <= start < end <= len(text)
        assert text[start:end] == amount.raw
        assert Decimal(0) <= amount.yuan < Decimal(10) ** 12
        assert amount.period in (None, "month", "year")
        if amount.upper is not None:
            assert amount.upper >= amount.yuan
    try:
        assert require_amount(text) == parse_amount(text)
    except AmountError as exc:
        assert parse_amount(text) is None
        assert_reason(exc)


@given(st.integers(0, 999_999_999), st.sampled_from(["{}元", "{}块", "每月{}元", "收入{}", "{}"]))
def test_plain_numbers_are_read_exactly(n, template):
    """Up to nine digits (longer digit runs are phone or ID numbers by design)."""
    amount = parse_amount(template.format(n))
    assert amount is not None and amount.yuan == n


@given(st.one_of(any_text, chatty_text))
def test_chinese_numerals_reject_with_a_reason(text):
    try:
        value = chinese_to_int(text)
    except AmountError as exc:
        assert_reason(exc)
    else:
        assert isinstance(value, int) and value >= 0


# -- case numbers ---------------------------------------------------------------------------------------------
@given(st.one_of(any_text, chatty_text, digit_runs.map(lambda s: "LY" + s)))
def test_case_numbers_are_valid_or_rejected_with_a_reason(text):
    try:
        code = normalize_case_no(text, today=TODAY)
    except CaseNumberError as exc:
        assert_reason(exc)
    else:
        assert CASE_NO.fullmatch(code)
        assert normalize_case_no(code, today=TODAY) == code  # idempotent


@given(messy(valid_case_numbers()))
def test_messy_case_numbers_normalise_back(pair):
    clean, typed = pair
    assert normalize_case_no(typed, today=TODAY) == clean


@given(valid_case_numbers(), st.text(st.sampled_from("请查一下我的案件编号是，谢谢"), max_size=12))
def test_case_numbers_are_found_inside_sentences(code, words):
    found = find_case_numbers(f"{words}{code}{words}")
    assert [m.value for m in found] == [code]


# -- ID numbers -----------------------------------------------------------------------------------------------
@given(st.one_of(any_text, digit_runs, st.from_regex(r"[0-9]{17}[0-9Xx]", fullmatch=True)))
def test_id_numbers_are_valid_or_rejected_with_a_reason(text):
    try:
        number = validate_id_number(text, today=TODAY)
    except IdNumberError as exc:
        assert_reason(exc)
        assert exc.value is None  # the rejected number is never kept on the error (it would reach logs)
    else:
        assert len(number) == 18 and validate_id_number(number, today=TODAY) == number


@given(messy(valid_id_numbers()))
def test_messy_valid_id_numbers_are_accepted(pair):
    clean, typed = pair
    assert validate_id_number(typed) == clean


@given(valid_id_numbers(), st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_typo_is_caught(number, position, shift):
    """GB 11643 check digit (ISO 7064 MOD 11-2) detects every single substitution."""
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = number[position]
    new = alphabet[(alphabet.index(old) + shift) % len(alphabet)]
    assume(new != old)
    typo = number[:position] + new + number[position + 1 :]
    try:
        validate_id_number(typo)
    except IdNumberError as exc:
        assert_reason(exc)
    else:
        raise AssertionError(f"typo at position {position} was accepted")


@given(st.one_of(any_text, digit_runs))
def test_id_last6_valid_or_rejected_with_a_reason(text):
    try:
        tail = validate_id_last6(text)
    except IdNumberError as exc:
        assert_reason(exc)
    else:
        assert re.fullmatch(r"[0-9]{5}[0-9X]", tail)


# -- phones ---------------------------------------------------------------------------------------------------
@given(st.one_of(any_text, digit_runs, st.from_regex(r"\+?(86)?1[0-9]{10}", fullmatch=True)))
def test_phones_valid_or_rejected_with_a_reason(text):
    try:
        phone = normalize_phone(text)
    except PhoneNumberError as exc:
        assert_reason(exc)
    else:
        assert re.fullmatch(r"1[3-9][0-9]{9}", phone)


@given(valid_phones, st.sampled_from(["", "+86", "+86 ", "0086", "86-"]), st.sampled_from(["", " ", "-"]))
def test_typed_phones_normalise_back(phone, prefix, sep):
    typed = prefix + phone[:3] + sep + phone[3:7] + sep + phone[7:]
    assert normalize_phone(typed) == phone
    assert [m.value for m in find_phones(f"我的电话是{typed}，谢谢")] == [phone]


# -- household size, dates, towns -----------------------------------------------------------------------------
@given(st.one_of(any_text, chatty_text))
def test_household_size_is_none_or_plausible(text):
    size = parse_household_size(text)
    assert size is None or 1 <= size <= 20


@given(st.one_of(any_text, chatty_text))
def test_dates_never_crash_and_past_dates_are_past(text):
    parsed = parse_date(text, today=TODAY)
    assert parsed is None or isinstance(parsed.date, dt.date)
    try:
        past = require_past_date(text, today=TODAY)
    except DateError as exc:
        assert_reason(exc)
    else:
        assert past.date <= TODAY


@given(st.one_of(any_text, chatty_text))
def test_towns_are_official_names_or_rejected_with_a_reason(text):
    try:
        name = normalize_town(text)
    except TownError as exc:
        assert_reason(exc)
    else:
        assert name in {t.name for t in towns()}


# -- the entity extractor used inside Rasa ------------------------------------------------------------------
@given(st.one_of(any_text, chatty_text))
def test_entity_extraction_never_crashes_and_spans_do_not_overlap(text):
    entities = extract_entities(text)
    last_end = 0
    for e in entities:
        assert 0 <= e["start"] < e["end"] <= len(text)
        assert e["start"] >= last_end, entities
        last_end = e["end"]
        assert isinstance(e["value"], str) and e["value"]


@given(valid_id_numbers(), valid_case_numbers())
def test_ids_and_case_numbers_in_one_message_are_both_found(number, code):
    text = f"案件编号{code}，身份证{number}"
    kinds = {e["entity"]: e["value"] for e in extract_entities(text)}
    assert kinds.get("case_no") == code
    assert kinds.get("id_number") == number
    assert [m.value for m in find_id_numbers(text)] == [number]
