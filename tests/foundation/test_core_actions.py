"""The fallback action, tested like rasa-sdk's own tests: Tracker + CollectingDispatcher built inline."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.core import ActionDefaultFallback
from tests.auxil.trackers import make_tracker


def _tracker(text: str, intent: str = "nlu_fallback") -> Tracker:
    return make_tracker(text, intent, sender="term-test", confidence=0.2)


def test_fallback_offers_the_menu_and_reverts_the_turn():
    dispatcher = CollectingDispatcher()
    events = ActionDefaultFallback().run(dispatcher, _tracker("阿巴阿巴"), {})
    assert events == [{"event": "rewind", "timestamp": None}]
    [message] = dispatcher.messages
    assert "没太看懂" in message["text"]
    assert {b["payload"] for b in message["buttons"]} >= {"/start_precheck", "/check_status"}


def test_fallback_explains_unreadable_input():
    dispatcher = CollectingDispatcher()
    ActionDefaultFallback().run(dispatcher, _tracker("hello how are you"), {})
    assert "中文" in dispatcher.messages[0]["text"]
