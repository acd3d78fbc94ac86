"""Resident ID numbers (居民身份证号码) per GB 11643-1999: validation, synthetic generation.

Stdlib only. Masking (how an ID number is shown) lives in ``bot.privacy``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from functools import cache

from bot import clock
from bot.errors import IdNumberError
from bot.parsing.text import Mention, strip_separators, to_halfwidth

__all__ = [
    "id_check_digit",
    "normalize_id_number",
    "validate_id_number",
    "is_valid_id_number",
    "validate_id_last6",
    "id_birth_date",
    "id_sex",
    "generate_id_number",
    "find_id_numbers",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"
# First two digits: provinces / autonomous regions / municipalities (GB/T 2260), plus 71 台湾, 81 香港, 82 澳门,
# 83 (residence permits for people from Taiwan).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_EARLIEST_BIRTH = dt.date(1890, 1, 1)
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_LAST6 = re.compile(r"[0-9]{5}[0-9X]")


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character ('0'-'9' or 'X') for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("身份证号码前17位必须是数字。", value=None)
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CODES[total % 11]


def normalize_id_number(text: str) -> str:
    """Strip spaces and separators, full-width -> ASCII, x -> X. No validation."""
    return strip_separators(text or "").upper()


def _birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(text: str, *, today: dt.date | None = None) -> str:
    """The normalised 18-character ID number, or IdNumberError with a precise Chinese reason."""
    number = normalize_id_number(text)
    if not number:
        raise IdNumberError("请提供18位居民身份证号码。", value=None)
    if len(number) == 15 and number.isdigit():
        raise IdNumberError("这是旧版15位身份证号码，请提供18位的第二代居民身份证号码。", value=None)
    if len(number) != 18:
        raise IdNumberError(f"身份证号码应为18位，您提供的是{len(number)}位，请核对。", value=None)
    if not _SHAPE.fullmatch(number):
        raise IdNumberError("身份证号码前17位应为数字，最后一位为数字或字母X，请核对。", value=None)
    if number[:2] not in _PROVINCES or number[2:6] == "0000":
        raise IdNumberError("身份证号码前6位（地区代码）不正确，请核对。", value=None)
    birth = _birth_date(number)
    if birth is None:
        raise IdNumberError("身份证号码中的出生日期（第7至14位）不是有效日期，请核对。", value=None)
    today = today or clock.today()
    if birth > today:
        raise IdNumberError("身份证号码中的出生日期晚于今天，请核对。", value=None)
    if birth < _EARLIEST_BIRTH:
        raise IdNumberError("身份证号码中的出生日期过早，请核对。", value=None)
    if id_check_digit(number[:17]) != number[17]:
        raise IdNumberError(
            "身份证号码最后一位（校验码）不对，可能有数字输错了，请核对后重新输入。", value=None
        )
    return number


def is_valid_id_number(text: str, *, today: dt.date | None = None) -> bool:
    try:
        validate_id_number(text, today=today)
    except IdNumberError:
        return False
    return True


def validate_id_last6(text: str) -> str:
    """The normalised last six characters of an ID number (5 digits + digit or X), or IdNumberError."""
    tail = normalize_id_number(text)
    if not tail:
        raise IdNumberError("请提供身份证号码的后六位。", value=None)
    if len(tail) != 6:
        raise IdNumberError(f"需要身份证号码的后六位（6个字符），您提供的是{len(tail)}位。", value=None)
    if not _LAST6.fullmatch(tail):
        raise IdNumberError("身份证号码后六位应为5位数字加最后一位数字或字母X，请核对。", value=None)
    return tail


def id_birth_date(text: str) -> dt.date:
    """Birth date encoded in a valid ID number."""
    number = validate_id_number(text)
    birth = _birth_date(number)
    assert birth is not None  # validated above
    return birth


def id_sex(text: str) -> str:
    """'男' or '女', from the 17th digit (odd = male)."""
    number = validate_id_number(text)
    return "男" if int(number[16]) % 2 else "女"


def generate_id_number(
    rng: random.Random,
    region: str = "610727",
    birth: dt.date | None = None,
    sex: str | None = None,
) -> str:
    """A synthetic, checksum-valid ID number for demo data (610727 = 略阳县).

    ``sex`` is '男'/'M' or '女'/'F' (random when None); ``birth`` random between 1940 and 2005 when None.
    """
    if len(region) != 6 or not region.isdigit():
        raise IdNumberError("地区代码应为6位数字。", value=None)
    if birth is None:
        start = dt.date(1940, 1, 1).toordinal()
        end = dt.date(2005, 12, 31).toordinal()
        birth = dt.date.fromordinal(rng.randint(start, end))
    if sex is None:
        male = rng.random() < 0.5
    elif sex in ("男", "M", "m", "male"):
        male = True
    elif sex in ("女", "F", "f", "female"):
        male = False
    else:
        raise IdNumberError("性别应为“男”或“女”。", value=None)
    seq = rng.randint(0, 99)
    sex_digit = rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region}{birth:%Y%m%d}{seq:02d}{sex_digit}"
    return first17 + id_check_digit(first17)


@cache
def _find_pattern() -> re.Pattern[str]:
    # 18 characters, single spaces or hyphens allowed between them, not part of a longer code.
    return re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ \-]?[0-9]){16}[ \-]?[0-9Xx](?![0-9A-Za-z])")


def find_id_numbers(text: str, *, valid_only: bool = True) -> list[Mention]:
    """18-character ID numbers in ``text`` (value = normalised). ``valid_only=False`` also returns look-alikes
    (right shape, wrong date or check digit) so a caller can explain what is wrong."""
    if not text:
        return []
    found = []
    for m in _find_pattern().finditer(to_halfwidth(text)):
        raw = text[m.start() : m.end()]
        value = normalize_id_number(raw)
        if valid_only and not is_valid_id_number(value):
            continue
        found.append(Mention(value, m.start(), m.end(), raw))
    return found
