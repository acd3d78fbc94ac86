"""Layout rule: China time is defined in one module (bot/clock.py), nowhere else in the code.

``CHINA_TZ`` is defined only there, no other module builds a UTC+8 offset or a zoneinfo zone, and "today" is
``bot.clock.today()`` (the date in China), never the server's ``date.today()`` or a naive ``datetime.now()``.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("bot", "actions", "rasa_addons")
CLOCK = ROOT / "bot" / "clock.py"
# a definition or annotated definition of CHINA_TZ, or a hand-made UTC+8 offset / zone
DEFINITION = re.compile(r"^\s*CHINA_TZ\s*(?::[^=]*)?=(?!=)|timedelta\(\s*hours\s*=\s*8\s*\)|ZoneInfo\(")
# the server's local date or time
LOCAL_TODAY = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\s*\)")


def _lines_matching(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == CLOCK:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_china_time_is_defined_only_in_bot_clock():
    assert _lines_matching(DEFINITION) == [], "use bot.clock (CHINA_TZ, now(), today(), to_china()) instead"


def test_no_server_local_today():
    assert _lines_matching(LOCAL_TODAY) == [], "today in China is bot.clock.today(); a time is bot.clock.now()"


def test_bot_clock_defines_it():
    assert re.search(r"^CHINA_TZ = ", CLOCK.read_text(encoding="utf-8"), re.MULTILINE)


@pytest.mark.parametrize(
    ("line", "pattern", "matches"),
    [
        ("CHINA_TZ = timezone(timedelta(hours=8))", DEFINITION, True),
        ("CHINA_TZ: tzinfo = ZoneInfo('Asia/Shanghai')", DEFINITION, True),
        ("    local = moment.astimezone(timezone(timedelta(hours=8)))", DEFINITION, True),
        ("from bot.clock import CHINA_TZ", DEFINITION, False),
        ("if tz == CHINA_TZ:", DEFINITION, False),
        ("    today = today or dt.date.today()", LOCAL_TODAY, True),
        ("    stamp = datetime.now().strftime('%Y%m%d')", LOCAL_TODAY, True),
        ("    return datetime.now(timezone.utc)", LOCAL_TODAY, False),
        ("    today = today or clock.today()", LOCAL_TODAY, False),
    ],
)
def test_the_rules_see_what_they_should(line, pattern, matches):
    assert bool(pattern.search(line)) is matches
