"""Small text helpers shared by the parsers (stdlib only).

Every helper here is length-preserving, so spans found in the normalised text are valid spans of the
original text too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

# Full-width ASCII variants (U+FF01..U+FF5E) -> ASCII, ideographic space -> space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20


class Mention(NamedTuple):
    """A normalised value found in a text, with its span (``text[start:end] == raw``)."""

    value: str
    start: int
    end: int
    raw: str


def to_halfwidth(text: str) -> str:
    """Map full-width letters, digits and punctuation to ASCII; keeps the length unchanged."""
    return text.translate(_HALFWIDTH)


# Separators people put inside identifiers: spaces, hyphens, dashes, underscores, dots.
SEPARATOR_CHARS = " \t\u00a0-_\u2010\u2011\u2012\u2013\u2014\u2015\u00b7."


def strip_separators(text: str) -> str:
    """Half-width ``text`` without whitespace or separator characters."""
    text = to_halfwidth(text)
    return "".join(ch for ch in text if ch not in SEPARATOR_CHARS and not ch.isspace())


# Traditional -> simplified, one character to one character (so spans stay valid): OpenCC's character table,
# shipped in data/traditional_simplified.txt and read on first use. 帳 -> 账 (money) rather than OpenCC's 帐.
TRADITIONAL_SIMPLIFIED_FILE = Path(__file__).resolve().parent / "data" / "traditional_simplified.txt"
_SIMPLIFIED_OVERRIDES = {"帳": "账"}


@cache
def _simplified_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for line in TRADITIONAL_SIMPLIFIED_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        traditional, simplified = line.split("\t")
        if len(traditional) == 1 and len(simplified) == 1:
            table[ord(traditional)] = simplified
    table.update({ord(k): v for k, v in _SIMPLIFIED_OVERRIDES.items()})
    return table


@cache
def _fold_table() -> dict[int, str | int]:
    return {**_HALFWIDTH, **_simplified_table()}


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese, character by character (length unchanged)."""
    return text.translate(_simplified_table())


def fold(text: str) -> str:
    """``to_halfwidth`` plus traditional -> simplified; keeps the length unchanged."""
    return text.translate(_fold_table())
