"""Human handoff actions (thin; logic in ``bot.handoff``).

- ``handoff_request_form``: topic, optional phone, preferred time. Skipped for staff commands (/queue, /take N,
  /reply N text, /done N arrive as ``request_human`` with metadata ``command``) and when the resident already
  has an open ticket. Crisis wording in any answer gets the emergency reply at once (urgent ticket) and ends the
  questions (the resident asked for a person already).
- ``action_handoff_submit``: staff command, or the ticket with the conversation summary.
- ``handoff_relay_form``: the waiting room while the resident's ticket is open (issue 16). Every message is
  added to the ticket; until a staff member takes it the assistant keeps answering what it understands
  (``bot.handoff.relay``), afterwards messages relay both ways through the outbox. Each reply says which mode
  the resident is in and how to leave. Ends when the ticket is closed, on /cancel, for the pre-check or a
  status lookup (the ticket stays open), or with the session.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.core import TextFormValidation, photo_in_form
from actions.policy import ActionAnswerPolicy
from bot.db.base import utcnow
from bot.errors import InputError
from bot.handoff import emergency, service, texts
from bot.handoff.crisis import detect_crisis
from bot.handoff.hours import staff_see_text
from bot.handoff.relay import RESPONSES, Step, relay_step
from bot.handoff.summary import summarize
from bot.handoff.triage import Response, triage
from bot.notifications.service import unsubscribe_request
from bot.parsing.phones import find_phones, normalize_phone
from bot.precheck.flow import RESUME_BUTTON, paused_step
from bot.staff_access import is_staff

logger = logging.getLogger(__name__)

REQUEST_FORM = "handoff_request_form"
RELAY_FORM = "handoff_relay_form"
REQUEST_SLOTS = ("handoff_topic", "handoff_phone", "handoff_time")
NO_PHONE = "不留"
_SKIP_PHONE = (
    "不留",
    "不用",
    "不需要",
    "没有",
    "没",
    "跳过",
    "算了",
    "不方便",
    "不想",
    "否",
    "no",
    "No",
    "NO",
)
_CRISIS_FILL = {
    "handoff_topic": texts.CRISIS_TICKET_TOPIC,
    "handoff_phone": NO_PHONE,
    "handoff_time": texts.CRISIS_TICKET_TIME,
    "handoff_crisis": True,
}


def command_of(tracker: Tracker) -> tuple[str | None, str]:
    meta = tracker.latest_message.get("metadata") or {}
    if not isinstance(meta, dict):
        return None, ""
    command, args = meta.get("command"), meta.get("args")
    return (str(command) if command else None), (str(args) if args else "")


def town_of(tracker: Tracker) -> str | None:
    return tracker.get_slot("town") or tracker.get_slot("pc_town") or None


def conversation_summary(tracker: Tracker) -> str:
    return summarize(tracker.events, tracker.current_slot_values())


def reset_request_slots() -> list[dict[str, Any]]:
    return [SlotSet(s, None) for s in (*REQUEST_SLOTS, "handoff_crisis")]


def start_relay(ticket_id: int | None) -> list[dict[str, Any]]:
    """Remember the open ticket and start relaying the resident's messages (nothing when there is none)."""
    if ticket_id is None:
        return [SlotSet("handoff_ticket", None)]
    return [SlotSet("handoff_ticket", ticket_id), SlotSet("handoff_relay", None), FollowupAction(RELAY_FORM)]


POLICY_PREFIX = "ask_"
DEFAULT_POLICY_INTENT = "ask_temp_relief"
MIN_RUNNER_UP = 0.05


def question_tracker(tracker: Tracker) -> Tracker:
    """The tracker as the policy action should see it: the intent the classifier gave before the crisis guard
    forced ``report_emergency`` (the best ``ask_*`` of the ranking, else temporary relief)."""
    state = dict(tracker.current_state())
    message = dict(state.get("latest_message") or {})
    ranking = message.get("intent_ranking") or []
    intent = next(
        (
            r["name"]
            for r in ranking
            if str(r.get("name", "")).startswith(POLICY_PREFIX)
            and float(r.get("confidence") or 0) >= MIN_RUNNER_UP
        ),
        DEFAULT_POLICY_INTENT,
    )
    message["intent"] = {"name": intent, "confidence": 1.0}
    state["latest_message"] = message
    return Tracker.from_dict(state)


def crisis_interrupt(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any] | None:
    """If ``value`` expresses acute danger: the emergency reply now, and the slots that end the form."""
    kind = detect_crisis(str(value or ""))
    if kind is None:
        return None
    reply = service.emergency_reply(
        tracker.sender_id,
        text=str(value),
        kind=kind,
        town=town_of(tracker),
        summary=conversation_summary(tracker),
    )
    dispatcher.utter_message(text=reply.text)
    return dict(_CRISIS_FILL)


class ValidateHandoffRequestForm(TextFormValidation):
    def name(self) -> str:
        return "validate_handoff_request_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        command, _ = command_of(tracker)
        if command in service.STAFF_COMMANDS or tracker.get_slot("handoff_crisis"):
            return []
        if is_staff(tracker.sender_id) or service.open_ticket_id(tracker.sender_id) is not None:
            return []
        return list(domain_slots)

    def validate_handoff_topic(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        crisis = crisis_interrupt(value, dispatcher, tracker)
        if crisis is not None:
            return crisis
        text = str(value or "").strip()
        if len(text) < 2 or text.startswith("/"):
            dispatcher.utter_message(text=texts.topic_too_short())
            return {"handoff_topic": None}
        return {"handoff_topic": text[:300]}

    def validate_handoff_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        crisis = crisis_interrupt(value, dispatcher, tracker)
        if crisis is not None:
            return crisis
        text = str(value or "").strip()
        found = find_phones(text)
        if found:
            return {"handoff_phone": found[0].value}
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 7:
            try:
                return {"handoff_phone": normalize_phone(text)}
            except InputError as exc:
                dispatcher.utter_message(text=texts.phone_invalid(exc.reason))
                return {"handoff_phone": None}
        if any(word in text for word in _SKIP_PHONE):
            return {"handoff_phone": NO_PHONE}
        dispatcher.utter_message(text=texts.ask_phone_again())
        return {"handoff_phone": None}

    def validate_handoff_time(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        crisis = crisis_interrupt(value, dispatcher, tracker)
        if crisis is not None:
            return crisis
        text = str(value or "").strip()
        if not text or text.startswith("/"):
            return {"handoff_time": None}
        return {"handoff_time": text[:60]}


class ActionHandoffSubmit(Action):
    def name(self) -> str:
        return "action_handoff_submit"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        command, args = command_of(tracker)
        sender = tracker.sender_id
        if command in service.STAFF_COMMANDS:
            dispatcher.utter_message(text=service.staff_command(sender, command, args))
            return reset_request_slots()
        if tracker.get_slot("handoff_crisis"):  # the emergency reply was given during the form
            return [*reset_request_slots(), *start_relay(service.open_ticket_id(sender))]
        if is_staff(sender):
            dispatcher.utter_message(text=texts.staff_usage())
            return reset_request_slots()
        phone = tracker.get_slot("handoff_phone")
        topic = tracker.get_slot("handoff_topic")
        if not topic:  # the form was skipped: an open ticket already exists
            open_text = service.already_open_text(sender)
            dispatcher.utter_message(text=open_text or service.DB_DOWN)
            return [*reset_request_slots(), *start_relay(service.open_ticket_id(sender))]
        result = service.submit_request(
            sender,
            topic=topic,
            phone=phone if phone and phone != NO_PHONE else None,
            preferred_time=tracker.get_slot("handoff_time"),
            town=town_of(tracker),
            summary=conversation_summary(tracker),
        )
        dispatcher.utter_message(text=result.text)
        return [*reset_request_slots(), *start_relay(result.ticket_id)]


class ValidateHandoffRelayForm(FormValidationAction):
    """The waiting room (issue 16): every message goes into the resident's open ticket; until a staff member
    takes it the assistant keeps answering what it understands (``bot.handoff.relay``); after /take messages
    relay both ways. Every reply says which mode the resident is in and how to leave (/cancel)."""

    def name(self) -> str:
        return "validate_handoff_relay_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        if is_staff(tracker.sender_id) or service.open_ticket_id(tracker.sender_id) is None:
            return []
        return list(domain_slots)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict]:
        if "handoff_relay" not in tracker.slots_to_validate() or is_staff(tracker.sender_id):
            return await super().run(dispatcher, tracker, domain)
        state = service.relay_state(tracker.sender_id)
        if state is None:  # closed by staff: the form ends and action_handoff_relay_end says so
            return await super().run(dispatcher, tracker, domain)
        photo = photo_in_form(dispatcher, tracker)
        if photo is not None:  # not recorded nor passed on (only its reference would be): ask for words instead
            return photo
        message = tracker.latest_message or {}
        text = str(message.get("text") or "").strip()
        intent = (message.get("intent") or {}).get("name")
        step = relay_step(text, intent, (message.get("intent") or {}).get("confidence"), taken=state.taken)
        if text and not text.startswith("/"):  # every typed message, whatever happens next (buttons are not)
            state = service.record_message(tracker.sender_id, text) or state
        logger.info("relay: %s (ticket #%s, taken=%s)", step.value, state.ticket_id, state.taken)
        events: list[dict[str, Any]] = [SlotSet("handoff_relay", None)]
        if step is Step.LEAVE:  # the rules start the pre-check or the status lookup; the ticket stays open
            return [*events, ActionExecutionRejected(RELAY_FORM)]
        answered = True
        if step is Step.CRISIS:
            events += _relay_crisis(dispatcher, tracker, domain, text)
        elif step is Step.RELAY:
            pass
        elif step is Step.ANSWER:
            events += ActionAnswerPolicy().run(dispatcher, tracker, domain)
        elif step is Step.RESPOND:
            dispatcher.utter_message(response=RESPONSES[intent])
        elif step is Step.REPEAT:
            dispatcher.utter_message(
                text=service.already_open_text(tracker.sender_id) or texts.relay_ack_waiting()
            )
            return events
        else:
            answered = False
        dispatcher.utter_message(text=mode_note(state, answered=answered))
        return events

    def validate_handoff_relay(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"handoff_relay": None}  # the relay asks forever; ``run`` handled the message


def mode_note(state: service.RelayState, *, answered: bool) -> str:
    if state.taken:
        return texts.taken_note(state.ticket_id, state.assignee)
    return texts.waiting_note(state.ticket_id, staff_see_text(utcnow()), answered=answered)


def _relay_crisis(dispatcher, tracker: Tracker, domain: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """Crisis wording while waiting: the urgent reply (the ticket is escalated), or for a question about help
    the numbers and the answer (the ticket is not escalated: the resident can press the urgent button)."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    plan = triage(text, intent=intent, in_form=False)
    if plan is not None and plan.response is Response.HELP_ANSWER:
        dispatcher.utter_message(text=emergency.help_question_lead(plan.kind))
        events = ActionAnswerPolicy().run(dispatcher, question_tracker(tracker), domain)
        dispatcher.utter_message(text=emergency.OFFER_LINE, buttons=[emergency.URGENT_BUTTON])
        return events
    words = "" if text.startswith("/") else text
    reply = service.emergency_reply(
        tracker.sender_id,
        text=words,
        kind=plan.kind if plan else None,
        town=town_of(tracker),
        summary=conversation_summary(tracker),
    )
    dispatcher.utter_message(text=reply.text)
    return []


class _Ask(Action, ABC):
    """Asks one question of the request form (texts in ``bot.handoff.texts``). Abstract, so the action server
    registers only the concrete subclasses."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    @abstractmethod
    def question(self) -> tuple[str, tuple[tuple[str, str], ...]]: ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        text, buttons = self.question()
        dispatcher.utter_message(text=text, buttons=[{"title": t, "payload": p} for t, p in buttons])
        return []


class ActionAskHandoffTopic(_Ask):
    slot = "handoff_topic"

    def question(self):
        return texts.ask_topic(), ()


class ActionAskHandoffPhone(_Ask):
    slot = "handoff_phone"

    def question(self):
        return texts.ask_phone(), (texts.PHONE_SKIP_BUTTON,)


class ActionAskHandoffTime(_Ask):
    slot = "handoff_time"

    def question(self):
        return texts.ask_time(), texts.TIME_BUTTONS


class ActionAskHandoffRelay(Action):
    """The relay form asks nothing: the acknowledgement was given by the validation."""

    def name(self) -> str:
        return "action_ask_handoff_relay"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        return []


class ActionHandoffRelayEnd(Action):
    """After the relay form ended by itself: tell the resident when staff closed their ticket."""

    def name(self) -> str:
        return "action_handoff_relay_end"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        ticket = tracker.get_slot("handoff_ticket")
        if ticket and service.open_ticket_id(tracker.sender_id) is None:
            dispatcher.utter_message(
                text=texts.relay_ended(int(float(ticket))), buttons=resume_buttons(tracker)
            )
            events: list[dict[str, Any]] = [SlotSet("handoff_ticket", None)]
            intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
            if intent.startswith("ask_"):  # the question that arrived after the ticket was closed is answered
                events += ActionAnswerPolicy().run(dispatcher, tracker, domain)
            return events
        return []


class ActionHandoffCancel(Action):
    """/cancel outside other forms: ends the resident's open ticket; /unsubscribe stops status notifications."""

    def name(self) -> str:
        return "action_handoff_cancel"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        command, args = command_of(tracker)
        if command == "unsubscribe":
            dispatcher.utter_message(text=unsubscribe_request(tracker.sender_id, args))
            return []
        text = service.cancel_ticket(tracker.sender_id)
        buttons = resume_buttons(tracker)
        if buttons:
            text = f"{text or texts.no_open_ticket()}\n{texts.RESUME_OFFER}"
        dispatcher.utter_message(text=text or texts.no_open_ticket(), buttons=buttons)
        return [*reset_request_slots(), SlotSet("handoff_ticket", None), SlotSet("handoff_relay", None)]


def resume_buttons(tracker: Tracker) -> list[dict[str, str]]:
    """The "继续预检" button when an interrupted pre-check has kept its answers (issue 16)."""
    return [RESUME_BUTTON] if paused_step(tracker.current_slot_values()) is not None else []
