"""Lueyang's 17 township-level units (兴州街道, 横现河街道 and 15 镇), their aliases and typos, and neighbouring
places that are NOT in Lueyang (so the assistant can say "勉县不属于略阳县").

Data: ``bot/parsing/data/towns.csv`` (loaded on first use). Stdlib only.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.errors import TownError
from bot.parsing.text import Mention, fold

__all__ = [
    "Town",
    "towns",
    "match_town",
    "find_town_mentions",
    "is_foreign_place",
    "normalize_town",
    "suggest_towns",
    "town_by_code",
    "FOREIGN_PLACES",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "towns.csv"
COUNTY = "略阳县"


@dataclass(frozen=True)
class Town:
    name: str  # official name, e.g. 接官亭镇
    code: str  # 12-digit statistical division code, e.g. 610727101000
    kind: str  # 街道 | 镇


# Places near Lueyang (or commonly confused with it) that are not part of it: alias -> display name.
FOREIGN_PLACES: dict[str, str] = {
    "勉县": "勉县", "勉縣": "勉县", "宁强": "宁强县", "寧強": "宁强县", "汉中": "汉中市区", "汉台": "汉台区",
    "南郑": "南郑区", "城固": "城固县", "洋县": "洋县", "西乡县": "西乡县", "西乡": "西乡县", "镇巴": "镇巴县",
    "留坝": "留坝县", "佛坪": "佛坪县", "宝鸡": "宝鸡市", "凤县": "凤县", "太白县": "太白县", "陇南": "陇南市",
    "康县": "康县", "徽县": "徽县", "成县": "成县", "两当": "两当县", "武都": "武都区", "文县": "文县",
    "广元": "广元市", "青川": "青川县", "朝天区": "朝天区", "西安": "西安市", "甘肃": "甘肃省", "四川": "四川省",
    "阳平关": "宁强县阳平关镇", "代家坝": "宁强县代家坝镇",
}  # fmt: skip
_COUNTY_WORDS = ("略阳", "畧阳", "掠阳", "略羊")
_STRIP_PREFIXES = ("陕西省", "陕西", "汉中市", "汉中", "略阳县", "略阳")


@cache
def towns() -> tuple[Town, ...]:
    """All 17 towns, in code order."""
    return tuple(town for town, _ in _load())


@cache
def _load() -> tuple[tuple[Town, tuple[str, ...]], ...]:
    rows = []
    with DATA_FILE.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.lstrip().startswith("#")]
    for row in csv.DictReader(lines):
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        rows.append((Town(row["name"].strip(), row["code"].strip(), row["kind"].strip()), aliases))
    return tuple(rows)


def __getattr__(name: str):  # lazy module constant: TOWNS
    if name == "TOWNS":
        return towns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _alias_map() -> dict[str, Town]:
    mapping: dict[str, Town] = {}
    for town, aliases in _load():
        for alias in (town.name, *aliases):
            mapping.setdefault(alias, town)
    return mapping


@cache
def _town_pattern() -> re.Pattern[str]:
    keys = sorted(_alias_map(), key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


@cache
def _foreign_pattern() -> re.Pattern[str]:
    keys = sorted(FOREIGN_PLACES, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


def town_by_code(code: str) -> Town | None:
    code = code.strip()
    for town in towns():
        if town.code == code or town.code[:9] == code:
            return town
    return None


def find_town_mentions(text: str) -> list[Mention]:
    """Every town mentioned in ``text`` (value = official name), in order; at each position the longest alias wins."""
    if not text:
        return []
    norm = fold(text)
    mapping = _alias_map()
    return [
        Mention(mapping[m.group(0)].name, m.start(), m.end(), text[m.start() : m.end()])
        for m in _town_pattern().finditer(norm)
    ]


def match_town(text: str) -> Town | None:
    """The town mentioned in ``text`` (longest mention wins, then the first), or None."""
    mentions = find_town_mentions(text)
    if not mentions:
        return None
    best = max(mentions, key=lambda m: (m.end - m.start, -m.start))
    return _by_name()[best.value]


@cache
def _by_name() -> dict[str, Town]:
    return {town.name: town for town in towns()}


def is_foreign_place(text: str) -> str | None:
    """Name of a non-Lueyang place mentioned in ``text`` (勉县, 宁强县, ...), unless the text also names 略阳
    or one of its towns (then None)."""
    if not text:
        return None
    norm = fold(text)
    if any(word in norm for word in _COUNTY_WORDS) or find_town_mentions(norm):
        return None
    m = _foreign_pattern().search(norm)
    return FOREIGN_PLACES[m.group(0)] if m else None


def _strip_county(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _STRIP_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix) :]
                changed = True
    return text


def normalize_town(text: str) -> str:
    """Official name of the town ``text`` names (``接官亭`` -> ``接官亭镇``); TownError with suggestions otherwise."""
    raw = re.sub(r"\s+", "", fold(text or ""))
    if not raw:
        raise TownError("请告诉我您所在的镇（街道），例如：兴州街道、接官亭镇。")
    mapping = _alias_map()
    core = _strip_county(raw)
    if core in mapping:
        return mapping[core].name
    foreign = is_foreign_place(raw)
    if foreign is not None:
        raise TownError(
            f"{foreign}不属于略阳县。本助手只能解答略阳县的事项，请向当地的乡镇（街道）或县民政部门咨询。",
            value=raw,
        )
    town = match_town(raw)
    if town is not None:
        return town.name
    suggestions = suggest_towns(core)
    if suggestions:
        hint = "、".join(suggestions)
        raise TownError(f"没有找到“{raw}”这个镇（街道）。您说的是不是：{hint}？", value=raw)
    names = "、".join(t.name for t in towns())
    raise TownError(f"没有找到“{raw}”这个镇（街道）。略阳县的镇（街道）有：{names}。", value=raw)


def suggest_towns(text: str, limit: int = 3) -> list[str]:
    """Official names of the towns closest to ``text`` (by characters shared with names and aliases)."""
    if not text:
        return []
    mapping = _alias_map()
    scored: dict[str, float] = {}
    for alias, town in mapping.items():
        ratio = difflib.SequenceMatcher(None, text, alias).ratio()
        if ratio >= 0.5 and ratio > scored.get(town.name, 0.0):
            scored[town.name] = ratio
    return [name for name, _ in sorted(scored.items(), key=lambda kv: -kv[1])[:limit]]
