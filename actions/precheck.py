"""Temporary-relief pre-check actions: thin wrappers around ``bot.precheck`` (rules, flow, render, store)."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.core import photo_in_form
from bot.audit import record
from bot.errors import AssistantError, ServiceUnavailable
from bot.handoff import emergency, service
from bot.handoff.crisis import CrisisKind
from bot.handoff.summary import summarize
from bot.handoff.triage import Response, Triage, triage
from bot.policy.parameters import load_parameters
from bot.precheck.flow import (
    QUESTIONS,
    RESTART_BUTTON,
    UNKNOWN,
    Interpretation,
    Kind,
    answers_from_slots,
    describe,
    interpret,
    local_today,
    paused_step,
    question_text,
    remaining,
    resume_text,
    slot_name,
    wants_restart,
)
from bot.precheck.model import Category, Overall
from bot.precheck.render import render_result, render_summary
from bot.precheck.rules import QUESTION_ORDER, evaluate
from bot.precheck.store import find_by_reference, save_result, summary_of
from bot.settings import get_settings

logger = logging.getLogger(__name__)

FORM = "precheck_form"
QUESTION_SLOTS = [slot_name(k) for k in QUESTION_ORDER]
AUX_SLOTS = ["pc_reask", "pc_cancelled", "pc_result", "pc_crisis"]
# the kind of crisis noted during this pre-check (so "找人" right after it is explicit)
CRISIS_SLOT = "pc_crisis"
# intents the handoff rules send to action_emergency while the pre-check is open (nlu_data/rules/handoff.yml)
EMERGENCY_RULE_INTENTS = ("report_emergency", "request_human")

INTRO = (
    "好的，我们来做临时救助预检。我会一次问一个问题，最多10个（和您情况无关的会跳过），大约3分钟。\n"
    "这只是预检，不是审批结果。答不上来可以说“不知道”；说错了可以直接改，例如“收入说错了，是三千”；"
    "中途可以问政策问题；想停下就说“不测了”。"
)
CANCELLED = "好的，预检已停止，您的回答没有保存。想再做时说“预审”就可以；有政策问题也可以直接问我。"
OFFER = (
    "如果需要，我可以保存这次的回答和结果，并给您一个参考编号：去乡镇（街道）办理时报出编号，工作人员就能看到您的情况。"
    "保存的只是预检里的回答和结果，不含姓名、身份证号和电话。要保存吗？"
)
OFFER_BUTTONS = [
    {"title": "同意保存，给我参考编号", "payload": "/affirm"},
    {"title": "请工作人员联系我", "payload": "/request_human"},
    {"title": "不用了", "payload": "/deny"},
]
HANDOFF_FORM = "handoff_request_form"
CALLBACK_TOPIC = "临时救助预检后，请工作人员联系"
CALLBACK_WITH_RESULT = "好的，我来帮您登记，请工作人员联系您。这次预检的回答和结果会一并转给工作人员。"
CALLBACK_WITH_REFERENCE = (
    "好的，我来帮您登记，请工作人员联系您。工作人员可以凭参考编号 {reference} 看到您保存的预检结果。"
)
CALLBACK_PLAIN = "好的，我来帮您登记，请工作人员联系您。"
AUDIT_TOPIC = "临时救助预检"


def _reset() -> list[dict[str, Any]]:
    return [SlotSet(s, None) for s in QUESTION_SLOTS + AUX_SLOTS]


def _buttons(titles: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"title": t, "payload": t} for t in titles]


class ActionPrecheckStart(Action):
    """Starts the pre-check. An interrupted one (answers kept, no result yet) continues at the same step unless
    the resident asks to start over ("重新预检", the restart button); a fresh one explains what happens."""

    def name(self) -> str:
        return "action_precheck_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        slots = tracker.current_slot_values()
        text = (tracker.latest_message or {}).get("text") or ""
        if paused_step(slots) is not None and not wants_restart(text):
            note = resume_text(slots)
            ticket = tracker.get_slot("handoff_ticket")
            if ticket and service.open_ticket_id(tracker.sender_id) is not None:
                note += f"\n您的工单#{int(float(ticket))}仍然有效，预检中的回答也会记入工单。"
            dispatcher.utter_message(text=note, buttons=[RESTART_BUTTON])
            logger.info("precheck: resumed at %s", paused_step(slots))
            return [SlotSet("pc_reask", None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(text=INTRO)
        return _reset()


class AskPrecheckQuestion(Action, ABC):
    """Asks one question with its "第 N/M 步" progress and its buttons (one subclass per question)."""

    @property
    @abstractmethod
    def key(self) -> str:
        """The question key (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_{slot_name(self.key)}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        text, buttons = question_text(self.key, tracker.current_slot_values())
        dispatcher.utter_message(text=text, buttons=_buttons(buttons))
        return []


class AskResidency(AskPrecheckQuestion):
    key = "residency"


class AskEvent(AskPrecheckQuestion):
    key = "event"


class AskDate(AskPrecheckQuestion):
    key = "date"


class AskStatus(AskPrecheckQuestion):
    key = "status"


class AskHouseholdSize(AskPrecheckQuestion):
    key = "household_size"


class AskIncome(AskPrecheckQuestion):
    key = "income"


class AskCompensation(AskPrecheckQuestion):
    key = "compensation"


class AskLoss(AskPrecheckQuestion):
    key = "loss"


class AskSavings(AskPrecheckQuestion):
    key = "savings"


class AskTown(AskPrecheckQuestion):
    key = "town"


def _interpret(key: str, tracker: Tracker) -> Interpretation:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    return interpret(
        key,
        message.get("text") or "",
        intent=intent.get("name"),
        confidence=intent.get("confidence"),
        today=local_today(),
        slots=tracker.current_slot_values(),
    )


def _triage(tracker: Tracker) -> Triage | None:
    """Crisis wording (or the offered urgent button) in an answer: see ``bot.handoff.triage``."""
    message = tracker.latest_message or {}
    remembered = tracker.get_slot(CRISIS_SLOT)
    try:
        known = CrisisKind(remembered) if remembered else None
    except ValueError:
        known = None
    return triage(
        message.get("text") or "",
        intent=(message.get("intent") or {}).get("name"),
        in_form=True,
        remembered=known,
    )


def _record_in_ticket(tracker: Tracker) -> None:
    """While the resident has an open ticket, every pre-check answer is added to it (staff see everything)."""
    if not tracker.get_slot("handoff_ticket"):
        return
    text = ((tracker.latest_message or {}).get("text") or "").strip()
    if text:
        service.record_message(tracker.sender_id, text)


def apply_interpretation(
    key: str, result: Interpretation, *, reasked: bool, text: str, dispatcher: CollectingDispatcher
) -> dict[str, Any]:
    """Slot updates (and messages) for one interpreted answer to question ``key``."""
    slot = slot_name(key)
    if result.kind is Kind.ANSWER:
        if text.strip() not in QUESTIONS[key].buttons:
            dispatcher.utter_message(text=f"好的，记下了：{describe(key, result.value)}。")
        return {slot: result.value, "pc_reask": None}
    if result.kind is Kind.UNKNOWN:
        dispatcher.utter_message(text="好的，这一项先记为“不清楚”，由乡镇（街道）工作人员核实。")
        return {slot: UNKNOWN, "pc_reask": None}
    if result.kind is Kind.CORRECTION:
        dispatcher.utter_message(text=result.message)
        return {slot: None, slot_name(result.key): result.value, "pc_reask": None}
    if result.kind is Kind.RESTART:
        dispatcher.utter_message(text=result.message)
        return {s: None for s in QUESTION_SLOTS + AUX_SLOTS}
    if result.kind is Kind.CANCEL:
        return {slot: None, "pc_cancelled": True}
    if result.kind in (Kind.EMERGENCY, Kind.HUMAN, Kind.NOTE):
        dispatcher.utter_message(text=result.message)
        return {slot: None}
    # unclear (or a policy question that could not be handed over): one re-ask with an example, then move on
    if reasked:
        dispatcher.utter_message(text="这一项我先记为“不清楚”，由乡镇（街道）工作人员核实，我们继续。")
        return {slot: UNKNOWN, "pc_reask": None}
    dispatcher.utter_message(text=result.message or f"抱歉，我没看懂这个回答。{QUESTIONS[key].example}")
    return {slot: None, "pc_reask": key}


class ValidatePrecheckForm(FormValidationAction):
    """Parses each answer with bot.parsing (via bot.precheck.flow), handles unknown, corrections and cancel,
    skips questions the outcome does not depend on, and hands policy questions to the policy rules."""

    def name(self) -> str:
        return "validate_precheck_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if tracker.get_slot("pc_cancelled"):
            return []
        return remaining(tracker.current_slot_values())

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict]:
        photo = photo_in_form(dispatcher, tracker)
        if photo is not None:
            return photo
        if tracker.get_slot("requested_slot") not in QUESTION_SLOTS:
            # activation: no question is open; the kept answers of an interrupted pre-check are re-sent as
            # "prefilled" slots. They were validated when given, so keep them and ask the first unanswered step
            slots = tracker.current_slot_values()
            left = [s for s in remaining(slots) if slots.get(s) is None]
            return [SlotSet("requested_slot", left[0] if left else None)]
        requested = tracker.get_slot("requested_slot")
        extra: list[dict] = []
        if requested in QUESTION_SLOTS and requested in tracker.slots_to_validate():
            _record_in_ticket(tracker)
            key = requested[len("pc_") :]
            kind = _interpret(key, tracker).kind
            if kind is Kind.INTERRUPT:
                # a policy question: reject so the rules answer it; the form then asks the same step again
                return [SlotSet(requested, None), ActionExecutionRejected(FORM)]
            plan = _triage(tracker)
            intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
            if plan is not None and plan.response is Response.TICKET and intent not in EMERGENCY_RULE_INTENTS:
                # an explicit request the classifier did not tag (no rule would take over): the urgent ticket
                # here, and the same step again
                reply = service.emergency_reply(
                    tracker.sender_id,
                    text=(tracker.latest_message or {}).get("text") or "",
                    kind=plan.kind,
                    town=tracker.get_slot("town") or tracker.get_slot("pc_town"),
                    summary=summarize(tracker.events, tracker.current_slot_values()),
                )
                dispatcher.utter_message(text=reply.text)
                return [SlotSet(requested, None), SlotSet(CRISIS_SLOT, plan.kind.value)]
            if plan is not None and plan.response is not Response.NUMBERS:
                # an explicit request (the urgent button, "找人", "帮我报警"), self-harm, or a question about help:
                # the rule "emergency during the pre-check" runs action_emergency (ticket, or the numbers and
                # the answer), then the form asks the same step again unless a ticket took over
                return [SlotSet(requested, None), ActionExecutionRejected(FORM)]
            if plan is not None:
                # danger wording in an answer: the numbers at once, the ticket offered; the form goes on
                dispatcher.utter_message(
                    text=emergency.short_text(plan.kind), buttons=[emergency.URGENT_BUTTON]
                )
                logger.info("precheck: crisis wording (%s), numbers given, form kept", plan.kind.value)
                extra.append(SlotSet(CRISIS_SLOT, plan.kind.value))
        return [*extra, *await super().run(dispatcher, tracker, domain)]

    def _validate(self, key: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot_name(key):
            return {slot_name(key): None}  # only the question being asked is answered by free text
        result = _interpret(key, tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        reasked = tracker.get_slot("pc_reask") == key
        logger.info("precheck %s: %s", key, result.kind.value)
        if result.kind in (Kind.UNCLEAR, Kind.EMERGENCY) and _triage(tracker) is not None:
            return {
                slot_name(key): None
            }  # the numbers were just given; the same question again, not "unclear"
        return apply_interpretation(key, result, reasked=reasked, text=text, dispatcher=dispatcher)

    def validate_pc_residency(self, value, dispatcher, tracker, domain):
        return self._validate("residency", dispatcher, tracker)

    def validate_pc_event(self, value, dispatcher, tracker, domain):
        return self._validate("event", dispatcher, tracker)

    def validate_pc_date(self, value, dispatcher, tracker, domain):
        return self._validate("date", dispatcher, tracker)

    def validate_pc_status(self, value, dispatcher, tracker, domain):
        return self._validate("status", dispatcher, tracker)

    def validate_pc_household_size(self, value, dispatcher, tracker, domain):
        return self._validate("household_size", dispatcher, tracker)

    def validate_pc_income(self, value, dispatcher, tracker, domain):
        return self._validate("income", dispatcher, tracker)

    def validate_pc_compensation(self, value, dispatcher, tracker, domain):
        return self._validate("compensation", dispatcher, tracker)

    def validate_pc_loss(self, value, dispatcher, tracker, domain):
        return self._validate("loss", dispatcher, tracker)

    def validate_pc_savings(self, value, dispatcher, tracker, domain):
        return self._validate("savings", dispatcher, tracker)

    def validate_pc_town(self, value, dispatcher, tracker, domain):
        return self._validate("town", dispatcher, tracker)


class ActionPrecheckResult(Action):
    """After the form: the result criterion by criterion (or a polite stop), then the offer to save it."""

    def name(self) -> str:
        return "action_precheck_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        if tracker.get_slot("pc_cancelled"):
            dispatcher.utter_message(text=CANCELLED)
            return _reset()
        answers = answers_from_slots(tracker.current_slot_values())
        try:
            params = load_parameters()
        except AssistantError:
            logger.exception("precheck: county parameters cannot be loaded")
            dispatcher.utter_message(
                text="抱歉，政策参数暂时读取不了，这次没法给出预检结果。请直接向乡镇（街道）民政办咨询。"
            )
            return _reset()
        result = evaluate(answers, params, local_today())
        logger.info("precheck result: %s %s", render_summary(result), result.outcomes())
        _audit_result(tracker, result)
        dispatcher.utter_message(text=render_result(result))
        dispatcher.utter_message(text=OFFER, buttons=OFFER_BUTTONS)
        return [SlotSet("pc_result", summary_of(result, answers.town_in_county)), SlotSet("pc_reask", None)]


def _audit_result(tracker: Tracker, result) -> None:
    """The audit entry of a shown pre-check result: overall outcome, reason, criteria, rule and data versions."""
    outcomes = "，".join(f"{key}={value}" for key, value in result.outcomes().items())
    record(
        tracker.sender_id,
        "precheck_result",
        intent=((tracker.latest_message or {}).get("intent") or {}).get("name"),
        topic=AUDIT_TOPIC,
        detail=(
            f"{render_summary(result)}；{result.reason}；{outcomes}；"
            f"rules={result.rules_version}；data={result.data_version}"
        ),
    )


class ActionPrecheckSave(Action):
    """Saves the result the resident just saw (they pressed "同意保存") and gives the reference number."""

    def name(self) -> str:
        return "action_precheck_save"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        summary = tracker.get_slot("pc_result")
        if not summary:
            dispatcher.utter_message(text="目前没有可以保存的预检结果。想做预检，说“预审”就可以。")
            return []
        answers = {key: tracker.get_slot(slot_name(key)) for key in QUESTION_ORDER}
        try:
            reference = save_result(
                sender_id=tracker.sender_id, answers=answers, summary=summary, today=local_today()
            )
        except ServiceUnavailable:
            logger.warning("precheck: saving failed, database unavailable")
            dispatcher.utter_message(
                text="抱歉，系统繁忙，这次没有保存成功。您可以稍后再点“同意保存”，或者直接去乡镇（街道）办理。",
                buttons=[OFFER_BUTTONS[0]],
            )
            return []
        # the reference number (the key to the saved answers) stays out of the audit entry; the saved record
        # names the sender
        record(tracker.sender_id, "precheck_saved", intent="affirm", topic=AUDIT_TOPIC,
               detail=f"结果已保存（{summary.get('overall')}）")  # fmt: skip
        town = summary.get("town")
        where = town or "乡镇（街道）"
        dispatcher.utter_message(
            text=(
                f"已保存。您的参考编号是：{reference}\n"
                f"去{where}办理时把这个编号告诉工作人员，他们可以看到您这次预检的回答和结果。"
                f"保存{get_settings().retention_days}天后自动删除。"
            ),
            buttons=[OFFER_BUTTONS[1]],
        )
        return [*_reset(), SlotSet("pc_reference", reference)]


class ActionPrecheckDecline(Action):
    def name(self) -> str:
        return "action_precheck_decline"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        dispatcher.utter_message(text="好的，不保存。需要时可以随时再做一次预检，或者直接问我政策问题。")
        return _reset()


def result_note(summary: Any) -> str:
    """'（急难型，可能符合）' from the stored result summary, for the ticket topic staff read first."""
    if not isinstance(summary, dict):
        return ""
    try:
        overall = Overall(summary.get("overall")).label
    except ValueError:
        return ""
    try:
        category = Category(summary.get("category")).label + "，"
    except ValueError:
        category = ""
    return f"（{category}{overall}）"


def _saved_note(reference: str) -> str:
    """The outcome of a saved pre-check for the ticket topic ('' when it cannot be read)."""
    try:
        saved = find_by_reference(reference)
    except AssistantError:
        return ""
    if saved is None:
        return ""
    return result_note({"overall": saved.overall, "category": saved.category})


class ActionPrecheckCallback(Action):
    """ "请工作人员联系我" after a result (or after saving it): hands over to the handoff request form with the
    topic filled in, so the resident is asked only for a phone number and a time. The ticket summary carries the
    pre-check answers and result (``pc_*`` slots) or, once saved, the reference number."""

    def name(self) -> str:
        return "action_precheck_callback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        reference = tracker.get_slot("pc_reference")
        summary = tracker.get_slot("pc_result")
        if summary:  # the result was just shown (not saved: the answers are still here)
            text, topic = CALLBACK_WITH_RESULT, CALLBACK_TOPIC + result_note(summary)
        elif reference:  # saved: the answers were cleared, the reference number finds them
            text = CALLBACK_WITH_REFERENCE.format(reference=reference)
            topic = f"{CALLBACK_TOPIC}{_saved_note(reference)}（预检参考编号 {reference}）"
        else:
            text, topic = CALLBACK_PLAIN, CALLBACK_TOPIC
        dispatcher.utter_message(text=text)
        return [SlotSet("handoff_topic", topic), FollowupAction(HANDOFF_FORM)]
