"""The one rasa_sdk ``Tracker`` factory: what the action server hands an action for the latest user message."""

from __future__ import annotations

from rasa_sdk import Tracker


def make_tracker(
    text: str = "",
    intent: str = "inform",
    *,
    sender: str = "term-test",
    confidence: float = 1.0,
    entities: list[dict] | None = None,
    slots: dict | None = None,
    metadata: dict | None = None,
    events: list[dict] | None = None,
    active_loop: str | None = None,
    latest_action_name: str = "action_listen",
) -> Tracker:
    """A tracker whose latest message is ``text`` classified as ``intent``.

    ``active_loop`` is the name of the active form (None: no form); ``events`` the conversation so far;
    ``metadata`` the front end's message metadata (``{"command": ..., "args": ...}``).
    """
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=latest_action_name,
    )


def form_answer_tracker(
    form: str,
    slot: str,
    text: str,
    *,
    slots: dict | None = None,
    sender: str = "term-test",
    intent: str = "inform",
    metadata: dict | None = None,
) -> Tracker:
    """The tracker a form's validation action gets when ``text`` answers the question for ``slot``: the slot is
    requested, the form ran, and Rasa's ``from_text`` mapping filled the slot with the text."""
    values = {**(slots or {}), "requested_slot": slot, slot: text}
    events = [
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "requested_slot", "value": slot},
        {"event": "action", "name": form},
        {"event": "slot", "name": slot, "value": text},
    ]
    return make_tracker(text, intent, sender=sender, slots=values, events=events, metadata=metadata,
                        active_loop=form, latest_action_name=form)  # fmt: skip
