"""The waiting room, as a plain function (issue 16: relay only when a person is there).

While a resident's ticket is open, ``handoff_relay_form`` sees every message and adds it to the ticket. What
else happens to the message is ``relay_step``:

- ``CRISIS``: crisis wording (or the urgent button): the emergency triage (``bot.handoff.triage``).
- ``LEAVE``: a flow of its own (the pre-check, a status lookup; "继续预检" and the resume button): the relay form
  gives way (the ticket stays open, the pre-check adds its answers to it).
- ``RELAY``: a staff member took the ticket: the message goes to them (both ways, as before issue 16).
- ``ANSWER``: a question the assistant understands (policy questions): answered now, staff see it later.
- ``RESPOND``: greetings, thanks, "are you a bot": the usual short reply.
- ``REPEAT``: a request for a person again: where the ticket stands.
- ``RECORD``: anything else: recorded for staff; the resident is told the assistant could not answer it.

Every reply in the waiting room ends with the mode line (``texts.waiting_note`` / ``texts.taken_note``).
"""

from __future__ import annotations

from enum import Enum

from bot.handoff.triage import triage

MIN_CONFIDENCE = 0.5
POLICY_PREFIX = "ask_"
LEAVING_INTENTS = ("start_precheck", "check_status")
RESPONSES = {
    "greet": "utter_greet",
    "thank": "utter_thank",
    "goodbye": "utter_goodbye",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
}


class Step(str, Enum):
    CRISIS = "crisis"
    LEAVE = "leave"
    RELAY = "relay"
    ANSWER = "answer"
    RESPOND = "respond"
    REPEAT = "repeat"
    RECORD = "record"


def relay_step(text: str, intent: str | None, confidence: float | None, *, taken: bool) -> Step:
    """What to do with one message while the resident's ticket is open (``taken``: a staff member has it)."""
    text = (text or "").strip()
    button = text.startswith("/")
    sure = button or confidence is None or confidence >= MIN_CONFIDENCE
    if triage(text, intent=intent, in_form=False) is not None:
        return Step.CRISIS
    if intent in LEAVING_INTENTS and sure:
        return Step.LEAVE
    if taken:
        return Step.RELAY
    if intent and intent.startswith(POLICY_PREFIX) and sure:
        return Step.ANSWER
    if intent in RESPONSES and sure:
        return Step.RESPOND
    if intent == "request_human":
        return Step.REPEAT
    return Step.RECORD


__all__ = ["LEAVING_INTENTS", "RESPONSES", "Step", "relay_step"]
