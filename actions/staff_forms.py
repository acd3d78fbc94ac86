"""What the staff forms' actions share (visits #17, monitoring results #18): the pieces around a form that only
staff with towns may fill in.

- ``reset``, ``buttons``, ``form_command``: slot resets, reply buttons, the frontend command in the metadata.
- ``refusal``: why a staff member may not fill in the form (not in ``roles``, or no towns), as the area's text;
  ``allowed_member``: the member looked up, or None after saying the refusal.
- ``AskAction``: a question action that says one text with fixed buttons.
- ``StaffFormValidation``: ``required_slots`` (none once the state slot is in ``stop_states``) and ``asked``
  (the latest message when the slot is the one asked now).
- ``step_validator``: a ``validate_<slot>`` method that hands the answer to the form's ``_validate(step, ...)``.
- ``send_chart``: a chart PNG written under ``var/reports`` and sent as an image with its caption.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import AssistantError
from bot.settings import get_settings
from bot.staff_access import StaffMember, staff_member

DB_ERRORS = (AssistantError, SQLAlchemyError)


def reset(slots: Iterable[str]) -> list[dict[str, Any]]:
    return [SlotSet(s, None) for s in slots]


def buttons(titles: Sequence[str]) -> list[dict[str, str]]:
    return [{"title": t, "payload": t} for t in titles]


def form_command(tracker: Tracker) -> tuple[str | None, str]:
    """The frontend command and its arguments from the latest message's metadata (``/visit 张三``)."""
    meta = (tracker.latest_message or {}).get("metadata") or {}
    if not isinstance(meta, dict):
        return None, ""
    command = meta.get("command")
    return (str(command) if command else None), str(meta.get("args") or "").strip()


def refusal(member: StaffMember | None, roles: Sequence[str], texts: Any) -> str | None:
    """``texts.REFUSED`` for someone not in ``roles``, ``texts.REFUSED_NO_TOWNS`` for staff without towns."""
    if member is None or (member.role not in roles and not member.bootstrap):
        return texts.REFUSED
    if member.bootstrap or (not member.all_towns and not member.towns):
        return texts.REFUSED_NO_TOWNS
    return None


def allowed_member(
    session: Any, sender_id: str, dispatcher: CollectingDispatcher, roles: Sequence[str], texts: Any
) -> StaffMember | None:
    """The staff member who may fill in the form; else None, after saying why not (``refusal``)."""
    member = staff_member(session, sender_id)
    reason = refusal(member, roles, texts)
    if reason is not None:
        dispatcher.utter_message(text=reason)
        return None
    return member


class AskAction(Action, ABC):
    """A question: one text with fixed buttons (subclasses set ``action_name``, ``text``, ``button_titles``).
    Abstract until ``action_name`` is set, so the action server does not register the base."""

    @property
    @abstractmethod
    def action_name(self) -> str: ...

    text = ""
    button_titles: tuple[str, ...] = ()

    def name(self) -> str:
        return self.action_name

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        dispatcher.utter_message(text=self.text, buttons=buttons(self.button_titles))
        return []


class StaffFormValidation(FormValidationAction):
    """Subclasses set ``state_slot``, ``stop_states`` and ``step_slots``."""

    state_slot = ""
    stop_states: tuple[str, ...] = ()
    step_slots: tuple[str, ...] = ()

    @abstractmethod
    def name(self) -> str: ...

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if tracker.get_slot(self.state_slot) in self.stop_states:
            return []
        return list(self.step_slots)  # the form asks the first empty one; a correction empties an earlier one

    @staticmethod
    def asked(tracker: Tracker, slot: str) -> tuple[str, str | None] | None:
        """(text, intent) of the latest message when ``slot`` is the one asked now, else None: a value kept from
        before (a resumed draft, a form started with a command) then stays as it is."""
        if tracker.get_slot("requested_slot") != slot:
            return None
        message = tracker.latest_message or {}
        return message.get("text") or "", (message.get("intent") or {}).get("name")


def step_validator(step: str) -> Callable[..., dict[str, Any]]:
    """``validate_<slot> = step_validator(step)`` in a ``StaffFormValidation``: the answer goes to
    ``self._validate(step, dispatcher, tracker)``."""

    def validate(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self._validate(step, dispatcher, tracker)

    validate.__name__ = f"validate_{step}"
    return validate


def send_chart(
    dispatcher: CollectingDispatcher,
    prefix: str,
    today: date,
    png: bytes,
    caption: str,
    *,
    prune: bool = False,
) -> None:
    """Writes ``<prefix>-<date>-<random>.png`` under ``var/reports``, sends it and its caption. With ``prune``,
    charts of that prefix from earlier days (already sent) are removed."""
    folder = get_settings().var_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    if prune:
        for old in folder.glob(f"{prefix}-*.png"):
            if not old.name.startswith(f"{prefix}-{today.isoformat()}-"):
                old.unlink(missing_ok=True)
    path = folder / f"{prefix}-{today.isoformat()}-{uuid.uuid4().hex[:8]}.png"
    path.write_bytes(png)
    dispatcher.utter_message(image=str(path))
    dispatcher.utter_message(text=caption)
