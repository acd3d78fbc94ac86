"""Monitoring tasks in the database: lists within a caseworker's towns, finding a task, recording the result
(audited; corrections until the month is closed), closing a month and the daily overdue reminders. Retention:
``bot.audit.purge`` deletes the warnings of months closed long ago.

Warned households did not apply: names and ID numbers are masked in every text made here (``bot.privacy``),
and a staff member sees only the tasks of their towns (admins: every town).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.audit.log import add_entry
from bot.cases.workdays import get_calendar
from bot.db.base import utcnow
from bot.db.models import Case, MonitoringMonth, MonitoringTask, MonitoringWarning, Staff
from bot.errors import InputError
from bot.monitoring import texts
from bot.monitoring.rules import (
    HEADING_KEYS,
    MonitoringParams,
    Outcome,
    Reason,
    reasons_from_json,
    reasons_text,
)
from bot.notifications.staff import queue_for_staff
from bot.parsing.case_numbers import normalize_case_no, programme_of
from bot.policy.parameters import load_parameters
from bot.privacy import mask_name
from bot.programmes import case_programmes
from bot.staff_access import StaffMember

AUDIT_TOPIC = "监测预警核查"
CHECKER_ROLES = ("caseworker", "admin")  # township caseworkers record results; hotline staff see the lists
CONSOLE = "cli"  # the sender id of the command line: an administrator at the server, named by --by
MAX_DEPARTMENT = 64


def monitoring_params() -> MonitoringParams:
    return MonitoringParams.from_county(load_parameters())


def member_towns(member: StaffMember) -> list[str] | None:
    """The towns a staff member works for (None: every town)."""
    return None if member.all_towns else list(member.towns)


# --- tasks ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskRef:
    id: int
    month: str
    town: str
    village: str | None
    head_name: str  # plain: never put into a text without mask_name
    id_masked: str
    group: str
    kind: str
    warned_on: date
    due_on: date
    outcome: str | None
    closed: bool

    @property
    def label(self) -> str:
        return f"任务{self.id}：{mask_name(self.head_name)}（{self.town}{self.village or ''}，{self.group}，{self.kind}）"


def _task_query() -> Select:
    return (
        select(
            MonitoringTask.id,
            MonitoringTask.month,
            MonitoringTask.town,
            MonitoringWarning.village,
            MonitoringWarning.head_name,
            MonitoringWarning.id_masked,
            MonitoringWarning.group,
            MonitoringWarning.kind,
            MonitoringWarning.warned_on,
            MonitoringTask.due_on,
            MonitoringTask.outcome,
            MonitoringMonth.closed_at.is_not(None),
        )
        .join(MonitoringWarning, MonitoringTask.warning_id == MonitoringWarning.id)
        .join(MonitoringMonth, MonitoringMonth.month == MonitoringTask.month)
    )


def _towns_filter(query: Select, towns: Sequence[str] | None) -> Select:
    return query if towns is None else query.where(MonitoringTask.town.in_(list(towns)))


def task_ref(session: Session, task_id: int) -> TaskRef | None:
    row = session.execute(_task_query().where(MonitoringTask.id == task_id)).first()
    return TaskRef(*row) if row else None


@dataclass(frozen=True)
class TaskItem:
    ref: TaskRef
    overdue_days: int  # working days past the deadline (0: not overdue)


def open_tasks(session: Session, towns: Sequence[str] | None, today: date) -> list[TaskItem]:
    """Tasks without a result in open months, in ``towns`` (None: all), the earliest deadline first."""
    query = _towns_filter(
        _task_query().where(MonitoringTask.outcome.is_(None), MonitoringMonth.closed_at.is_(None)), towns
    ).order_by(MonitoringTask.due_on, MonitoringTask.id)
    cal = get_calendar()
    late: dict[date, int] = {}
    items = []
    for row in session.execute(query):
        ref = TaskRef(*row)
        if ref.due_on not in late:
            late[ref.due_on] = (
                max(0, cal.working_days_between(ref.due_on, today)) if ref.due_on < today else 0
            )
        items.append(TaskItem(ref, late[ref.due_on]))
    return items


def tasks_text(items: Sequence[TaskItem], *, limit: int = 20, verified: bool = False) -> str:
    if not items:
        return texts.NO_TASKS
    overdue = sum(1 for i in items if i.overdue_days)
    lines = [texts.TASKS_HEAD.format(n=len(items), overdue=overdue)]
    for item in items[:limit]:
        when = f"逾期 {item.overdue_days} 个工作日" if item.overdue_days else f"{item.ref.due_on} 前核查"
        lines.append(f"{item.ref.label}，预警日期 {item.ref.warned_on}，{when}")
    if len(items) > limit:
        lines.append(texts.TASKS_MORE.format(n=len(items) - limit))
    if not verified:
        lines.append(texts.UNVERIFIED_NOTE)
    return "\n".join(lines)


@dataclass(frozen=True)
class TaskMatch:
    found: TaskRef | None = None
    choices: tuple[TaskRef, ...] = ()
    message: str = ""


def find_task(session: Session, member: StaffMember, query: str) -> TaskMatch:
    """The task a staff member means by its number ("12", "任务12") or the household head's full name, within
    their towns; by name only tasks of open months (the newest first)."""
    text = query.strip().strip("，。,. ")
    digits = text.removeprefix("任务").removeprefix("#").strip()
    if digits.isdigit() and len(digits) <= 9:
        ref = task_ref(session, int(digits))
        if ref is None:
            return TaskMatch(message=texts.TASK_NOT_FOUND.format(query=digits))
        if not member.may_see_town(ref.town):
            return TaskMatch(message=texts.TASK_OUT_OF_TOWN.format(task_id=ref.id))
        return TaskMatch(found=ref)
    name = text[:64]
    rows = session.execute(
        _towns_filter(
            _task_query().where(MonitoringWarning.head_name == name, MonitoringMonth.closed_at.is_(None)),
            member_towns(member),
        ).order_by(MonitoringTask.month.desc(), MonitoringTask.id)
    )
    matches = [TaskRef(*r) for r in rows]
    if not matches:
        return TaskMatch(message=texts.TASK_NOT_FOUND.format(query=mask_name(name[:20])))
    if len(matches) > 1:
        return TaskMatch(choices=tuple(matches), message=texts.TASK_AMBIGUOUS.format(n=len(matches)))
    return TaskMatch(found=matches[0])


# --- results ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    """A result as the form collects it (validated by ``check_result``)."""

    outcome: Outcome
    programme: str | None = None
    case_no: str | None = None
    reasons: tuple[Reason, ...] = ()
    department: str | None = None

    def describe(self) -> str:
        if self.outcome is Outcome.INCLUDED:
            case = f"，案件编号 {self.case_no}" if self.case_no else "（案件编号待补）"
            return f"纳入{self.programme}{case}"
        if self.outcome is Outcome.NOT_INCLUDED:
            return f"不纳入。原因：{reasons_text(self.reasons)}"
        return f"转其他部门：{self.department}"

    def as_json(self) -> dict[str, object]:
        return {
            "outcome": self.outcome.value,
            "programme": self.programme,
            "case_no": self.case_no,
            "reasons": {r.key: r.as_json() for r in self.reasons},
            "department": self.department,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Result:
        reasons = data.get("reasons")
        return cls(
            outcome=Outcome(str(data["outcome"])),
            programme=data.get("programme") or None,  # type: ignore[arg-type]
            case_no=data.get("case_no") or None,  # type: ignore[arg-type]
            reasons=tuple(reasons_from_json(reasons if isinstance(reasons, dict) else None)),
            department=data.get("department") or None,  # type: ignore[arg-type]
        )


def check_result(result: Result) -> Result:
    """``InputError`` (in Chinese) unless the result is complete: a case programme for 纳入 (and a case number of
    that programme if one is given), at least one reason under the five headings for 不纳入, a department for
    转其他部门. Returns the result with its case number normalised."""
    if result.outcome is Outcome.INCLUDED:
        names = [p.name for p in case_programmes()]
        if result.programme not in names:
            raise InputError(texts.UNCLEAR_PROGRAMME)
        if result.case_no:
            case_no = normalize_case_no(result.case_no)
            if programme_of(case_no) != result.programme:
                raise InputError(
                    texts.CASE_PROGRAMME_MISMATCH.format(
                        case_no=case_no, case_programme=programme_of(case_no), programme=result.programme
                    )
                )
            return Result(result.outcome, result.programme, case_no)
        return Result(result.outcome, result.programme)
    if result.outcome is Outcome.NOT_INCLUDED:
        reasons = tuple(r for r in result.reasons if r.key in HEADING_KEYS and r.text.strip())
        if not reasons:
            raise InputError(texts.ASK_EXCLUDE)
        return Result(result.outcome, reasons=reasons)
    department = (result.department or "").strip()
    if not department:
        raise InputError(texts.DEPARTMENT_EMPTY)
    if len(department) > MAX_DEPARTMENT:
        raise InputError(texts.DEPARTMENT_TOO_LONG.format(limit=MAX_DEPARTMENT))
    return Result(result.outcome, department=department)


def stored_result(task: MonitoringTask) -> Result | None:
    if task.outcome is None:
        return None
    return Result(
        outcome=Outcome(task.outcome),
        programme=task.programme,
        case_no=task.case_no,
        reasons=tuple(reasons_from_json(task.reasons)),
        department=task.department,
    )


def record_result(
    session: Session,
    *,
    member: StaffMember,
    sender_id: str,
    task_id: int,
    result: Result,
    today: date,
) -> MonitoringTask:
    """Save the result of one task and its audit entry in the caller's transaction (a second call corrects the
    first while the month is open). A chat sender must be a staff member with a record (not a bootstrap id). ``InputError`` when the staff member may not, the month is closed, or the
    result is incomplete."""
    ref = task_ref(session, task_id)
    if ref is None:
        raise InputError(texts.TASK_NOT_FOUND.format(query=task_id))
    if sender_id != CONSOLE and (member.bootstrap or member.role not in CHECKER_ROLES):
        raise InputError(texts.REFUSED)
    if not member.may_see_town(ref.town):
        raise InputError(texts.TASK_OUT_OF_TOWN.format(task_id=task_id))
    if ref.closed:
        raise InputError(texts.TASK_CLOSED_MONTH.format(task_id=task_id, month=ref.month))
    result = check_result(result)
    if result.case_no:
        case = session.scalar(select(Case).where(Case.case_no == result.case_no))
        if case is not None and not member.may_see_town(case.town):
            raise InputError(f"案件 {result.case_no} 不在您分管的镇（街道）。")
    task = session.get(MonitoringTask, task_id)
    assert task is not None
    corrected = task.outcome is not None
    task.outcome = result.outcome.value
    task.programme, task.case_no = result.programme, result.case_no
    task.reasons = {r.key: r.as_json() for r in result.reasons} or None
    task.department = result.department
    task.checked_on = today
    task.recorded_by, task.recorded_by_id = member.name[:64], member.id
    session.flush()
    add_entry(
        session,
        sender_id=sender_id,
        action="monitoring_result_corrected" if corrected else "monitoring_result",
        intent="record_check_result",
        topic=AUDIT_TOPIC,
        case_no=result.case_no,
        detail=f"任务 {task.id}（{ref.month}，{ref.town}）：{result.describe()}"[:2000],
        role="staff",
        staff_id=member.id,
    )
    return task


def close_month(session: Session, month: str, *, by: str, sender_id: str = "cli") -> MonitoringMonth:
    """Close a month: its results can no longer be corrected, its tasks leave the lists (audited)."""
    record = session.scalar(select(MonitoringMonth).where(MonitoringMonth.month == month))
    if record is None:
        raise InputError(f"没有 {month} 的监测预警")
    if record.closed_at is None:
        record.closed_at, record.closed_by = utcnow(), by[:64]
        add_entry(
            session,
            sender_id=sender_id,
            action="monitoring_month_closed",
            topic=AUDIT_TOPIC,
            detail=f"{month} 关闭（{by[:64]}）",
            role="staff",
        )
    return record


# --- reminders --------------------------------------------------------------------------------------------
def remind_overdue(session: Session, today: date) -> int:
    """One message a working day to each caseworker with overdue tasks in their towns, through the outbox (dedup
    key per staff member, chat and day). Returns the number of messages queued."""
    if not get_calendar().is_working_day(today):
        return 0
    queued = 0
    for member in session.scalars(select(Staff).where(Staff.active.is_(True), Staff.role == "caseworker")):
        if not member.towns:
            continue
        overdue = [i for i in open_tasks(session, member.towns, today) if i.overdue_days]
        if not overdue:
            continue
        text = texts.REMINDER.format(n=len(overdue), days=max(i.overdue_days for i in overdue))
        queued += queue_for_staff(
            session,
            member.id,
            text,
            kind="monitoring",
            dedup_key=lambda recipient, m=member.id: (
                f"monitoring-overdue:{m}:{recipient}:{today.isoformat()}"
            ),
        )
    return queued
