"""What a long conversation carries across the cut of the tracker store's window (issue 21).

Rasa reloads the tracker from the tracker store at the start of every turn and sends every event of it to the
action server. ``rasa_addons.tracker_store.MaskingSQLTrackerStore`` keeps every event in the database, but hands
Rasa only the conversation session's last turns, preceded by events that carry the state as of the cut (slots,
active form, ...) and one marker event: an ``agent`` event (Rasa's ``AgentUttered``, which changes no dialogue
state) whose ``data`` holds ``{WINDOW_KEY: {"events_before": n, "intents": [...]}}``: how many events of the
session were left out, and the user intents among them in first-seen order (the ticket summary lists them,
``bot.handoff.summary``).

Stdlib only: the Rasa process imports it (``rasa_addons``), so do the actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

WINDOW_KEY = "lueyang_window"
# the tracker store's table of carried states (one row per conversation); ``lueyang purge`` deletes old rows
WINDOW_TABLE = "tracker_windows"
MARKER_EVENT = "agent"  # Rasa's AgentUttered: part of the events, no effect on slots, loops or predictions


def user_intents(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Intent names of the user messages among serialised events, first-seen order, each once; the intents a
    window marker carries for the events before it are included where the marker stands."""
    seen: list[str] = []
    for event in events:
        names = carried_intents(event)
        if event.get("event") == "user":
            names = [((event.get("parse_data") or {}).get("intent") or {}).get("name")]
        for name in names:
            if name and name not in seen:
                seen.append(str(name))
    return seen


def marker_data(events_before: int, intents: list[str]) -> dict[str, Any]:
    """The ``data`` of the window marker event."""
    return {WINDOW_KEY: {"events_before": int(events_before), "intents": list(intents)}}


def window_info(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The marker's content if ``event`` (serialised) is a window marker, else None."""
    if event.get("event") != MARKER_EVENT:
        return None
    data = event.get("data")
    info = data.get(WINDOW_KEY) if isinstance(data, Mapping) else None
    return info if isinstance(info, Mapping) else None


def carried_intents(event: Mapping[str, Any]) -> list[str]:
    info = window_info(event)
    intents = info.get("intents") if info else None
    return [str(i) for i in intents] if isinstance(intents, list) else []


def events_before(events: Iterable[Mapping[str, Any]]) -> int:
    """How many events of the session the window leaves out (0 for a tracker that holds the whole session)."""
    for event in events:
        info = window_info(event)
        if info:
            return int(info.get("events_before") or 0)
    return 0
