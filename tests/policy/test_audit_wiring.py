"""action_answer_policy and /script write one audit entry per answer: intent, topic, audience and the data
versions in force (real SQLite database, inline Tracker and CollectingDispatcher)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.policy import ActionAnswerPolicy, ActionScriptCommand
from bot.audit.log import data_versions, entries
from bot.db.session import session_scope
from tests.auxil.trackers import make_tracker
from tests.staff_records import ensure_staff


def tracker(text: str, intent: str, sender: str, metadata: dict | None = None) -> Tracker:
    return make_tracker(text, intent, sender=sender, confidence=0.99, metadata=metadata)


def audit_for(sender: str):
    with session_scope() as s:
        return entries(s, sender_id=sender)


def test_policy_answer_is_audited_with_topic_intent_and_data_versions():
    sender = "tg-6660001-6660001"
    d = CollectingDispatcher()
    events = ActionAnswerPolicy().run(d, tracker("低保申请需要什么条件", "ask_dibao_eligibility", sender), {})
    topic = next(e["value"] for e in events if e["name"] == "policy_topic")
    [entry] = audit_for(sender)
    policy_version, params_version = data_versions()
    assert (entry.action, entry.intent, entry.topic, entry.role) == (
        "policy_answer", "ask_dibao_eligibility", topic, "resident"
    )
    assert policy_version and (entry.policy_version, entry.params_version) == (policy_version, params_version)
    assert entry.user_ref != sender and "audience=resident" in entry.detail
    assert "《" in entry.detail  # the citations the answer gave


def test_menu_and_staff_script_are_audited():
    sender = "term-staff-audit"
    ensure_staff("term:staff-audit")  # terminal senders are staff only through a staff record
    ActionAnswerPolicy().run(CollectingDispatcher(), tracker("你好", "greet", "term-somebody"), {})
    assert [(e.action, e.topic) for e in audit_for("term-somebody")] == [("policy_answer", "menu")]

    meta = {"command": "script", "args": "低保"}
    ActionScriptCommand().run(CollectingDispatcher(), tracker("/inform", "inform", sender, meta), {})
    [entry] = audit_for(sender)
    assert (entry.action, entry.role, entry.intent) == ("policy_script", "staff", "inform")
