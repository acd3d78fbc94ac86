"""Small text helpers shared by the parsers (stdlib only).

Every helper here is length-preserving, so spans found in the normalised text are valid spans of the
original text too.
"""

from __future__ import annotations

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
