"""Masking before anything personal is stored in a ticket summary, the audit log or a report.

Uses ``bot.privacy.mask_text`` (ID numbers, ID fragments, phones, names). Until that module is installed in a
checkout, a conservative fallback hides every run of six or more digits (an ID number, an ID fragment or a
phone can never pass through unmasked; some harmless numbers are hidden too).
"""

from __future__ import annotations

import re

# a digit run glued to letters is a code of ours (pre-check reference YJ261128-7KQ3, case number), not an ID
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9０-９])(?:[0-9０-９]{6,}[0-9０-９Xx]?|[0-9０-９]{5}[Xx])")


def _fallback(text: str) -> str:
    return _DIGIT_RUN.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 2), text)


def mask(text: str | None) -> str:
    """``text`` with ID numbers, ID fragments and phone numbers masked ('' for None)."""
    if not text:
        return ""
    try:
        from bot.privacy import mask_text
    except ImportError:
        return _fallback(text)
    # mask_text first (keeps readable forms such as 138****5678), then the fallback catches anything left
    return _fallback(mask_text(text))
