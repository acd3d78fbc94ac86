"""Which case numbers are real and which are synthetic demo data.

Real case numbers are ``LY`` + year + programme code + a five-digit serial counted per year and programme from
00001 (``bot.parsing.case_numbers``); 略阳 registers a few thousand cases a year, so real serials stay far below
90000. Demo cases (``bot.cases.demo``) use serials 90001–99999 only, and the importer refuses that range: a demo
case can never overwrite a real one, and a real case can never be mistaken for demo data.
"""

from __future__ import annotations

DEMO_SERIAL_MIN = 90000  # serials >= this are demo data; the first demo case of a year and programme is 90001
SERIAL_DIGITS = 5


def serial_of(case_no: str) -> int:
    """The serial of a normalised case number (``LY2024DB90001`` -> 90001)."""
    return int(case_no[-SERIAL_DIGITS:])


def is_demo_case_no(case_no: str) -> bool:
    """Whether a normalised case number lies in the demo range."""
    tail = case_no[-SERIAL_DIGITS:]
    return tail.isascii() and tail.isdigit() and int(tail) >= DEMO_SERIAL_MIN


def demo_case_no(year: int, code: str, n: int) -> str:
    """The ``n``-th demo case number (from 1) of a year and programme code."""
    serial = DEMO_SERIAL_MIN + n
    if not 1 <= n or serial >= 10**SERIAL_DIGITS:
        raise ValueError(f"demo serial {serial} outside {DEMO_SERIAL_MIN + 1}..{10**SERIAL_DIGITS - 1}")
    return f"LY{year}{code}{serial:0{SERIAL_DIGITS}d}"


__all__ = ["DEMO_SERIAL_MIN", "demo_case_no", "is_demo_case_no", "serial_of"]
