"""The one place where masking rules live: personal identifiers hidden in log lines (front ends, action server,
Rasa process), audit entries, tickets, pending messages, reports and any JSON-like record (``mask_data``).

Stdlib only (it builds on ``bot.parsing``): the Rasa process imports it too. No other module masks on its own;
callers use the functions below.

What ``mask_text`` hides in free text, and how it shows it:

============================  ======================================================  ========================
what                          found as                                                shown as
============================  ======================================================  ========================
ID number                     18 characters (17 digits + digit or X/x), full-width    ``****************34``
                              or half-width, spaces/hyphens/dashes inside; 15-digit   (last 2 only,
                              old numbers; any other run of 14+ digits, grouped or    ``mask_id_number``)
                              not (bank cards, IDs with a digit too many or too few)
mobile phone                  11 digits starting 13-19, with +86/0086/86, spaces or   ``138****5678``
                              hyphens                                                 (``mask_phone``)
digits after an ID cue        3+ digits (X allowed, separators inside) right after    every character ``*``
                              身份证, 证件号, 后六位, 后四位, 尾号, 尾数, 末六位, ...
ID-last-six fragment          the rule below                                          ``******``
name after a cue              2-4 Chinese characters after 姓名, 名字叫, 户主, ...       ``张*丰`` (``mask_name``)
============================  ======================================================  ========================

**The one rule for bare fragments.** A fragment is a standalone token of five digits followed by a digit or an
X (not glued to other letters or digits, not part of a decimal). A fragment is masked

1. always when it ends in X or x;
2. when it is six digits, unless it is written as a quantity: a unit right after it (元, 块, 万, 人, 口, 岁, ...)
   or a currency sign or money word right before it (¥, 收入, 工资, 存款, 金额, 补助, ...).

So the last six of an ID are masked next to a case number ("LY2024DB00123 12345X", "LY2024DB00123，123456",
"123456 LY2024DB00123", and typed straight after it: "LY2024DB00123123456"), after an ID cue, and on their own (the usual answer to "请提供身份证后六位", which arrives as
a message by itself: case number and last six together are a lookup credential even when they reach the log in
two lines). Any other bare six-digit number is masked too; hiding a harmless number is the safe side.
What stays readable: amounts ("1800元", "月收入180000", "2.5万", "两千五"), dates ("2023-05-01", "20230501"), case
numbers ("LY2023LS00123": not personal data by themselves), our reference codes ("YJ261128-7KQ3"), landline
numbers ("0916-4822453") and lists of short numbers.

Logs: ``MaskingFilter`` masks a record's message with its arguments, its exception text and stack; put it on
handlers with ``install_masking`` (one logger) or ``install_masking_everywhere`` (root and every handler already
configured, as in the Rasa process).
"""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

from bot.errors import PhoneNumberError
from bot.parsing.identity import normalize_id_number
from bot.parsing.phones import find_phones, normalize_phone
from bot.parsing.text import to_halfwidth

__all__ = [
    "mask_text",
    "mask_id_number",
    "mask_phone",
    "mask_name",
    "mask_data",
    "MaskingFilter",
    "install_masking",
    "install_masking_everywhere",
]

_NAME_CHARS = r"[\u4e00-\u9fff·]"
# words that announce an ID number or a part of it (the entity extractor's tail words included)
_ID_CUES = (
    "后六位|后6位|后六个|后6个|后四位|后4位|后八位|后8位|尾号|尾数|末六位|末6位|末四位|末4位|末尾六位|"
    "最后六位|最后6位|最后六个|最后6个|最后四位|最后4位|后几位|最后几位|前六位|前6位|身份证号?码?|证件号码?"
)
# a quantity, not an ID fragment: a unit right after the number ...
_UNITS_AFTER = r"\s?(?:元|块|圆|万|千|百|角|毛|%|人|口|户|岁|个|次|天|斤|亩|平方|米|公斤|吨|yuan|rmb)"
# ... or a currency sign or money word right before it (a few words such as 大概/约/有/是 may come between)
_MONEY_BEFORE = (
    r"(?:¥|￥|rmb|人民币|收入|工资|存款|金额|费用|花了|花费|开销|支出|欠款|欠了|借款|借了|赔偿|赔了|损失|"
    r"补助|补贴|救助金|养老金|医药费|医疗费|报销|合计|共计)[^0-9a-z]{0,4}$"
)


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    sep = r"[ \-\u2013\u2014_]{0,2}"
    return {
        # 18 characters (17 digits + digit/X), separators allowed, not part of a longer code
        "id18": re.compile(rf"(?<![0-9A-Za-z])[0-9](?:{sep}[0-9]){{16}}{sep}[0-9Xx](?![0-9A-Za-z])"),
        # other long digit runs, possibly in groups of 2+ digits (15-digit old IDs, bank cards, IDs with a
        # digit too many or too few); at least 14 digits, counted in mask_text
        "long": re.compile(r"(?<![0-9])[0-9]{2,}(?:[ \-\u2013\u2014_]{1,2}[0-9]{2,})*[Xx]?(?![0-9A-Za-z])"),
        # digits after words that announce an ID number or a part of it
        "cue": re.compile(
            rf"({_ID_CUES})(\s*(?:是|为|:|：)?\s*)([0-9][0-9 \-]{{2,}}[0-9Xx]|[0-9]{{3,}}[Xx]?)(?![0-9A-Za-z])"
        ),
        # a bare ID-last-six fragment: 5 digits + digit/X, standalone, not a decimal's digits
        "fragment": re.compile(r"(?<![0-9A-Za-z])(?<![0-9]\.)[0-9]{5}[0-9Xx](?![0-9A-Za-z])(?!\.[0-9])"),
        # a case number with the last six typed straight after it: LY2024DB0012312345X
        "glued": re.compile(r"(?<![0-9A-Za-z])LY[0-9]{4}[A-Z]{2}[0-9]{5}([0-9]{5}[0-9X])(?![0-9A-Za-z])", re.I),
        "unit_after": re.compile(_UNITS_AFTER, re.IGNORECASE),
        "money_before": re.compile(_MONEY_BEFORE, re.IGNORECASE),
        "name": re.compile(
            rf"(姓名|名字叫|名字是|户主是|户主叫|户主)(\s*(?:是|为|:|：)?\s*)({_NAME_CHARS}{{2,4}})"
        ),
    }


# -- single values ---------------------------------------------------------------------------------------
def mask_id_number(text: str) -> str:
    """``610727199001011234`` -> ``****************34``: at most the last 2 characters visible, the length kept
    (separators dropped, full-width -> ASCII, x -> X). Up to 8 characters (a fragment) are fully starred:
    ``12345X`` -> ``******``. The last six are the case lookup's proof of identity: first 4 + last 4 left only
    the day of birth to guess (about 31 tries); the last 2 leave the day and two sequence digits (about 3,100)."""
    number = normalize_id_number(text)
    if len(number) <= 8:
        return "*" * len(number)
    return "*" * (len(number) - 2) + number[-2:]


def mask_phone(text: str) -> str:
    """``13812345678`` (any spelling: +86, spaces, hyphens) -> ``138****5678``; strings that are not mobile
    numbers keep only their last 4 digits (``12345`` -> ``*2345``)."""
    try:
        digits = normalize_phone(text)
    except PhoneNumberError:
        digits = re.sub(r"\D", "", to_halfwidth(text or ""))
        if len(digits) <= 4:
            return "*" * len(digits)
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits[:3] + "****" + digits[-4:]


def mask_name(name: str) -> str:
    """'张三丰' -> '张*丰', '张三' -> '张*', '欧阳娜娜' -> '欧**娜', '张' -> '*'."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _star(raw: str) -> str:
    """Every letter or digit starred, separators kept: ``123 45X`` -> ``*** ***``."""
    return "".join("*" if ch.isalnum() else ch for ch in raw)


def _is_quantity(norm: str, start: int, end: int) -> bool:
    p = _patterns()
    return bool(p["unit_after"].match(norm, end) or p["money_before"].search(norm[max(0, start - 12) : start]))


# -- free text -------------------------------------------------------------------------------------------
def mask_text(text: str | None) -> str:
    """``text`` with every ID number, ID fragment, phone number and labelled name masked ('' for None)."""
    if not text:
        return ""
    norm = to_halfwidth(text)  # same length: spans found in it are spans of ``text``
    p = _patterns()
    spans: list[tuple[int, int, str]] = []

    def add(start: int, end: int, replacement: str) -> None:
        if any(start < e and s < end for s, e, _ in spans):
            return
        spans.append((start, end, replacement))

    for m in p["id18"].finditer(norm):
        add(m.start(), m.end(), mask_id_number(m.group(0)))
    for mention in find_phones(text):
        add(mention.start, mention.end, mask_phone(mention.value))
    for m in p["long"].finditer(norm):
        if sum(ch.isdigit() for ch in m.group(0)) >= 14:
            add(m.start(), m.end(), mask_id_number(m.group(0)))
    for m in p["cue"].finditer(norm):
        add(m.start(3), m.end(3), _star(m.group(3)))
    for m in p["glued"].finditer(norm):
        add(m.start(1), m.end(1), "*" * 6)
    for m in p["fragment"].finditer(norm):
        if m.group(0)[-1] in "Xx" or not _is_quantity(norm, m.start(), m.end()):
            add(m.start(), m.end(), "*" * 6)
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


def mask_data(value: Any) -> Any:
    """A copy of a JSON-like structure with every string masked by ``mask_text``: dict values (keys are field
    names and stay), list and tuple items, at any depth. Numbers, booleans and None are returned unchanged
    (identifiers travel as strings; numbers in our records are amounts and counts)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: mask_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_data(item) for item in value]
    if isinstance(value, tuple):
        return tuple(mask_data(item) for item in value)
    return value


# -- logs ------------------------------------------------------------------------------------------------
class MaskingFilter(logging.Filter):
    """Masks personal identifiers in log records: the message with its arguments, exception text, stack.

    A filter on a *logger* only sees records logged on that logger; to cover records propagated from child
    loggers it must sit on the handlers (``install_masking`` does both). A record is masked once, however many
    handlers carry the filter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_lueyang_masked", False):
            return True
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
        record._lueyang_masked = True
        return True


def _add_to_handlers(handlers: list[logging.Handler], masking: MaskingFilter) -> None:
    for handler in handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(masking)


def install_masking(logger: logging.Logger | None = None) -> MaskingFilter:
    """Attach one MaskingFilter to ``logger`` (default: root) and to each of its handlers; idempotent."""
    logger = logger or logging.getLogger()
    existing = next((f for f in logger.filters if isinstance(f, MaskingFilter)), None)
    masking = existing or MaskingFilter()
    if existing is None:
        logger.addFilter(masking)
    _add_to_handlers(logger.handlers, masking)
    return masking


def install_masking_everywhere() -> MaskingFilter:
    """``install_masking`` on the root logger, plus the filter on the handlers of every logger configured so far
    (in the Rasa process: Rasa's coloured root handler and Sanic's own handlers); idempotent."""
    masking = install_masking()
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            _add_to_handlers(logger.handlers, masking)
    return masking
