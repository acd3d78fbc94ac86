"""Split long replies into chunks that fit a channel's limit without breaking a sentence.

Telegram's limit (4,096) counts UTF-16 code units, so lengths are measured that way here.
"""

from __future__ import annotations

TELEGRAM_LIMIT = 4096

SENTENCE_ENDS = "。！？!?\n"
SOFT_BREAKS = "；;，,、 "


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix_len(text: str, limit: int) -> int:
    """The number of code points of ``text`` whose UTF-16 length is at most ``limit``."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def _cut_point(window: str, marks: str) -> int:
    """Index just after the last mark in ``window`` (0 when there is none)."""
    best = -1
    for mark in marks:
        best = max(best, window.rfind(mark))
    return best + 1


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Chunks of at most ``limit`` UTF-16 units, cut after a sentence end when possible.

    Falls back to a comma/space, then to a hard cut, only for a single sentence longer than the limit.
    Chunks are stripped of the line breaks at the cut; no other character is lost.
    """
    if limit < 2:
        raise ValueError("limit too small")
    chunks: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        window = rest[: _fitting_prefix_len(rest, limit)]
        cut = _cut_point(window, SENTENCE_ENDS) or _cut_point(window, SOFT_BREAKS) or len(window)
        chunk, rest = rest[:cut], rest[cut:]
        chunk = chunk.rstrip("\n")
        if chunk:
            chunks.append(chunk)
        rest = rest.lstrip("\n")
    if rest or not chunks:
        chunks.append(rest)
    return chunks
