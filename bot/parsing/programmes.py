"""Assistance programme names and their everyday variants and typos -> canonical names.

Canonical: 低保 | 特困供养 | 临时救助 | 低保边缘家庭. Stdlib only.
"""

from __future__ import annotations

import re
from functools import cache

from bot.parsing.text import Mention, fold

__all__ = ["PROGRAMMES", "ALIASES", "match_programme", "find_programmes"]

PROGRAMMES = ("低保", "特困供养", "临时救助", "低保边缘家庭")

ALIASES: dict[str, tuple[str, ...]] = {
    "低保": (
        "低保", "最低生活保障", "最低生活保证", "低保户", "吃低保", "城乡低保", "农村低保", "城市低保", "底保",
        "低宝", "低包", "抵保", "低堡", "低饱", "滴保", "dibao",
    ),
    "特困供养": (
        "特困供养", "特困人员", "特困户", "特困", "特因", "特困人员救助供养", "五保", "五保户", "五宝", "五宝户", "五保供养",
        "供养", "分散供养", "集中供养", "特捆", "特昆",
    ),
    "临时救助": (
        "临时救助", "临救", "临时求助", "临时救济", "急难救助", "急难型临时救助", "临时补助", "临时就助",
        "临时救治", "零时救助", "临时救主",
    ),
    "低保边缘家庭": (
        "低保边缘家庭", "低保边缘户", "低保边缘", "低边", "低边户", "边缘户", "边缘家庭", "低保边沿",
    ),
}  # fmt: skip


@cache
def _lookup() -> dict[str, str]:
    return {alias.lower(): canonical for canonical, aliases in ALIASES.items() for alias in aliases}


@cache
def _pattern() -> re.Pattern[str]:
    keys = sorted(_lookup(), key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys), re.IGNORECASE)


def find_programmes(text: str) -> list[Mention]:
    """Every programme mentioned in ``text`` (value = canonical name); the longest alias wins at each position."""
    if not text:
        return []
    lookup = _lookup()
    return [
        Mention(lookup[m.group(0).lower()], m.start(), m.end(), text[m.start() : m.end()])
        for m in _pattern().finditer(fold(text))
    ]


def match_programme(text: str) -> str | None:
    """Canonical name of the first programme mentioned in ``text`` (longest alias at that spot), or None."""
    found = find_programmes(text)
    return found[0].value if found else None
