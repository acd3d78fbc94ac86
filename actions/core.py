"""Fallback and bad-input handling shared by every conversation."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.bad_input import classify_bad_input

logger = logging.getLogger(__name__)


class ActionDefaultFallback(Action):
    """Replaces Rasa's default fallback: a helpful reply (never silence), and the turn is reverted so a form or
    a question in progress continues where it was."""

    def name(self) -> str:
        return "action_default_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        text = tracker.latest_message.get("text") or ""
        special = classify_bad_input(text)
        if special is not None:
            dispatcher.utter_message(text=special)
        else:
            dispatcher.utter_message(response="utter_default")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        logger.info("fallback: intent=%s confidence=%s", intent, (tracker.latest_message.get("intent") or {}).get("confidence"))
        return [UserUtteranceReverted()]


class ActionHandleBadInput(Action):
    """Explains why a message could not be read (empty, emoji only, English, too long, code-like)."""

    def name(self) -> str:
        return "action_handle_bad_input"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        text = tracker.latest_message.get("text") or ""
        dispatcher.utter_message(text=classify_bad_input(text) or "抱歉，我没太看懂您的意思，请换个说法。")
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
