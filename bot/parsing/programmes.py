"""Programme mentions in text: everyday names, dialect and typos -> canonical names.

The names and aliases come from the programme registry (``bot.programmes``). Stdlib only.
"""

from __future__ import annotations

from bot.parsing.text import Mention, fold
from bot.programmes import alias_index, alias_pattern

__all__ = ["match_programme", "find_programmes"]


def find_programmes(text: str) -> list[Mention]:
    """Every programme mentioned in ``text`` (value = canonical name); the longest alias wins at each position."""
    if not text:
        return []
    lookup = alias_index()
    return [
        Mention(lookup[m.group(0).lower()], m.start(), m.end(), text[m.start() : m.end()])
        for m in alias_pattern().finditer(fold(text))
    ]


def match_programme(text: str) -> str | None:
    """Canonical name of the first programme mentioned in ``text`` (longest alias at that spot), or None."""
    found = find_programmes(text)
    return found[0].value if found else None
