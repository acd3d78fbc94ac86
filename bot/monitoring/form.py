"""The result form's steps and what a message means while it is open: plain functions (no Rasa, no database).

Steps, in order: the task (its number or the household head's name), the outcome (纳入 / 不纳入 / 转其他部门),
the detail (纳入: the programme and the case number once there is one; 不纳入: the reasons under the five
headings; 转其他部门: the department), confirmation. A message is an answer to the open step, a new outcome
(at the detail or confirmation step: "改为不纳入"), cancel ("取消": nothing is saved), or unclear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.conversation.form_words import clean, is_cancel, is_confirm
from bot.errors import InputError
from bot.monitoring import texts
from bot.monitoring.rules import Outcome, parse_outcome, parse_reasons
from bot.monitoring.service import Result, check_result
from bot.parsing.case_numbers import find_case_numbers
from bot.parsing.programmes import match_programme
from bot.privacy import mask_text

TASK = "task"
OUTCOME = "outcome"
DETAIL = "detail"
CONFIRM = "confirm"
STEPS: tuple[str, ...] = (TASK, OUTCOME, DETAIL, CONFIRM)
SLOT_PREFIX = "check_"
MAX_TEXT = 1200


def slot_name(step: str) -> str:
    return SLOT_PREFIX + step


STEP_SLOTS = tuple(slot_name(s) for s in STEPS)


class Kind(str, Enum):
    ANSWER = "answer"
    OUTCOME_CHANGED = "outcome_changed"  # a new outcome: the detail is asked again
    CANCEL = "cancel"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Interpretation:
    kind: Kind
    step: str
    value: Any = None
    message: str = ""


_REFER_PREFIXES = ("转交给", "转交", "转给", "移交给", "移交", "转到", "转")


def _outcome_only(t: str) -> Outcome | None:
    """An outcome said on its own or as a change ("不纳入", "改为纳入"), not inside a longer answer."""
    stripped = t.removeprefix("改为").removeprefix("改成").removeprefix("应该是").strip("。！!,， ")
    if stripped in (texts.INCLUDE, texts.EXCLUDE, texts.REFER, "不予纳入", "未纳入"):
        return parse_outcome(stripped)
    return None


def read_detail(outcome: Outcome, text: str) -> Result:
    """The detail of ``outcome`` from the message; ``InputError`` with what is missing."""
    if outcome is Outcome.INCLUDED:
        programme = match_programme(text)
        numbers = find_case_numbers(text, valid_only=False)
        return check_result(Result(outcome, programme, numbers[0].value if numbers else None))
    if outcome is Outcome.NOT_INCLUDED:
        return check_result(Result(outcome, reasons=tuple(parse_reasons(text))))
    department = text
    for prefix in _REFER_PREFIXES:
        if department.startswith(prefix):
            department = department[len(prefix) :]
            break
    return check_result(Result(outcome, department=department.strip("。！!,， ")))


def interpret(step: str, text: str, *, intent: str | None = None, slots: Mapping[str, Any]) -> Interpretation:
    """What ``text`` means while ``step`` is asked."""
    t = clean(text)
    if is_cancel(t) or (intent == "cancel" and t.startswith("/")):
        return Interpretation(Kind.CANCEL, step)
    if not t:
        return Interpretation(Kind.UNCLEAR, step, None, _ask(step, slots))
    if len(t) > MAX_TEXT:
        return Interpretation(Kind.UNCLEAR, step, None, f"内容太长了（超过 {MAX_TEXT} 字），请简要一些。")
    if step == TASK:
        return Interpretation(Kind.ANSWER, step, t[:64])
    if step == OUTCOME:
        outcome = parse_outcome(t)
        if outcome is None:
            return Interpretation(Kind.UNCLEAR, step, None, texts.UNCLEAR_OUTCOME)
        return Interpretation(Kind.ANSWER, step, outcome.value)
    changed = _outcome_only(t)
    if changed is not None and (step == CONFIRM or changed.value != slots.get(slot_name(OUTCOME))):
        return Interpretation(Kind.OUTCOME_CHANGED, step, changed.value)
    if step == DETAIL:
        try:
            outcome = Outcome(str(slots.get(slot_name(OUTCOME))))
        except ValueError:
            return Interpretation(Kind.UNCLEAR, step, None, texts.UNCLEAR_OUTCOME)
        try:  # the staff member's own punctuation is kept (NFKC would turn "，" into ",")
            result = read_detail(outcome, (text or "").strip())
        except InputError as exc:
            return Interpretation(Kind.UNCLEAR, step, None, exc.reason)
        return Interpretation(Kind.ANSWER, step, result.as_json())
    if step == CONFIRM:
        if is_confirm(t) or (intent == "affirm" and len(t) <= 6):
            return Interpretation(Kind.ANSWER, step, True)
        return Interpretation(Kind.UNCLEAR, step, None, texts.UNCLEAR_CONFIRM)
    raise ValueError(f"unknown step {step!r}")


def detail_question(outcome: str | None) -> str:
    return {
        Outcome.INCLUDED.value: texts.ASK_INCLUDE,
        Outcome.NOT_INCLUDED.value: texts.ASK_EXCLUDE,
        Outcome.REFERRED.value: texts.ASK_REFER,
    }.get(outcome or "", texts.ASK_OUTCOME)


def _ask(step: str, slots: Mapping[str, Any]) -> str:
    if step == TASK:
        return texts.ASK_TASK
    if step == OUTCOME:
        return texts.UNCLEAR_OUTCOME
    if step == DETAIL:
        return detail_question(slots.get(slot_name(OUTCOME)))
    return texts.UNCLEAR_CONFIRM


def result_of(slots: Mapping[str, Any]) -> Result | None:
    detail = slots.get(slot_name(DETAIL))
    if not isinstance(detail, dict):
        return None
    try:
        return Result.from_json(detail)
    except (KeyError, ValueError):
        return None


def summary(slots: Mapping[str, Any]) -> str:
    task = slots.get(slot_name(TASK)) or {}
    result = result_of(slots)
    label = task.get("label") if isinstance(task, dict) else None
    return mask_text(f"{label or '（未选任务）'}\n核查结论：{result.describe() if result else '（未填）'}")
