"""Programmes a case can belong to, with the code used in case numbers (LY<year><code><seq>)."""

from __future__ import annotations

from bot.errors import InputError

DIBAO = "低保"
TEKUN = "特困供养"
TEMP_RELIEF = "临时救助"

PROGRAMMES = (DIBAO, TEKUN, TEMP_RELIEF)

# case-number programme codes
CODES = {DIBAO: "DB", TEKUN: "TK", TEMP_RELIEF: "LS"}

_ALIASES = {
    "低保": DIBAO,
    "最低生活保障": DIBAO,
    "城乡低保": DIBAO,
    "城市低保": DIBAO,
    "农村低保": DIBAO,
    "dibao": DIBAO,
    "db": DIBAO,
    "特困": TEKUN,
    "特困供养": TEKUN,
    "特困人员": TEKUN,
    "特困人员救助供养": TEKUN,
    "五保": TEKUN,
    "tekun": TEKUN,
    "tk": TEKUN,
    "临时救助": TEMP_RELIEF,
    "临救": TEMP_RELIEF,
    "temp_relief": TEMP_RELIEF,
    "temporary relief": TEMP_RELIEF,
    "ls": TEMP_RELIEF,
}


def normalize_programme(raw: str) -> str:
    """Canonical programme name; ``InputError`` for anything that is not 低保 / 特困供养 / 临时救助."""
    key = (raw or "").strip()
    found = _ALIASES.get(key) or _ALIASES.get(key.lower())
    if not found:
        raise InputError(f"未知的救助项目“{raw}”，应为：低保、特困供养、临时救助", value=raw)
    return found


def short_name(programme: str) -> str:
    """How replies name the programme."""
    return {DIBAO: "最低生活保障（低保）", TEKUN: "特困人员救助供养", TEMP_RELIEF: "临时救助"}.get(
        programme, programme
    )
