"""BadInputGuard turns unreadable input into nlu_fallback and leaves normal messages alone."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.guards import BadInputGuard, CrisisGuard


@pytest.mark.parametrize("text", ["", "   ", "😀👍", "'; DROP TABLE cases; --", "啊" * 3000])
def test_unreadable_input_becomes_fallback_however_confident(text):
    message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.99},
                            "entities": [{"entity": "amount", "value": "3", "start": 0, "end": 1}]})
    BadInputGuard({}).process([message])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent")["confidence"] == 1.0
    assert message.get("entities") == []


def test_english_the_classifier_is_unsure_about_becomes_fallback():
    message = Message(data={"text": "hello, can you help me with my benefits?",
                            "intent": {"name": "greet", "confidence": 0.45}})
    BadInputGuard({}).process([message])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}


def test_english_the_classifier_understands_keeps_its_intent():
    message = Message(data={"text": "thank you so much", "intent": {"name": "thank", "confidence": 0.8}})
    BadInputGuard({}).process([message])
    assert message.get("intent") == {"name": "thank", "confidence": 0.8}


def test_english_with_a_case_number_keeps_intent_and_entities():
    entity = {"entity": "case_no", "value": "LY2025LS00133", "start": 24, "end": 37}
    message = Message(data={"text": "where is my application LY2025LS00133",
                            "intent": {"name": "check_status", "confidence": 0.3}, "entities": [entity]})
    BadInputGuard({}).process([message])
    assert message.get("intent")["name"] == "check_status"
    assert message.get("entities") == [entity]


def test_latin_threshold_is_configurable():
    message = Message(data={"text": "ni hao a", "intent": {"name": "greet", "confidence": 0.7}})
    BadInputGuard({"latin_min_confidence": 0.9}).process([message])
    assert message.get("intent")["name"] == "nlu_fallback"


def test_normal_message_keeps_its_intent():
    message = Message(data={"text": "低保怎么申请", "intent": {"name": "ask_dibao_apply", "confidence": 0.9}})
    BadInputGuard({}).process([message])
    assert message.get("intent")["name"] == "ask_dibao_apply"


@pytest.mark.parametrize("text", ["我爸突然晕倒了叫不醒", "救命！我家着火了", "我不想活了", "今晚没地方住了"])
def test_crisis_wording_becomes_report_emergency(text):
    message = Message(data={"text": text, "intent": {"name": "inform", "confidence": 0.8},
                            "intent_ranking": [{"name": "inform", "confidence": 0.8}]})
    CrisisGuard(CrisisGuard.get_default_config()).process([message])
    assert message.get("intent") == {"name": "report_emergency", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "report_emergency"


def test_ordinary_questions_are_not_emergencies():
    message = Message(data={"text": "低保怎么申请", "intent": {"name": "ask_dibao_apply", "confidence": 0.9}})
    CrisisGuard(CrisisGuard.get_default_config()).process([message])
    assert message.get("intent")["name"] == "ask_dibao_apply"
