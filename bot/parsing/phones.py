"""Mainland mobile numbers: 11 digits starting 13-19, optional +86 / 0086 / 86 prefix, spaces or hyphens.

Stdlib only. Masking (how a phone number is shown) lives in ``bot.privacy``.
"""

from __future__ import annotations

import re
from functools import cache

from bot.errors import PhoneNumberError
from bot.parsing.text import Mention, to_halfwidth

__all__ = ["normalize_phone", "is_valid_phone", "find_phones"]

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalize_phone(text: str) -> str:
    """``'+86 138-1234-5678'`` -> ``'13812345678'``; PhoneNumberError (Chinese reason) otherwise."""
    raw = to_halfwidth(text or "").strip()
    digits = re.sub(r"[\s\-()（）.]", "", raw)
    if not digits:
        raise PhoneNumberError("请提供11位手机号码。")
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("86"):
            raise PhoneNumberError("目前只支持中国大陆的11位手机号码。", value=None)
    if not digits.isascii() or not digits.isdigit():
        raise PhoneNumberError("手机号码只能包含数字，请核对。", value=None)
    if len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) != 11:
        raise PhoneNumberError(f"手机号码应为11位数字，您提供的是{len(digits)}位，请核对。", value=None)
    if not _MOBILE.fullmatch(digits):
        raise PhoneNumberError("手机号码应以13至19开头，请核对。", value=None)
    return digits


def is_valid_phone(text: str) -> bool:
    try:
        normalize_phone(text)
    except PhoneNumberError:
        return False
    return True


@cache
def _pattern() -> re.Pattern[str]:
    return re.compile(r"(?<![0-9+])(?:(?:\+|00)?86[\s\-]?)?(1[3-9][0-9](?:[\s\-]?[0-9]){8})(?![0-9])")


def find_phones(text: str) -> list[Mention]:
    """Mobile numbers in ``text`` (not parts of longer digit strings), normalised."""
    if not text:
        return []
    found = []
    for m in _pattern().finditer(to_halfwidth(text)):
        raw = text[m.start() : m.end()]
        try:
            value = normalize_phone(raw)
        except PhoneNumberError:
            continue
        found.append(Mention(value, m.start(), m.end(), raw))
    return found
