"""Labelled examples, entity annotations and predictions (plain Python)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Entity:
    """One entity annotation or prediction: character span, type, optional role, value."""

    entity: str
    start: int
    end: int
    value: str
    role: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            entity=str(data["entity"]),
            start=int(data["start"]),
            end=int(data["end"]),
            value=str(data.get("value", "")),
            role=data.get("role") or None,
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "value": self.value,
        }
        if self.role:
            out["role"] = self.role
        return out

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.entity, self.start, self.end, self.value, self.role or "")


@dataclass(frozen=True)
class Example:
    """A labelled NLU example."""

    text: str
    intent: str
    entities: tuple[Entity, ...] = ()

    def content_key(self) -> tuple[str, str, tuple[tuple[str, int, int, str, str], ...]]:
        """What the example is (intent, text, annotations), not where it was written."""
        return (self.intent, self.text, tuple(e.sort_key() for e in self.entities))


@dataclass
class Prediction:
    """What a classifier returned for one text."""

    intent: str
    confidence: float | None = None
    entities: tuple[Entity, ...] = ()
    # best intent other than nlu_fallback (for the fallback statistics)
    top_non_fallback: str | None = None


def prediction_from_parse(result: dict[str, Any]) -> Prediction:
    """A Prediction from Rasa's parse result."""
    intent = (result.get("intent") or {}).get("name") or FALLBACK_INTENT
    ranking = [r.get("name") for r in result.get("intent_ranking") or []]
    top = next((n for n in ranking if n and n != FALLBACK_INTENT), None)
    entities = tuple(
        Entity.from_dict(e) for e in result.get("entities") or [] if {"entity", "start", "end"} <= set(e)
    )
    return Prediction(
        intent=intent,
        confidence=(result.get("intent") or {}).get("confidence"),
        entities=entities,
        top_non_fallback=top,
    )


def in_content_order(examples: Iterable[Example]) -> list[Example]:
    """The examples sorted by content (intent, text, annotations): what is evaluated, and the order models are
    trained on, depend on the examples alone, not on how they are spread over files or ordered inside them."""
    return sorted(examples, key=Example.content_key)


def dedupe(examples: Iterable[Example]) -> tuple[list[Example], list[str]]:
    """Drop repeated (text, intent) pairs (the first is kept); report texts labelled with more than one intent."""
    seen: set[tuple[str, str]] = set()
    intents_by_text: dict[str, set[str]] = defaultdict(set)
    out = []
    for ex in examples:
        key = (ex.text.strip(), ex.intent)
        intents_by_text[key[0]].add(ex.intent)
        if key in seen:
            continue
        seen.add(key)
        out.append(ex)
    conflicts = sorted(t for t, intents in intents_by_text.items() if len(intents) > 1)
    return out, conflicts
