"""NLU guard: messages that cannot be read (empty, emoji only, English, code-like, too long) become
``nlu_fallback`` with certainty, so they always reach the helpful fallback instead of a random intent.

English or pinyin messages are the exception when they are understood after all: when the classifier is
confident (``latin_min_confidence``) or the message carries a case number, ID number or phone
("where is my application LY2025LS00133", "thank you", "ni hao"), they keep their intent and entities."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.bad_input import bad_input_kind
from bot.handoff.crisis import detect_crisis

# entities that make a Latin-script message worth handling (a case number in an English sentence)
STRUCTURED_ENTITIES = frozenset({"case_no", "id_number", "id_last6", "phone"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class BadInputGuard(GraphComponent, IntentClassifier):
    """Forces nlu_fallback for unreadable input. Place it after FallbackClassifier."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"latin_min_confidence": 0.6}

    def __init__(self, config: dict[str, Any]) -> None:
        self.component_config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> BadInputGuard:
        return cls(config)

    def _understood(self, message: Message) -> bool:
        """A Latin-script message the pipeline understood: confident intent or a structured entity."""
        if any(e.get("entity") in STRUCTURED_ENTITIES for e in message.get(ENTITIES) or []):
            return True
        intent = message.get(INTENT) or {}
        if intent.get("name") == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return False
        return float(intent.get("confidence") or 0.0) >= float(self.component_config["latin_min_confidence"])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            kind = bad_input_kind(message.get(TEXT))
            if kind is None or (kind == "latin" and self._understood(message)):
                continue
            fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
            message.data[INTENT] = fallback
            message.data[INTENT_RANKING_KEY] = [fallback, *message.data.get(INTENT_RANKING_KEY, [])]
            message.data[ENTITIES] = []
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CrisisGuard(GraphComponent, IntentClassifier):
    """Crisis wording (fire, flood, no food or shelter tonight, self-harm, ...) anywhere in a message makes it
    ``report_emergency``, whatever the classifier guessed, so the numbers come at once, even mid-form.
    Detection is ``bot.handoff.crisis.detect_crisis`` (stdlib-only, shared with the actions): danger now and
    questions about help after an event ("发洪水了房子被冲了有什么救助"); past events and figurative uses are
    left alone. The classifier's own intent stays second in the ranking, so ``action_emergency`` can answer a
    question about help after the numbers (``bot.handoff.triage``; measured by scripts/measure_crisis_guard.py)."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"intent": "report_emergency"}

    def __init__(self, config: dict[str, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> CrisisGuard:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        target = self.component_config.get("intent", "report_emergency")
        for message in messages:
            text = message.get(TEXT)
            if not text or detect_crisis(text) is None:
                continue
            if (message.get(INTENT) or {}).get("name") == target:
                continue
            forced = {"name": target, "confidence": 1.0}
            ranking = [r for r in message.data.get(INTENT_RANKING_KEY, []) if r.get("name") != target]
            message.data[INTENT] = forced
            message.data[INTENT_RANKING_KEY] = [forced, *ranking]
        return messages
