"""Emergency triage: ``action_emergency`` for ``report_emergency`` (rasa_addons' CrisisGuard forces that intent for
crisis wording anywhere). What it does is decided by ``bot.handoff.triage`` (issue 16):

- ``TICKET``: the full reply at once, without a menu, and an urgent ticket staff see first; the resident then
  waits for staff in ``handoff_relay_form`` (the assistant still answers; see ``actions.handoff``). An
  interrupted pre-check keeps its answers, and the reply offers to continue it.
- ``NUMBERS`` (a form is open, e.g. the status lookup): the numbers in one or two lines, the urgent ticket as a
  button; the rule returns to the form.
- ``HELP_ANSWER`` (a question about help after an event): the numbers first, then the policy answer to the
  question (``actions.policy``), the urgent ticket offered, not forced.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    RELAY_FORM,
    conversation_summary,
    question_tracker,
    reset_request_slots,
    start_relay,
    town_of,
)
from actions.policy import ActionAnswerPolicy
from bot.handoff import emergency, service
from bot.handoff.crisis import CrisisKind
from bot.handoff.triage import Response, Triage, triage
from bot.precheck.flow import RESUME_BUTTON, paused_step

PRECHECK_FORM = "precheck_form"
FORMS_KEPT = (
    "precheck_form",
    "status_lookup_form",
)  # a crisis inside these keeps the form (numbers, then on)
CRISIS_SLOT = "pc_crisis"


def plan_for(tracker: Tracker) -> Triage:
    message = tracker.latest_message or {}
    active = (tracker.active_loop or {}).get("name")
    remembered = tracker.get_slot(CRISIS_SLOT)
    try:
        known = CrisisKind(remembered) if remembered else None
    except ValueError:
        known = None
    plan = triage(
        message.get("text") or "",
        intent=(message.get("intent") or {}).get("name"),
        in_form=active in FORMS_KEPT,
        remembered=known,
    )
    return plan or Triage(Response.TICKET, known or CrisisKind.GENERAL)


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        active = (tracker.active_loop or {}).get("name")
        plan = plan_for(tracker)
        remember = [SlotSet(CRISIS_SLOT, plan.kind.value)] if active == PRECHECK_FORM else []
        if plan.response is Response.NUMBERS:
            dispatcher.utter_message(text=emergency.short_text(plan.kind), buttons=[emergency.URGENT_BUTTON])
            return remember  # the rule returns to the form
        if plan.response is Response.HELP_ANSWER:
            dispatcher.utter_message(text=emergency.help_question_lead(plan.kind))
            events = ActionAnswerPolicy().run(dispatcher, question_tracker(tracker), domain)
            dispatcher.utter_message(text=emergency.OFFER_LINE, buttons=[emergency.URGENT_BUTTON])
            if tracker.get_slot("handoff_ticket"):
                service.record_message(tracker.sender_id, text)
            return [*events, *remember]
        words = "" if text.startswith("/") else text  # a button or a front-end trigger: no words to read
        reply = service.emergency_reply(
            tracker.sender_id,
            text=words,
            kind=plan.kind,
            town=town_of(tracker),
            summary=conversation_summary(tracker),
            intent=intent,
        )
        body = reply.text
        if "报警" in words:
            body = f"{emergency.POLICE_LINE}\n{body}"
        buttons = []
        slots = tracker.current_slot_values()
        if (
            plan.kind is not CrisisKind.SELF_HARM and paused_step(slots) is not None
        ):  # never a menu for self-harm
            body += "\n预检的回答都保留着，情况稳定以后可以说“继续预检”接着做。"
            buttons = [RESUME_BUTTON]
        dispatcher.utter_message(text=body, buttons=buttons)
        events = [*reset_request_slots(), SlotSet("handoff_relay", None)]
        if active == RELAY_FORM:  # the rule returns to the relay form
            return [*events, SlotSet("handoff_ticket", reply.ticket_id)]
        return [*events, *start_relay(reply.ticket_id)]
