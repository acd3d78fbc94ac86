"""Monitoring actions (issue 18): thin wrappers around ``bot.monitoring`` (form interpretation, service, report).

- ``action_check_start``: "核查结果" or ``/check [task number | name]``. Staff with towns only
  (``bot.staff_access``, private chats); starts the result form.
- ``validate_check_form``: each answer through ``bot.monitoring.form.interpret``; the task through
  ``bot.monitoring.service.find_task`` within the staff member's towns.
- ``action_check_submit``: saves a confirmed result with its audit entry, or says nothing was saved.
- ``action_tasks_command``: ``/tasks`` (my open and overdue tasks), ``/tasks 报表 [2024-06]`` (a month's chart as an
  image, this month by default), ``/tasks 三类人群 [month]`` (the summary in the shape of the county report's 六是 paragraph).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cases import command_of
from actions.core import TextFormValidation
from actions.staff_forms import (
    DB_ERRORS,
    AskAction,
    StaffFormValidation,
    allowed_member,
    buttons,
    send_chart,
    step_validator,
)
from bot import clock
from bot.db.models import MonitoringTask
from bot.db.session import session_scope
from bot.errors import InputError
from bot.monitoring import form, report, service, texts
from bot.monitoring.rules import month_of, parse_month
from bot.privacy import mask_text as mask
from bot.staff_access import StaffMember, staff_member

logger = logging.getLogger(__name__)

STATE = "check_state"
REFUSED, CANCELLED = "refused", "cancelled"
ALL_SLOTS = (*form.STEP_SLOTS, STATE)


def _reset() -> list[dict[str, Any]]:
    return [SlotSet(s, None) for s in ALL_SLOTS]


def _allowed(session, sender_id: str, dispatcher: CollectingDispatcher) -> StaffMember | None:
    return allowed_member(session, sender_id, dispatcher, service.CHECKER_ROLES, texts)


def _task_value(ref: service.TaskRef) -> dict[str, Any]:
    return {"id": ref.id, "label": ref.label}


def _choice_buttons(match: service.TaskMatch) -> list[dict[str, str]]:
    return [{"title": c.label, "payload": str(c.id)} for c in match.choices[:8]]


def _chosen(session, ref: service.TaskRef) -> str:
    """'核查任务：…' and, when the task has a result already, that a new one corrects it."""
    text = texts.TASK_CHOSEN.format(label=ref.label)
    if ref.outcome is not None:
        task = session.get(MonitoringTask, ref.id)
        before = service.stored_result(task) if task is not None else None
        if before is not None:
            text += "\n" + texts.TASK_ALREADY.format(result=before.describe())
    return text


class ActionCheckStart(Action):
    def name(self) -> str:
        return "action_check_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        _, args = command_of(tracker)
        try:
            with session_scope() as session:
                member = _allowed(session, tracker.sender_id, dispatcher)
                if member is None:
                    logger.info("check start refused: not staff with towns")
                    return [*_reset(), SlotSet(STATE, REFUSED)]
                dispatcher.utter_message(text=texts.INTRO)
                events = _reset()
                if args:
                    match = service.find_task(session, member, args)
                    if match.found is not None:
                        if match.found.closed:
                            dispatcher.utter_message(
                                text=texts.TASK_CLOSED_MONTH.format(
                                    task_id=match.found.id, month=match.found.month
                                )
                            )
                        else:
                            dispatcher.utter_message(text=mask(_chosen(session, match.found)))
                            events.append(SlotSet(form.slot_name(form.TASK), _task_value(match.found)))
                    else:
                        dispatcher.utter_message(text=match.message, buttons=_choice_buttons(match))
                return events
        except DB_ERRORS:
            logger.warning("check start: database unavailable")
            dispatcher.utter_message(text=texts.SAVE_FAILED)
            return [*_reset(), SlotSet(STATE, REFUSED)]


# --- questions --------------------------------------------------------------------------------------------
class ActionAskCheckTask(AskAction):
    action_name = "action_ask_check_task"
    text = texts.ASK_TASK


class ActionAskCheckOutcome(AskAction):
    action_name = "action_ask_check_outcome"
    text = texts.ASK_OUTCOME
    button_titles = tuple(texts.OUTCOME_BUTTONS)


class ActionAskCheckDetail(Action):
    def name(self) -> str:
        return "action_ask_check_detail"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        dispatcher.utter_message(text=form.detail_question(tracker.get_slot(form.slot_name(form.OUTCOME))))
        return []


class ActionAskCheckConfirm(Action):
    def name(self) -> str:
        return "action_ask_check_confirm"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        summary = form.summary(tracker.current_slot_values())
        dispatcher.utter_message(
            text=f"{texts.ASK_CONFIRM}\n{summary}", buttons=buttons([texts.CONFIRM, texts.CANCEL])
        )
        return []


# --- validation -------------------------------------------------------------------------------------------
class ValidateCheckForm(TextFormValidation, StaffFormValidation):
    state_slot = STATE
    stop_states = (REFUSED, CANCELLED)
    step_slots = tuple(form.STEP_SLOTS)  # a new outcome empties the detail

    def name(self) -> str:
        return "validate_check_form"

    def _validate(self, step: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        slot = form.slot_name(step)
        asked = self.asked(tracker, slot)
        if asked is None:  # a value kept from before (/check <task>) stays as it is
            return {slot: tracker.get_slot(slot)}
        text, intent = asked
        result = form.interpret(step, text, intent=intent, slots=tracker.current_slot_values())
        logger.info("check form %s: %s", step, result.kind.value)
        if result.kind is form.Kind.CANCEL:
            return {slot: None, STATE: CANCELLED}
        if result.kind is form.Kind.UNCLEAR:
            dispatcher.utter_message(text=result.message)
            return {slot: None}
        if result.kind is form.Kind.OUTCOME_CHANGED:
            return {
                slot: None,
                form.slot_name(form.OUTCOME): result.value,
                form.slot_name(form.DETAIL): None,
                form.slot_name(form.CONFIRM): None,
            }
        if step == form.TASK:
            return self._task(str(result.value), dispatcher, tracker)
        return {slot: result.value}

    def _task(self, query: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        slot = form.slot_name(form.TASK)
        try:
            with session_scope() as session:
                member = _allowed(session, tracker.sender_id, dispatcher)
                if member is None:
                    return {slot: None, STATE: REFUSED}
                match = service.find_task(session, member, query)
                if match.found is None:
                    dispatcher.utter_message(text=match.message, buttons=_choice_buttons(match))
                    return {slot: None}
                if match.found.closed:
                    dispatcher.utter_message(
                        text=texts.TASK_CLOSED_MONTH.format(task_id=match.found.id, month=match.found.month)
                    )
                    return {slot: None}
                dispatcher.utter_message(text=mask(_chosen(session, match.found)))
                return {slot: _task_value(match.found)}
        except DB_ERRORS:
            logger.warning("check form: task not looked up, database unavailable")
            dispatcher.utter_message(text=texts.SAVE_FAILED)
            return {slot: None, STATE: CANCELLED}

    validate_check_task = step_validator(form.TASK)
    validate_check_outcome = step_validator(form.OUTCOME)
    validate_check_detail = step_validator(form.DETAIL)
    validate_check_confirm = step_validator(form.CONFIRM)


# --- saving -----------------------------------------------------------------------------------------------
class ActionCheckSubmit(Action):
    def name(self) -> str:
        return "action_check_submit"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        state = tracker.get_slot(STATE)
        slots = tracker.current_slot_values()
        if state == REFUSED:
            return _reset()
        task = slots.get(form.slot_name(form.TASK)) or {}
        result = form.result_of(slots)
        if state == CANCELLED or slots.get(form.slot_name(form.CONFIRM)) is not True or result is None:
            dispatcher.utter_message(text=texts.CANCELLED)
            return _reset()
        try:
            with session_scope() as session:
                member = _allowed(session, tracker.sender_id, dispatcher)
                if member is None:
                    return _reset()
                saved = service.record_result(
                    session,
                    member=member,
                    sender_id=tracker.sender_id,
                    task_id=int(task["id"]),
                    result=result,
                    today=clock.today(),
                )
                task_id = saved.id
        except InputError as exc:
            dispatcher.utter_message(text=exc.reason)
            return _reset()
        except (*DB_ERRORS, KeyError, TypeError, ValueError):
            logger.warning("check result not saved", exc_info=True)
            dispatcher.utter_message(text=texts.SAVE_FAILED)
            return _reset()
        dispatcher.utter_message(
            text=mask(texts.SAVED.format(task_id=task_id, label=task.get("label"), result=result.describe()))
        )
        return _reset()


# --- /tasks -----------------------------------------------------------------------------------------------
REPORT_WORDS = ("报表", "报告", "图表", "report")
GROUP_WORDS = ("三类人群", "三类", "groups")


def _month(text: str, today) -> str:
    """The month named after the command word ("/tasks 报表 2024-06"), else this month."""
    try:
        return parse_month(text) if text.strip() else month_of(today)
    except InputError:
        return month_of(today)


class ActionTasksCommand(Action):
    def name(self) -> str:
        return "action_tasks_command"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        _, args = command_of(tracker)
        head, _, rest = args.partition(" ")
        head = head.lower()
        try:
            with session_scope() as session:
                member = staff_member(session, tracker.sender_id)
                if member is None:
                    dispatcher.utter_message(text=texts.NOT_STAFF_TASKS)
                    return []
                towns = service.member_towns(member)
                today = clock.today()
                if head in REPORT_WORDS:
                    self._report(session, towns, _month(rest, today), today, dispatcher)
                elif head in GROUP_WORDS:
                    month = _month(rest, today)
                    summary = report.group_summary(session, month, towns=towns)
                    dispatcher.utter_message(text=report.summary_text(summary, month))
                else:
                    params = service.monitoring_params()
                    items = service.open_tasks(session, towns, today)
                    dispatcher.utter_message(text=service.tasks_text(items, verified=params.verified))
                    dispatcher.utter_message(text=texts.TASKS_HELP)
        except DB_ERRORS:
            logger.warning("/tasks: database unavailable")
            dispatcher.utter_message(text=texts.DB_BUSY)
        return []

    @staticmethod
    def _report(session, towns, month: str, today, dispatcher: CollectingDispatcher) -> None:
        rows = report.monthly_report(session, month, today, towns=towns)
        if not any(r.warned for r in rows):
            dispatcher.utter_message(text=texts.REPORT_EMPTY.format(month=month))
            return
        png, caption = report.chart_png(rows), report.chart_caption(rows, month, today)
        send_chart(dispatcher, "monitoring", today, png, caption)
