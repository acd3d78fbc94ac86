"""Fallback and bad-input handling shared by every conversation."""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from bot.conversation.attachments import NON_TEXT
from bot.conversation.bad_input import classify_bad_input
from bot.conversation.menus import main_menu
from bot.conversation.texts import FALLBACK_TEXT

logger = logging.getLogger(__name__)


def photo_in_form(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict] | None:
    """A photo passed on by the front end (``/inform`` with metadata command "photo", for the visit form) while
    another form asks a question: the reply a non-text message always had, and the question is asked again (the
    slot the trigger's text filled is emptied). None for any other message. For the forms' ``run``."""
    meta = (tracker.latest_message or {}).get("metadata") or {}
    if not isinstance(meta, dict) or meta.get("command") != "photo":
        return None
    dispatcher.utter_message(text=NON_TEXT)
    requested = tracker.get_slot("requested_slot")
    logger.info("photo while %s asks %s: not readable here", tracker.active_loop_name, requested)
    return [SlotSet(requested, None)] if requested else []


class TextFormValidation(FormValidationAction):
    """The validation of a form whose questions take text: a photo (passed on for the visit form) gets the
    non-text reply and the same question again (``photo_in_form``) before any slot is validated."""

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        photo = photo_in_form(dispatcher, tracker)
        if photo is not None:
            return photo
        return await super().run(dispatcher, tracker, domain)


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
