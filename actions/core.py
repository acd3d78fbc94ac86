"""Fallback and bad-input handling shared by every conversation."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.bad_input import classify_bad_input
from bot.conversation.menus import main_menu
from bot.conversation.texts import FALLBACK_TEXT

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
            dispatcher.utter_message(text=special, buttons=main_menu())
        else:
            dispatcher.utter_message(text=FALLBACK_TEXT, buttons=main_menu())
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        logger.info("fallback: intent=%s confidence=%s", intent, (tracker.latest_message.get("intent") or {}).get("confidence"))
        return [UserUtteranceReverted()]
