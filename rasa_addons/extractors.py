"""Deterministic entity extraction inside Rasa: case numbers, ID numbers and tails, phones, towns, amounts
(with month/year role), household sizes and programmes, normalised by ``bot.parsing``.

The logic lives in ``bot.parsing.entities.extract_entities`` (stdlib, tested in the app venv); this component
only attaches its results to Rasa messages.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.parsing.entities import ENTITY_NAMES, extract_entities


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class StructuredEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds normalised structured entities (see docs/ARCHITECTURE.md) to every message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # "entities": which of ENTITY_NAMES to emit (default: all of them)
        return {"entities": list(ENTITY_NAMES)}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StructuredEntityExtractor:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        self._wanted = frozenset(self._config["entities"] or ENTITY_NAMES)

    def process(self, messages: list[Message]) -> list[Message]:
        """Append this extractor's entities to each message (existing entities are kept)."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            found = [e for e in extract_entities(text) if e["entity"] in self._wanted]
            if not found:
                continue
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
