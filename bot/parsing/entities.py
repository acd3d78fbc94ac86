"""All deterministic entity extraction in one plain function, used by the Rasa component
``rasa_addons.extractors.StructuredEntityExtractor`` (and testable without Rasa).

Entities (see docs/ARCHITECTURE.md): case_no, id_number, id_last6, phone, town, amount (role month/year),
household_size, programme. Spans never overlap: earlier kinds in ``_PRIORITY`` win (an 18-digit ID is not also a
phone or an amount; a case number's digits are not an amount; a household size is not an amount).
Stdlib only.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from bot.parsing.amounts import find_amounts
from bot.parsing.case_numbers import find_case_numbers
from bot.parsing.household import find_household_sizes
from bot.parsing.identity import find_id_numbers
from bot.parsing.phones import find_phones
from bot.parsing.programmes import find_programmes
from bot.parsing.text import fold
from bot.parsing.towns import find_town_mentions

__all__ = ["extract_entities", "ENTITY_NAMES"]

ENTITY_NAMES = ("case_no", "id_number", "id_last6", "phone", "town", "amount", "household_size", "programme")
_BARE_NUMBER = re.compile(r"\s*(?:[0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*[。.!！]?\s*")


@cache
def _tail_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    words = re.compile(
        r"后六位|后6位|后六个|后6个|尾号|尾数|末六位|末6位|最后六位|最后6位|最后六个|最后6个|末尾六位|后几位|最后几位"
    )
    tail = re.compile(r"(?<![0-9A-Za-z])[0-9]{5}[0-9Xx](?![0-9A-Za-z])")
    only = re.compile(r"[\s,.;:!?。，；：！？]*([0-9]{5}[0-9Xx])[\s,.;:!?。，；：！？]*")
    return words, tail, only


def _entity(kind: str, value: str, start: int, end: int, role: str | None = None) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "entity": kind,
        "value": value,
        "start": start,
        "end": end,
        "confidence_entity": 1.0,
    }
    if role is not None:
        entity["role"] = role
    return entity


def _id_tails(norm: str) -> list[tuple[str, int, int]]:
    words, tail, only = _tail_patterns()
    whole = only.fullmatch(norm)
    if whole:
        return [(whole.group(1).upper(), whole.start(1), whole.end(1))]
    if not words.search(norm):
        return []
    return [(m.group(0).upper(), m.start(), m.end()) for m in tail.finditer(norm)]


def extract_entities(text: str) -> list[dict[str, Any]]:
    """Entities in ``text`` as Rasa entity dicts (entity, value, start, end, confidence_entity, [role]), by start."""
    if not text or not text.strip():
        return []
    norm = fold(text)
    chosen: list[dict[str, Any]] = []

    def add(kind: str, value: str, start: int, end: int, role: str | None = None) -> None:
        if any(start < e["end"] and e["start"] < end for e in chosen):
            return
        chosen.append(_entity(kind, value, start, end, role))

    for m in find_case_numbers(text, valid_only=False):
        add("case_no", m.value, m.start, m.end)
    for m in find_id_numbers(text, valid_only=False):
        add("id_number", m.value, m.start, m.end)
    for m in find_phones(text):
        add("phone", m.value, m.start, m.end)
    for value, start, end in _id_tails(norm):
        add("id_last6", value, start, end)
    for household in find_household_sizes(text):
        add("household_size", household.value, household.start, household.end)
    for amount in find_amounts(text):
        start, end = amount.span
        if 0 < amount.yuan <= 20 and _BARE_NUMBER.fullmatch(norm):
            continue  # a lone "3" / "三" is more likely a count or a menu choice than an amount of money
        add("amount", amount.value, start, end, amount.period)
    seen: set[tuple[str, str]] = set()
    for kind, mentions in (("town", find_town_mentions(text)), ("programme", find_programmes(text))):
        for m in mentions:
            if (kind, m.value) not in seen:  # 集中供养和分散供养: one 特困供养 is enough
                seen.add((kind, m.value))
                add(kind, m.value, m.start, m.end)
    chosen.sort(key=lambda e: (e["start"], e["end"]))
    return chosen
