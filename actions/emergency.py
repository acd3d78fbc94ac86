"""Emergency triage: ``action_emergency`` for ``report_emergency`` (and crisis wording found by the rules'
callers). The reply comes at once, without a menu; an urgent ticket is opened that staff see first."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import RELAY_FORM, conversation_summary, reset_request_slots, start_relay, town_of
from bot.handoff import service
from bot.handoff.crisis import CrisisKind, detect_crisis


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):  # a button or a front-end trigger: no words to read
            text = ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = detect_crisis(text) or CrisisKind.GENERAL
        reply = service.emergency_reply(
            tracker.sender_id,
            text=text,
            kind=kind,
            town=town_of(tracker),
            summary=conversation_summary(tracker),
            intent=intent,
        )
        dispatcher.utter_message(text=reply.text)
        events = [*reset_request_slots(), SlotSet("handoff_relay", None)]
        if (tracker.active_loop or {}).get("name") == RELAY_FORM:  # the rule returns to the relay form
            return [*events, SlotSet("handoff_ticket", reply.ticket_id)]
        return [*events, *start_relay(reply.ticket_id)]
