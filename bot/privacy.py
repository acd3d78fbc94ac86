"""Masking of personal identifiers in any text: replies, log lines, exported messages.

``mask_text`` masks 18-character ID numbers (valid or not, with spaces/hyphens, x or X), 15-digit old ID numbers,
any other run of 15+ digits (bank cards, mistyped IDs), ID/phone fragments after 后六位/尾号 ..., mainland mobile
numbers (with +86, spaces, hyphens) and names after 姓名/名字叫. ``MaskingFilter`` applies it to log records.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from bot.parsing.identity import mask_id
from bot.parsing.phones import find_phones, mask_phone
from bot.parsing.text import to_halfwidth

__all__ = ["mask_text", "mask_name", "MaskingFilter", "install_masking"]

_NAME_CHARS = r"[\u4e00-\u9fff·]"


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    sep = r"[ \-\u2013\u2014_]{0,2}"
    return {
        # 18 characters (17 digits + digit/X), separators allowed, not part of a longer code
        "id18": re.compile(rf"(?<![0-9A-Za-z])[0-9](?:{sep}[0-9]){{16}}{sep}[0-9Xx](?![0-9A-Za-z])"),
        # other long digit runs, possibly in groups of 2+ digits (15-digit old IDs, bank cards, IDs with a
        # digit too many or too few); at least 14 digits, counted in mask_text
        "long": re.compile(r"(?<![0-9])[0-9]{2,}(?:[ \-\u2013\u2014_]{1,2}[0-9]{2,})*[Xx]?(?![0-9A-Za-z])"),
        # fragments after words that announce them
        "fragment": re.compile(
            r"(后六位|后6位|后四位|后4位|后八位|后8位|尾号|末六位|末6位|末四位|末4位|最后六位|最后6位|最后四位|最后4位|"
            r"前六位|前6位|身份证号?码?|证件号码?)"
            r"(\s*(?:是|为|:|：)?\s*)([0-9][0-9 \-]{2,}[0-9Xx]|[0-9]{3,}[Xx]?)(?![0-9A-Za-z])"
        ),
        "name": re.compile(
            rf"(姓名|名字叫|名字是|户主是|户主叫|户主)(\s*(?:是|为|:|：)?\s*)({_NAME_CHARS}{{2,4}})"
        ),
    }


def mask_name(name: str) -> str:
    """'张三丰' -> '张*丰', '张三' -> '张*', '欧阳娜娜' -> '欧**娜', '张' -> '*'."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _mask_fragment(raw: str) -> str:
    return "".join("*" if ch.isalnum() else ch for ch in raw)


def mask_text(text: str) -> str:
    """``text`` with every ID number, ID fragment, phone number and labelled name masked."""
    if not text:
        return text
    norm = to_halfwidth(text)
    p = _patterns()
    spans: list[tuple[int, int, str]] = []

    def add(start: int, end: int, replacement: str) -> None:
        if any(start < e and s < end for s, e, _ in spans):
            return
        spans.append((start, end, replacement))

    for m in p["id18"].finditer(norm):
        add(m.start(), m.end(), mask_id(m.group(0)))
    for m in find_phones(text):
        add(m.start, m.end, mask_phone(m.value))
    for m in p["long"].finditer(norm):
        if sum(ch.isdigit() for ch in m.group(0)) >= 14:
            add(m.start(), m.end(), mask_id(m.group(0)))
    for m in p["fragment"].finditer(norm):
        add(m.start(3), m.end(3), _mask_fragment(m.group(3)))
    for m in p["name"].finditer(norm):
        add(m.start(3), m.end(3), mask_name(m.group(3)))
    if not spans:
        return text
    spans.sort()
    out, pos = [], 0
    for start, end, replacement in spans:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


class MaskingFilter(logging.Filter):
    """Masks personal identifiers in log records (message, arguments, exception text).

    Note that filters on a *logger* only see records logged on that logger; to cover records propagated from
    child loggers, attach the filter to the handlers too (``install_masking`` does both).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            message = f"{record.msg} {record.args}"
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install_masking(logger: logging.Logger | None = None) -> MaskingFilter:
    """Attach one MaskingFilter to ``logger`` (default: root) and to each of its handlers; idempotent."""
    logger = logger or logging.getLogger()
    existing = next((f for f in logger.filters if isinstance(f, MaskingFilter)), None)
    masking = existing or MaskingFilter()
    if existing is None:
        logger.addFilter(masking)
    for handler in logger.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(masking)
    return masking
