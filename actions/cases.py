"""Case-status actions: thin wrappers around ``bot.cases.service``.

- ``validate_status_lookup_form``: staff and /mycases skip the form; residents give a case number and the
  last six of the ID in any order (or both at once, or inside ``/status <args>``). In a group chat the form
  asks nothing and the lookup answers with a pointer to a private chat (no case data in groups).
- ``action_case_lookup``: composes the answer, then clears the identifying slots; after a resident's successful
  lookup it offers status notifications (slot ``notify_offer_case``, answered by ``action_subscribe_case``), and a
  bare ``/status`` also lists the sender's subscriptions (so does the form's first question).
- ``action_inform_command``: ``inform`` outside a form: front-end commands sent as ``/inform`` with metadata
  (``/bind CODE`` here; any other command X goes to ``action_X_command`` when the domain declares it), a photo
  outside the visit form (command ``photo``, answered with ``NON_TEXT``), or a bare case number / ID fragment that
  starts the lookup form.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.core import TextFormValidation
from bot.cases import service
from bot.conversation.attachments import NON_TEXT
from bot.errors import InputError
from bot.notifications import service as notify
from bot.parsing.case_numbers import normalize_case_no
from bot.parsing.identity import validate_id_last6
from bot.policy.answers import is_followup
from bot.staff_access import is_staff

FORM = "status_lookup_form"
IDENTIFYING_SLOTS = ("case_no", "id_last6", "id_number")

ASK_CASE_NO = "请告诉我您的案件编号（在受理回执上，形如 LY2024DB00123）。"
ASK_ID_LAST6 = "为确认是您本人查询，请告诉我申请人身份证号码的后六位。"
INFORM_UNCLEAR = "收到。请问您想办理什么？可以问我政策、做临时救助预审，或者查询申请进度。"


def command_of(tracker: Tracker) -> tuple[str | None, str]:
    meta = tracker.latest_message.get("metadata") or {}
    command = meta.get("command") if isinstance(meta, dict) else None
    args = meta.get("args") if isinstance(meta, dict) else None
    return (str(command) if command else None), (str(args) if args else "")


class ValidateStatusLookupForm(TextFormValidation):
    def name(self) -> str:
        return "validate_status_lookup_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        command, _ = command_of(tracker)
        if command in ("mycases", "bind") or is_staff(tracker.sender_id):
            return []
        if service.in_group_chat(tracker.sender_id):
            return []  # never ask for a case number or ID fragment in a group: the lookup answers with a pointer
        return list(domain_slots)

    def _from_args_or_text(self, tracker: Tracker) -> dict[str, str]:
        _, args = command_of(tracker)
        text = args or tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            return {}
        return service.fields_from_text(text)

    async def extract_case_no(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("case_no"):
            return {}
        found = self._from_args_or_text(tracker).get("case_no")
        return {"case_no": found} if found else {}

    async def extract_id_last6(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("id_last6"):
            return {}
        id_number = tracker.get_slot("id_number")
        if id_number:
            return {"id_last6": str(id_number)[-6:]}
        found = self._from_args_or_text(tracker).get("id_last6")
        return {"id_last6": found} if found else {}

    def validate_case_no(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        try:
            return {"case_no": normalize_case_no(str(value))}
        except InputError as exc:
            dispatcher.utter_message(text=exc.reason)
            return {"case_no": None}

    def validate_id_last6(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        try:
            return {"id_last6": validate_id_last6(str(value))}
        except InputError as exc:
            dispatcher.utter_message(text=exc.reason)
            return {"id_last6": None}


class ActionCaseLookup(Action):
    def name(self) -> str:
        return "action_case_lookup"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        command, args = command_of(tracker)
        events: list[dict] = [SlotSet(slot, None) for slot in IDENTIFYING_SLOTS]
        if command == "bind":
            dispatcher.utter_message(text=service.bind_request(tracker.sender_id, args))
            return events
        reply = service.status_reply(
            tracker.sender_id,
            command=command,
            args=args if command == "status" else None,
            case_no=tracker.get_slot("case_no"),
            id_last6=tracker.get_slot("id_last6"),
            id_number=tracker.get_slot("id_number"),
            town=tracker.get_slot("town"),
        )
        text = reply.text
        if command == "status" and not args.strip() and not service.in_group_chat(tracker.sender_id):
            text = with_subscriptions(text, tracker.sender_id)
        dispatcher.utter_message(text=text)
        offer = reply.resident_case_no
        if offer and notify.should_offer(tracker.sender_id, offer):
            dispatcher.utter_message(text=notify.offer_text(), buttons=offer_buttons())
            return [*events, SlotSet(notify.OFFER_SLOT, offer)]
        return [*events, SlotSet(notify.OFFER_SLOT, None)]


def offer_buttons() -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in notify.OFFER_BUTTONS]


def with_subscriptions(text: str, sender_id: str) -> str:
    """``/status`` without arguments also lists the sender's status-notification subscriptions."""
    listing = notify.subscriptions_text(sender_id)
    return f"{listing}\n\n{text}" if listing else text


class ActionInformCommand(Action):
    def name(self) -> str:
        return "action_inform_command"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        command, args = command_of(tracker)
        if command == "bind":
            dispatcher.utter_message(text=service.bind_request(tracker.sender_id, args))
            return []
        if command == "photo":
            # a photo passed on by the front end outside the visit form (which keeps it): not readable here
            dispatcher.utter_message(text=NON_TEXT)
            return []
        if command and f"action_{command}_command" in (domain.get("actions") or []):
            # extension point: other areas' /inform commands (e.g. /script -> action_script_command)
            return [FollowupAction(f"action_{command}_command")]
        if any(tracker.get_slot(s) for s in IDENTIFYING_SLOTS):
            return [FollowupAction(FORM)]
        if _is_policy_followup(tracker):
            # "那特困呢?" classified as inform: the same question about another programme
            return [FollowupAction("action_answer_policy")]
        dispatcher.utter_message(text=INFORM_UNCLEAR)
        return []


def _is_policy_followup(tracker: Tracker) -> bool:
    programme = next(tracker.get_latest_entity_values("programme"), None)
    return is_followup(tracker.latest_message.get("text"), "inform", programme, tracker.get_slot("policy_family"))


class ActionAskCaseNo(Action):
    """Question of the status form for the case number (text in code, see ASK_CASE_NO)."""

    def name(self) -> str:
        return "action_ask_case_no"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        command, args = command_of(tracker)
        if command == "status" and not args.strip():  # a bare /status: the subscriptions first
            dispatcher.utter_message(text=with_subscriptions(ASK_CASE_NO, tracker.sender_id))
        else:
            dispatcher.utter_message(text=ASK_CASE_NO)
        return []


class ActionAskIdLast6(Action):
    """Question of the status form for the last six characters of the applicant's ID number."""

    def name(self) -> str:
        return "action_ask_id_last6"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        dispatcher.utter_message(text=ASK_ID_LAST6)
        return []
