"""Case numbers: ``LY`` + 4-digit year + programme code + 5-digit serial.

The programme codes (DB 低保 / TK 特困供养 / LS 临时救助 …) come from the programme registry (``bot.programmes``).

``LY2023LS00123``. Accepts lower case, spaces, hyphens/underscores and full-width characters. Stdlib only.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from bot import clock
from bot.errors import CaseNumberError
from bot.parsing.text import Mention, strip_separators, to_halfwidth
from bot.programmes import by_code, case_programmes

__all__ = ["normalize_case_no", "is_valid_case_no", "find_case_numbers", "programme_of", "codes_text"]

EXAMPLE = "LY2023LS00123"
_FIRST_YEAR = 2000


def normalize_case_no(text: str, *, today: dt.date | None = None) -> str:
    """``' ly-2023-ls-00123 '`` -> ``'LY2023LS00123'``; CaseNumberError (Chinese reason) when malformed."""
    code = strip_separators(text or "").upper()
    if not code:
        raise CaseNumberError(f"请提供案件编号，格式如 {EXAMPLE}。")
    if not code.startswith("LY"):
        raise CaseNumberError(f"案件编号应以字母 LY 开头，格式如 {EXAMPLE}，请核对。", value=code)
    year = code[2:6]
    this_year = (today or clock.today()).year
    if (
        len(year) < 4
        or not year.isascii()
        or not year.isdigit()
        or not _FIRST_YEAR <= int(year) <= this_year + 1
    ):
        raise CaseNumberError(
            f"案件编号中 LY 后面应为4位年份（如 2023），请核对。格式如 {EXAMPLE}。", value=code
        )
    programme = code[6:8]
    if by_code(programme) is None:
        raise CaseNumberError(f"案件编号中年份后面的业务代码应为 {codes_text()}，请核对。", value=code)
    serial = code[8:]
    if len(serial) != 5 or not serial.isascii() or not serial.isdigit():
        raise CaseNumberError(f"案件编号最后应为5位数字的流水号，格式如 {EXAMPLE}，请核对。", value=code)
    return code


def codes_text() -> str:
    """The valid programme codes for messages: 'DB（低保）、TK（特困供养）或 LS（临时救助）'."""
    parts = [f"{p.case_code}（{p.name}）" for p in case_programmes()]
    if len(parts) < 2:
        return "".join(parts)
    return "、".join(parts[:-1]) + "或 " + parts[-1]


def is_valid_case_no(text: str) -> bool:
    try:
        normalize_case_no(text)
    except CaseNumberError:
        return False
    return True


@cache
def _pattern() -> re.Pattern[str]:
    sep = r"[\s\-_—–·.]*"
    return re.compile(
        rf"(?<![A-Za-z0-9])LY{sep}[0-9]{{4}}{sep}[A-Za-z]{{2}}{sep}[0-9]{{3,7}}(?![0-9])", re.IGNORECASE
    )


def find_case_numbers(text: str, *, valid_only: bool = True) -> list[Mention]:
    """Case numbers in ``text``. With ``valid_only=False`` also look-alikes (value = upper case, no separators)."""
    if not text:
        return []
    found = []
    for m in _pattern().finditer(to_halfwidth(text)):
        raw = text[m.start() : m.end()]
        try:
            value = normalize_case_no(raw)
        except CaseNumberError:
            if valid_only:
                continue
            value = strip_separators(raw).upper()
        found.append(Mention(value, m.start(), m.end(), raw))
    return found


def programme_of(case_no: str) -> str:
    """The canonical programme name of a case number ('低保' for LY2023DB00001)."""
    code = normalize_case_no(case_no)
    programme = by_code(code[6:8])
    if programme is None:  # pragma: no cover - normalize_case_no accepts registered codes only
        raise CaseNumberError(f"案件编号中年份后面的业务代码应为 {codes_text()}，请核对。", value=code)
    return programme.name
