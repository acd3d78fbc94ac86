"""BadInputGuard turns unreadable input into nlu_fallback and leaves normal messages alone."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.guards import BadInputGuard


@pytest.mark.parametrize("text", ["", "   ", "😀👍", "hello there", "'; DROP TABLE cases; --", "啊" * 3000])
def test_unreadable_input_becomes_fallback(text):
    message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.9}})
    BadInputGuard({}).process([message])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent")["confidence"] == 1.0


def test_normal_message_keeps_its_intent():
    message = Message(data={"text": "低保怎么申请", "intent": {"name": "ask_dibao_apply", "confidence": 0.9}})
    BadInputGuard({}).process([message])
    assert message.get("intent")["name"] == "ask_dibao_apply"
