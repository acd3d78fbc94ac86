"""Policy answers (issue 3): thin rasa_sdk wrappers around ``bot.policy.answers``.

- ``action_answer_policy``: answers the latest ``ask_*`` intent (entities programme/town/amount/household_size,
  the "详细说明"/related-topic buttons whose payload carries ``detail``/``topic``, and follow-ups such as
  "那特困呢?" using the slots ``policy_family``/``policy_programme``). Staff get the hotline script version.
  A referral answer (a 民政 benefit the sources do not cover) also sets ``policy_referral``, which the
  unanswered-questions report (``bot.audit.unanswered``) counts.
- ``action_script_command``: ``/script <keyword>`` (front ends send ``/inform`` with metadata
  ``{"command": "script", "args": keyword}``; ``action_inform_command`` forwards it here).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.audit import record
from bot.audit.unanswered import REFERRAL_FAMILY
from bot.errors import AssistantError
from bot.policy.answers import (
    Answer,
    answer,
    followup_answer,
    is_followup,
    menu_answer,
    parse_payload,
    script_search,
)
from bot.policy.search import normalise_programme
from bot.staff_access import is_staff

logger = logging.getLogger(__name__)

SLOT_TOPIC = "policy_topic"
SLOT_FAMILY = "policy_family"
SLOT_PROGRAMME = "policy_programme"
# set on a referral answer (a 民政 benefit the sources do not cover): the unanswered-questions report reads it
SLOT_REFERRAL = "policy_referral"
NOT_STAFF_NOTE = "（答复口径仅供工作人员使用，以下是面向群众的说明。）"


def _entity(tracker: Tracker, name: str) -> dict[str, Any] | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return entity
    return None


def _value(tracker: Tracker, name: str) -> str | None:
    entity = _entity(tracker, name)
    return str(entity["value"]) if entity else None


def _command(tracker: Tracker) -> tuple[str | None, str]:
    metadata = tracker.latest_message.get("metadata") or {}
    command = metadata.get("command") if isinstance(metadata, dict) else None
    args = metadata.get("args") if isinstance(metadata, dict) else None
    text = (tracker.latest_message.get("text") or "").strip()
    if command is None and text.startswith("/script"):  # a front end that passed the raw command text
        return "script", text[len("/script") :].strip()
    return command, str(args or "").strip()


def _send(
    dispatcher: CollectingDispatcher, result: Answer, tracker: Tracker, *, action: str = "policy_answer"
) -> list[dict[str, Any]]:
    dispatcher.utter_message(text=result.text, buttons=result.button_dicts())
    logger.info("policy answer: topic=%s audience=%s data=%s", result.topic, result.audience, result.version)
    _audit(tracker, result, action)
    if result.topic is None:
        return []
    events = [
        SlotSet(SLOT_TOPIC, result.topic),
        SlotSet(SLOT_FAMILY, result.family),
        SlotSet(SLOT_PROGRAMME, result.programme),
    ]
    if result.family == REFERRAL_FAMILY:
        events.append(SlotSet(SLOT_REFERRAL, result.programme))
    return events


def _audit(tracker: Tracker, result: Answer, action: str) -> None:
    """The audit entry of this answer: intent, topic (or "menu"), audience and knowledge version; the policy and
    county-parameter versions in force are added by ``bot.audit``. Never raises."""
    intent = ((tracker.latest_message.get("intent") or {}).get("name")) or None
    citations = "、".join(c.text for c in result.citations[:5])
    detail = f"audience={result.audience}; knowledge={result.version or '-'}"
    if citations:
        detail += f"; citations={citations}"
    record(
        tracker.sender_id,
        action,
        intent=intent,
        topic=result.topic or "menu",
        detail=detail,
        role="staff" if result.audience == "staff" else "resident",
    )


def policy_reply(tracker: Tracker) -> Answer:
    """The answer for the tracker's latest message (plain function: testable without a dispatcher)."""
    audience = "staff" if is_staff(tracker.sender_id) else "resident"
    message = tracker.latest_message
    text = (message.get("text") or "").strip()
    intent = (message.get("intent") or {}).get("name") or ""
    payload = parse_payload(text)
    programme = _value(tracker, "programme") or payload.get("programme")
    town = _value(tracker, "town") or tracker.get_slot("town")
    amount_entity = _entity(tracker, "amount")
    amount = amount_entity.get("value") if amount_entity else None
    period = amount_entity.get("role") if amount_entity else None
    size = _value(tracker, "household_size")

    if payload.get("detail") or payload.get("topic"):
        key = payload.get("detail") or payload.get("topic")
        return answer(intent or "ask_dibao_eligibility", topic=key, detail=bool(payload.get("detail")),
                      town=town, audience=audience)  # fmt: skip

    last_family = tracker.get_slot(SLOT_FAMILY)
    last_programme = tracker.get_slot(SLOT_PROGRAMME)
    asked_programme = programme or normalise_programme(text)
    if (
        asked_programme
        and asked_programme != last_programme
        and is_followup(text, intent, asked_programme, last_family)
    ):
        return followup_answer(last_family, asked_programme, audience=audience, town=town)

    if not intent.startswith("ask_"):
        return menu_answer(audience=audience)
    if intent == "ask_materials" and not asked_programme and last_programme:
        programme = last_programme  # "要带什么材料" right after a 特困 answer
    return answer(
        intent,
        programme=programme,
        town=town,
        amount=amount,
        amount_period=period if period in ("month", "year") else None,
        household_size=size,
        text=text if not payload else None,
        audience=audience,
    )


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        command, args = _command(tracker)
        if command == "script":
            return _script(dispatcher, tracker, args)
        try:
            result = policy_reply(tracker)
        except AssistantError as exc:
            logger.warning("policy answer failed: %s", exc)
            dispatcher.utter_message(text=exc.user_message)
            return []
        return _send(dispatcher, result, tracker)


class ActionScriptCommand(Action):
    """``/script <keyword>``: topic search; staff get the script, others the resident answer."""

    def name(self) -> str:
        return "action_script_command"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        _, args = _command(tracker)
        return _script(dispatcher, tracker, args)


def _script(dispatcher: CollectingDispatcher, tracker: Tracker, keyword: str) -> list[dict]:
    staff = is_staff(tracker.sender_id)
    try:
        result = script_search(keyword, audience="staff" if staff else "resident")
    except AssistantError as exc:
        logger.warning("script search failed: %s", exc)
        dispatcher.utter_message(text=exc.user_message)
        return []
    if not staff:
        result = dataclasses.replace(result, text=NOT_STAFF_NOTE + "\n" + result.text)
    return _send(dispatcher, result, tracker, action="policy_script")
