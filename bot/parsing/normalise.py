"""Text normalisation for the intent classifier (stdlib only).

Residents write in traditional characters (申請特困供養), misspell the programme names by sound (底保, 五宝,
临时求助, 建退期) and mix full-width letters. The classifier should see one spelling for one word, so
``normalise`` maps all of these to simplified, half-width, lower-case text with the usual spellings. It keeps
the length of the text unchanged (one character to one character), so token offsets computed on the
normalised text are valid offsets of the original message.

``mask_entities`` is a second view for the classifier: every structured entity (programme, town, amount,
household size, case number, phone, ID) replaced by one placeholder character per type, so that "五保户一个月
能拿多少" and "低保户一个月能拿多少" share their question words, and a phone number or case number counts as
"a phone" / "a case number" rather than as its digits.

Traditional -> simplified and half-width come from ``bot.parsing.text.fold`` (OpenCC's character table).
"""

from __future__ import annotations

import re
from functools import cache

from bot.parsing.entities import extract_entities
from bot.parsing.text import fold

__all__ = ["TYPOS", "PLACEHOLDERS", "fix_typos", "normalise", "mask_entities"]

# Homophone and look-alike misspellings of the domain's words -> the usual spelling. Same length on both
# sides (normalise keeps offsets). Only words that mean nothing else here.
TYPOS: dict[str, str] = {
    "底保": "低保", "低宝": "低保", "低包": "低保", "抵保": "低保", "低堡": "低保", "低饱": "低保", "滴保": "低保",
    "五宝": "五保", "伍保": "五保",
    "特因": "特困", "特捆": "特困", "特昆": "特困",
    "临时求助": "临时救助", "临时就助": "临时救助", "零时救助": "临时救助", "临时救主": "临时救助",
    "医疗求助": "医疗救助",
    "建退": "渐退",
    "复申": "复审",
    "附议": "复议", "复意": "复议",
    "低保边沿": "低保边缘",
}  # fmt: skip

# One placeholder character per entity type (circled letters: they do not occur in messages).
PLACEHOLDERS: dict[str, str] = {
    "programme": "Ⓟ",
    "town": "Ⓣ",
    "amount": "Ⓐ",
    "household_size": "Ⓗ",
    "case_no": "Ⓒ",
    "phone": "Ⓓ",
    "id_number": "Ⓘ",
    "id_last6": "Ⓘ",
}
OTHER_PLACEHOLDER = "Ⓔ"


@cache
def _typo_pattern() -> re.Pattern[str]:
    keys = sorted(TYPOS, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


def fix_typos(text: str) -> str:
    """Replace the known misspellings of domain words (length unchanged)."""
    return _typo_pattern().sub(lambda m: TYPOS[m.group(0)], text)


def normalise(text: str) -> str:
    """Half-width, lower-case, simplified, usual spellings; ``len(normalise(t)) == len(t)``."""
    if not text:
        return ""
    folded = fix_typos(fold(text).lower())
    # str.lower can change the length of a few non-Chinese characters (e.g. "İ"); keep offsets valid.
    return folded if len(folded) == len(text) else text


def mask_entities(text: str) -> str:
    """``normalise(text)`` with every extracted entity replaced by its type's placeholder character."""
    norm = normalise(text)
    spans = sorted((e["start"], e["end"], e["entity"]) for e in extract_entities(text))
    out: list[str] = []
    last = 0
    for start, end, kind in spans:
        if start < last:  # overlapping mentions: keep the first
            continue
        out.append(norm[last:start])
        out.append(PLACEHOLDERS.get(kind, OTHER_PLACEHOLDER))
        last = end
    out.append(norm[last:])
    return "".join(out)
