"""Visit actions (issue 17): thin wrappers around ``bot.visits`` (form interpretation, service, report).

- ``action_visit_start``: "登记探访" or ``/visit [case number | name]``. Staff with towns only (``bot.staff_access``,
  private chats); starts a fresh form, or resumes a draft left by a cancel.
- ``validate_visit_form``: each answer through ``bot.visits.form.interpret`` (ratings, corrections, cancel,
  restart); the person through ``bot.visits.service.find_person`` within the staff member's towns. A photo
  arrives as ``/inform`` with metadata ``{"command": "photo", "args": "<file reference>"}``.
- ``action_visit_submit``: saves a confirmed visit with its audit entry, or says the draft is kept.
- ``action_visits_command``: ``/visits`` (due and overdue list), ``/visits 历史 X``, ``/visits 标记``,
  ``/visits 报表`` (the county chart as an image).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.staff_forms import (
    DB_ERRORS,
    AskAction,
    StaffFormValidation,
    allowed_member,
    buttons,
    form_command,
    refusal,
    send_chart,
    step_validator,
)
from bot import clock
from bot.db.session import session_scope
from bot.errors import InputError
from bot.staff_access import StaffMember, staff_member
from bot.visits import form, report, service, texts
from bot.visits.rules import ITEM_KEYS, ITEM_LABELS, is_low

logger = logging.getLogger(__name__)

FORM = "visit_form"
STATE = "visit_state"
REASK = "visit_reask"
REFUSED, PAUSED = "refused", "paused"
ALL_SLOTS = (*form.STEP_SLOTS, STATE, REASK)


def _reset() -> list[dict[str, Any]]:
    return [SlotSet(s, None) for s in ALL_SLOTS]


def _member(sender_id: str) -> StaffMember | None:
    with session_scope() as session:
        return staff_member(session, sender_id)


VISITOR_ROLES = ("caseworker", "admin")  # township caseworkers record visits; hotline staff only see the lists


def _refusal(member: StaffMember | None) -> str | None:
    return refusal(member, VISITOR_ROLES, texts)


def _allowed(session, sender_id: str, dispatcher: CollectingDispatcher) -> StaffMember | None:
    return allowed_member(session, sender_id, dispatcher, VISITOR_ROLES, texts)


class ActionVisitStart(Action):
    def name(self) -> str:
        return "action_visit_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        try:
            member = _member(tracker.sender_id)
        except DB_ERRORS:
            logger.warning("visit start: database unavailable")
            dispatcher.utter_message(text=texts.SAVE_FAILED)
            return [*_reset(), SlotSet(STATE, REFUSED)]
        refusal = _refusal(member)
        if refusal is not None:
            logger.info("visit start refused: not staff with towns")
            dispatcher.utter_message(text=refusal)
            return [*_reset(), SlotSet(STATE, REFUSED)]
        text = form.clean((tracker.latest_message or {}).get("text") or "")
        _, args = form_command(tracker)
        draft = tracker.get_slot(form.slot_name(form.PERSON))
        # a new person named with /visit, or "重新登记探访", starts over; otherwise a cancelled draft is resumed
        restart = "重新" in text or "重新" in args or "从头" in text or bool(args)
        if draft and tracker.get_slot(STATE) == PAUSED and not restart:
            done = form.answered(tracker.current_slot_values())
            dispatcher.utter_message(
                text=texts.RESUMED.format(person=form.describe(form.PERSON, draft), done=done)
            )
            return [SlotSet(STATE, None), SlotSet(REASK, None)]
        dispatcher.utter_message(text=texts.RESTARTED if restart and draft else texts.INTRO)
        events = _reset()
        if args and "重新" not in args:
            assert member is not None
            try:
                with session_scope() as session:
                    match = service.find_person(session, member, args)
            except DB_ERRORS:
                logger.warning("visit start: person not looked up, database unavailable")
                match = service.PersonMatch()
            if match.found is not None:
                dispatcher.utter_message(text=texts.PERSON_CHOSEN.format(label=match.found.label))
                events.append(SlotSet(form.slot_name(form.PERSON), _person_value(match.found)))
            elif match.message:
                dispatcher.utter_message(text=match.message, buttons=_choice_buttons(match))
        return events


def _person_value(ref: service.RecipientRef) -> dict[str, Any]:
    return {"id": ref.id, "label": ref.label, "case_no": ref.case_no}


def _choice_buttons(match: service.PersonMatch) -> list[dict[str, str]]:
    return [{"title": c.label, "payload": c.case_no} for c in match.choices[:8]]


# --- questions --------------------------------------------------------------------------------------------
class ActionAskVisitPerson(AskAction):
    action_name = "action_ask_visit_person"
    text = texts.ASK_PERSON


class AskVisitItem(Action):
    """One checklist item with the rating buttons (one subclass per item)."""

    key = ""

    def name(self) -> str:
        return f"action_ask_visit_{self.key}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        n = ITEM_KEYS.index(self.key) + 1
        text = texts.ASK_ITEM.format(n=n, total=len(ITEM_KEYS), label=ITEM_LABELS[self.key])
        titles = list(texts.RATING_BUTTONS)
        if self.key == "care":
            titles.append(texts.NOT_APPLICABLE)
            person = tracker.get_slot(form.slot_name(form.PERSON))
            if isinstance(person, dict) and person.get("id"):
                try:
                    with session_scope() as session:
                        agreement = service.current_agreement(session, int(person["id"]), clock.today())
                        text += texts.ASK_ITEM_CARE_HINT.format(caregiver=service.caregiver_label(agreement))
                except DB_ERRORS:
                    logger.warning("visit form: caregiver not shown, database unavailable")
        dispatcher.utter_message(text=text, buttons=buttons(titles))
        return []


class AskVisitEnvironment(AskVisitItem):
    key = "environment"


class AskVisitHygiene(AskVisitItem):
    key = "hygiene"


class AskVisitDaily(AskVisitItem):
    key = "daily"


class AskVisitHealth(AskVisitItem):
    key = "health"


class AskVisitCare(AskVisitItem):
    key = "care"


class ActionAskVisitNotes(AskAction):
    action_name = "action_ask_visit_notes"
    text = texts.ASK_NOTES
    button_titles = (texts.NO_NOTES,)


class ActionAskVisitPhoto(AskAction):
    action_name = "action_ask_visit_photo"
    text = texts.ASK_PHOTO
    button_titles = (texts.NO_PHOTO,)


class ActionAskVisitConfirm(Action):
    def name(self) -> str:
        return "action_ask_visit_confirm"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        summary = form.summary(tracker.current_slot_values(), clock.today())
        dispatcher.utter_message(
            text=f"{texts.ASK_CONFIRM}\n{summary}", buttons=buttons([texts.CONFIRM, texts.CANCEL])
        )
        return []


# --- validation -------------------------------------------------------------------------------------------
class ValidateVisitForm(StaffFormValidation):
    state_slot = STATE
    stop_states = (REFUSED, PAUSED)
    step_slots = tuple(form.STEP_SLOTS)

    def name(self) -> str:
        return "validate_visit_form"

    def _validate(self, step: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        slot = form.slot_name(step)
        asked = self.asked(tracker, slot)
        if asked is None:  # a value kept from before (a resumed draft, /visit <person>) stays as it is
            return {slot: tracker.get_slot(slot)}
        text, intent = asked
        command, args = form_command(tracker)
        photo = args[:256] if command == "photo" and args else None
        result = form.interpret(
            step, text, intent=intent, photo=photo, slots=tracker.current_slot_values(), today=clock.today()
        )
        logger.info("visit form %s: %s", step, result.kind.value)
        if result.kind is form.Kind.CANCEL:
            return {slot: None, STATE: PAUSED}
        if result.kind is form.Kind.RESTART:
            dispatcher.utter_message(text=result.message)
            return {s: None for s in (*form.STEP_SLOTS, REASK)}
        if result.kind is form.Kind.CORRECTION and result.step == form.DATE:
            dispatcher.utter_message(text=result.message)
            person = dict(tracker.get_slot(form.slot_name(form.PERSON)) or {})
            return {slot: None, form.slot_name(form.PERSON): {**person, "date": result.value}}
        if result.kind is form.Kind.CORRECTION:
            dispatcher.utter_message(text=result.message)
            return {slot: None, form.slot_name(result.step): result.value}
        if result.kind in (form.Kind.NOTE, form.Kind.UNCLEAR):
            dispatcher.utter_message(text=result.message)
            return {slot: None}
        if step == form.PERSON:
            return self._person(str(result.value), dispatcher, tracker)
        if step == form.PHOTO and result.value:
            dispatcher.utter_message(text=texts.PHOTO_SAVED)
        if step in ITEM_KEYS and form.clean(text) not in (*texts.RATING_BUTTONS, texts.NOT_APPLICABLE):
            # typed words ("还行吧", "4分"): say how they were read; a pressed button needs no echo
            value = form.describe(step, result.value)
            dispatcher.utter_message(text=texts.RATING_NOTED.format(label=ITEM_LABELS[step], value=value))
        return {slot: result.value}

    def _person(self, query: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        slot = form.slot_name(form.PERSON)
        try:
            with session_scope() as session:
                member = _allowed(session, tracker.sender_id, dispatcher)
                if member is None:
                    return {slot: None, STATE: REFUSED}
                match = service.find_person(session, member, query)
        except DB_ERRORS:
            logger.warning("visit form: person not looked up, database unavailable")
            dispatcher.utter_message(text=texts.SAVE_FAILED)
            return {slot: None, STATE: PAUSED}
        if match.found is None:
            dispatcher.utter_message(text=match.message, buttons=_choice_buttons(match))
            return {slot: None}
        dispatcher.utter_message(text=texts.PERSON_CHOSEN.format(label=match.found.label))
        return {slot: _person_value(match.found)}

    validate_visit_person = step_validator(form.PERSON)
    validate_visit_environment = step_validator("environment")
    validate_visit_hygiene = step_validator("hygiene")
    validate_visit_daily = step_validator("daily")
    validate_visit_health = step_validator("health")
    validate_visit_care = step_validator("care")
    validate_visit_notes = step_validator(form.NOTES)
    validate_visit_photo = step_validator(form.PHOTO)
    validate_visit_confirm = step_validator(form.CONFIRM)


# --- saving -----------------------------------------------------------------------------------------------
class ActionVisitSubmit(Action):
    def name(self) -> str:
        return "action_visit_submit"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        state = tracker.get_slot(STATE)
        slots = tracker.current_slot_values()
        if state == REFUSED:
            return _reset()
        if state == PAUSED or slots.get(form.slot_name(form.CONFIRM)) is not True:
            if form.answered(slots):
                dispatcher.utter_message(text=texts.PAUSED)
                return [SlotSet(STATE, PAUSED), SlotSet(form.slot_name(form.CONFIRM), None)]
            dispatcher.utter_message(text=texts.NOTHING_TO_RESUME)
            return _reset()
        person = slots.get(form.slot_name(form.PERSON)) or {}
        notes = slots.get(form.slot_name(form.NOTES)) or None
        photos = slots.get(form.slot_name(form.PHOTO)) or []
        try:
            params = service.visit_params()
            with session_scope() as session:
                member = _allowed(session, tracker.sender_id, dispatcher)
                if member is None:
                    return _reset()
                visit = service.save_visit(
                    session,
                    member=member,
                    sender_id=tracker.sender_id,
                    recipient_id=int(person["id"]),
                    visited_on=form.visit_date(slots, clock.today()),
                    ratings=form.ratings_of(slots),
                    notes=notes,
                    photos=photos,
                    params=params,
                )
                visit_id, visited_on, score = visit.id, visit.visited_on, visit.score
        except InputError as exc:
            dispatcher.utter_message(text=exc.reason)
            return _reset()
        except (*DB_ERRORS, KeyError, TypeError, ValueError):
            logger.warning("visit not saved", exc_info=True)
            dispatcher.utter_message(text=texts.SAVE_FAILED)
            return [SlotSet(STATE, PAUSED), SlotSet(form.slot_name(form.CONFIRM), None)]
        dispatcher.utter_message(
            text=texts.SAVED.format(
                person=person.get("label"),
                date=visited_on,
                score=score if score is not None else "无",
                visit_id=visit_id,
            )
        )
        if is_low(score, params):
            dispatcher.utter_message(text=texts.SAVED_LOW.format(threshold=params.low_score_threshold))
        return _reset()


# --- /visits ----------------------------------------------------------------------------------------------
HISTORY_WORDS = ("历史", "记录", "history")
FLAG_WORDS = ("标记", "flags", "flag")
REPORT_WORDS = ("报表", "报告", "图表", "report")


class ActionVisitsCommand(Action):
    def name(self) -> str:
        return "action_visits_command"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        _, args = form_command(tracker)
        head, _, rest = args.partition(" ")
        try:
            with session_scope() as session:
                member = staff_member(session, tracker.sender_id)
                if member is None:
                    dispatcher.utter_message(text=texts.NOT_STAFF_VISITS)
                    return []
                towns = service.member_towns(member)
                if towns == []:
                    dispatcher.utter_message(text=texts.NO_TOWNS_FOR_LISTS)
                    return []
                params = service.visit_params()
                today = clock.today()
                if head.lower() in HISTORY_WORDS:
                    self._history(session, member, rest.strip(), today, dispatcher)
                elif head.lower() in FLAG_WORDS:
                    dispatcher.utter_message(text=service.flags_text(service.flagged(session, towns)))
                elif head.lower() in REPORT_WORDS:
                    self._report(session, today, params, dispatcher)
                elif head in ("帮助", "help", "?"):
                    dispatcher.utter_message(text=texts.VISITS_HELP)
                elif head:
                    self._history(session, member, args, today, dispatcher)
                else:
                    items = service.due_list(session, towns, today, params)
                    dispatcher.utter_message(text=service.due_text(items, verified=params.verified))
                    dispatcher.utter_message(text=texts.VISITS_HELP)
        except DB_ERRORS:
            logger.warning("/visits: database unavailable")
            dispatcher.utter_message(text="抱歉，系统繁忙，暂时查不到探访数据，请稍后再试。")
        return []

    @staticmethod
    def _history(session, member: StaffMember, query: str, today, dispatcher: CollectingDispatcher) -> None:
        if not query:
            dispatcher.utter_message(text=texts.VISITS_HELP)
            return
        match = service.find_person(session, member, query)
        ref = match.found
        if ref is None and match.choices:
            ref = match.choices[0] if len(match.choices) == 1 else None
        if ref is None:
            dispatcher.utter_message(text=match.message)
            return
        dispatcher.utter_message(text=service.history_text(session, ref, today))

    @staticmethod
    def _report(session, today, params, dispatcher: CollectingDispatcher) -> None:
        rows = report.county_report(session, today, params)
        if not any(r.recipients for r in rows):
            dispatcher.utter_message(text=texts.REPORT_EMPTY)
            return
        # charts already sent are kept one day, then removed
        png, caption = report.chart_png(rows), report.chart_caption(rows, today)
        send_chart(dispatcher, "visits", today, png, caption, prune=True)
