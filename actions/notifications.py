"""Status-notification consent: ``action_subscribe_case`` answers the "订阅进度提醒" offer made after a
successful status lookup (the lookup sets slot ``notify_offer_case`` to the case number it showed)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.notifications import texts
from bot.notifications.service import OFFER_SLOT, subscribe_request


class ActionSubscribeCase(Action):
    def name(self) -> str:
        return "action_subscribe_case"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        case_no = tracker.get_slot(OFFER_SLOT)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not case_no:
            dispatcher.utter_message(text=texts.NO_OFFER)
            return []
        if intent == "deny":
            dispatcher.utter_message(text=texts.DECLINED)
        else:
            dispatcher.utter_message(text=subscribe_request(tracker.sender_id, case_no))
        return [SlotSet(OFFER_SLOT, None)]
