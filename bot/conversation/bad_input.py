"""Recognise input the NLU cannot read and say why, politely, in Chinese."""

from __future__ import annotations

import re
import unicodedata

from bot.conversation import texts

MAX_READ_CHARS = 2000

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")
_SQLISH = re.compile(r"(;\s*(drop|delete|insert|update|select)\b|--\s*$|<script|\bunion\s+select\b)", re.I)


def _is_symbolic(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat.startswith(("S", "P", "Z", "C")) or ch in "\ufe0f\u200d"


def bad_input_kind(text: str | None) -> str | None:
    """Why a message cannot be read: ``empty``, ``long``, ``code``, ``symbols`` or ``latin`` (English or pinyin,
    no Chinese characters); None for an ordinary message."""
    stripped = (text or "").strip()
    if not stripped:
        return "empty"
    if len(stripped) > MAX_READ_CHARS:
        return "long"
    if _SQLISH.search(stripped):
        return "code"
    if all(_is_symbolic(ch) for ch in stripped):
        return "symbols"
    if not _CJK.search(stripped) and len(_LATIN_WORD.findall(stripped)) >= 2:
        return "latin"
    return None


def classify_bad_input(text: str | None) -> str | None:
    """A reply for a message that is empty, emoji/punctuation only, English, huge or code-like; else None."""
    kind = bad_input_kind(text)
    if kind is None:
        return None
    if kind == "long":
        return texts.too_long(len((text or "").strip()), MAX_READ_CHARS)
    return texts.BAD_INPUT[kind]
