"""The ticket summary in a long conversation: the tracker holds the last turns only (the tracker store's window,
rasa_addons/tracker_store.py); the intents before the cut come from its marker event (bot.conversation.window)."""

from __future__ import annotations

from bot.conversation.window import events_before, marker_data, user_intents
from bot.handoff.summary import intents_seen, summarize


def user(intent: str) -> dict:
    return {"event": "user", "text": "…", "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}


MARKER = {"event": "agent", "text": None, "data": marker_data(412, ["ask_tekun", "greet", "start_precheck"])}
WINDOW = [
    {"event": "slot", "name": "town", "value": "接官亭镇"},
    MARKER,
    {"event": "action", "name": "action_listen"},
    user("ask_tekun"),
    user("ask_materials"),
    user("request_human"),
]


def test_the_intents_before_the_cut_come_first_and_once():
    assert user_intents(WINDOW) == ["ask_tekun", "greet", "start_precheck", "ask_materials", "request_human"]
    assert intents_seen(WINDOW) == ["ask_tekun", "start_precheck", "ask_materials", "request_human"]  # no small talk
    assert summarize(WINDOW, {}).startswith("咨询：特困供养、临时救助预审、申请材料、转人工")


def test_a_whole_session_has_no_marker():
    events = [user("ask_dibao_apply"), user("thank")]
    assert events_before(events) == 0 and intents_seen(events) == ["ask_dibao_apply"]
    assert events_before(WINDOW) == 412


def test_other_agent_events_are_not_markers():
    assert user_intents([{"event": "agent", "data": {"x": 1}}, {"event": "agent", "data": "text"}]) == []
