"""Case lookups, as plain functions over a session.

- ``resident_lookup``: case number + last six characters of the applicant's ID number. A wrong pair and an
  unknown case number give the same outcome; failures count towards the per-sender lockout.
- ``staff_lookup``: by case number, applicant name or full ID number, within the staff member's towns.
- ``my_cases``: a staff member's open cases and the overdue cases in their towns.
Results are plain dataclasses (``CaseView``), never ORM objects, so replies can be composed after the session
closed. Names, ID numbers and phones in a ``CaseView`` are already masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from bot.cases.alerts import alert_lockouts
from bot.cases.deadlines import Deadline, overdue_cutoff, statutory_deadline
from bot.cases.identity import id_hash, last6_matches
from bot.cases.status import OPEN_STATUSES, STATUSES
from bot.cases.verification import combined, lock_state, record_attempt, subject_states
from bot.cases.workdays import get_calendar
from bot.clock import today as china_today
from bot.db.base import utcnow
from bot.db.models import Applicant, Case, Staff
from bot.errors import AccessDenied, InputError, NotFound
from bot.parsing.case_numbers import normalize_case_no
from bot.parsing.identity import validate_id_last6, validate_id_number
from bot.policy.parameters import load_parameters
from bot.privacy import mask_name, mask_phone
from bot.programmes import case_programmes
from bot.settings import Settings

_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,8}$")
# stands in for an applicant when the case number is unknown, so a miss costs the same hashing as a mismatch
_NO_CASE_HASH = "0" * 64


@dataclass(frozen=True)
class HistoryEntry:
    old_status: str | None
    new_status: str
    changed_on: date
    changed_by: str
    note: str | None


@dataclass(frozen=True)
class CaseView:
    case_no: str
    programme: str
    status: str
    status_changed_on: date | None
    applied_on: date
    accepted_on: date | None
    decided_on: date | None
    town: str
    village: str | None
    applicant_masked: str
    deadline: Deadline
    overdue: bool
    working_days_left: int | None  # negative when overdue; None without a deadline or when closed
    # staff-only fields
    id_masked: str = ""
    phone_masked: str = ""
    amount: Decimal | None = None
    decision_reason: str | None = None
    note: str | None = None
    caseworker: str | None = None
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _load_params(params):
    return params if params is not None else load_parameters()


def case_view(case: Case, *, today: date, params=None, with_history: bool = False) -> CaseView:
    params = _load_params(params)
    deadline = statutory_deadline(case.programme, case.accepted_on, params=params)
    is_open = STATUSES[case.status].open if case.status in STATUSES else False
    left = None
    overdue = False
    if is_open and deadline.due is not None:
        left = get_calendar().working_days_between(today, deadline.due)
        overdue = deadline.is_overdue(today)
    applicant = case.applicant
    history: tuple[HistoryEntry, ...] = ()
    if with_history:
        history = tuple(
            HistoryEntry(h.old_status, h.new_status, h.changed_on, h.changed_by, h.note) for h in case.history
        )
    return CaseView(
        case_no=case.case_no,
        programme=case.programme,
        status=case.status,
        status_changed_on=case.status_changed_on,
        applied_on=case.applied_on,
        accepted_on=case.accepted_on,
        decided_on=case.decided_on,
        town=case.town,
        village=case.village,
        applicant_masked=mask_name(applicant.name),
        deadline=deadline,
        overdue=overdue,
        working_days_left=left,
        id_masked=applicant.id_masked,
        phone_masked=mask_phone(applicant.phone) if applicant.phone else "",
        amount=case.amount,
        decision_reason=case.decision_reason,
        note=case.note,
        caseworker=case.caseworker.name if case.caseworker else case.caseworker_name,
        history=history,
    )


# --- residents --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResidentResult:
    outcome: str  # found | no_match | locked
    case: CaseView | None = None
    locked_until: datetime | None = None  # naive UTC
    remaining: int | None = None  # attempts left before the lock (no_match)
    town: str | None = None  # the case's town, for the office contact (found only)
    locked_scope: str | None = None  # locked: "user" (this person tried too often) or "case" (this case number)
    checked: bool = False  # the pair was verified (False: refused by the lock before anything was looked up)


def resident_lookup(
    session: Session,
    sender_id: str,
    case_no: str,
    id_last6: str,
    *,
    now: datetime | None = None,
    today: date | None = None,
    settings: Settings | None = None,
    params=None,
) -> ResidentResult:
    """Verify (case number, last six of the ID) and return the case, or the same no-match for any mismatch.

    Malformed input raises ``InputError`` (the caller asks again; nothing is counted). The lockout (per real
    user and per case number, ``bot.cases.verification``) is checked before anything is looked up; the failure
    that locks a user or a case number alerts staff (``bot.cases.alerts``).
    """
    case_no = normalize_case_no(case_no)
    id_last6 = validate_id_last6(id_last6)
    params = _load_params(params)
    now = now or utcnow()
    today = today or china_today()
    state = lock_state(session, sender_id, kind="lookup", case_no=case_no, now=now, settings=settings)
    if state.locked:
        return ResidentResult("locked", locked_until=state.locked_until, locked_scope=state.scope)
    case = session.scalar(
        select(Case)
        .where(Case.case_no == case_no)
        .options(joinedload(Case.applicant), joinedload(Case.caseworker))
    )
    # compare even when the case does not exist, so both paths do the same work
    applicant = case.applicant if case is not None else None
    hashes = (applicant.id_hash, applicant.id_last6_hash) if applicant is not None else (_NO_CASE_HASH,) * 2
    ok = last6_matches(*hashes, id_last6) and applicant is not None
    record_attempt(session, sender_id, ok, kind="lookup", case_no=case_no, now=now)
    if not ok:
        locks = subject_states(session, sender_id, kind="lookup", case_no=case_no, now=now, settings=settings)
        after = combined(locks)
        if after.locked:
            # this failure locked its user, its case number or both: tell staff
            alert_lockouts(session, sender_id, case_no, locks, now=now)
            return ResidentResult(
                "locked", locked_until=after.locked_until, locked_scope=after.scope, checked=True
            )
        return ResidentResult("no_match", remaining=after.remaining, checked=True)
    return ResidentResult(
        "found", case=case_view(case, today=today, params=params), town=case.town, checked=True
    )


# --- staff ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffResult:
    outcome: str  # found | denied | not_found
    cases: tuple[CaseView, ...] = ()
    query_kind: str = ""  # case_no | id_number | name
    more: int = 0  # further matches not shown


def _scope_filter(staff: Staff):
    if staff.all_towns:
        return None
    return Case.town.in_(list(staff.towns or []) or ["-"])


def classify_query(query: str) -> tuple[str, str]:
    """('case_no' | 'id_number' | 'name', normalised value) or ``InputError``."""
    text = (query or "").strip()
    try:
        return "case_no", normalize_case_no(text)
    except InputError:
        pass
    compact = re.sub(r"\s", "", text)
    if len(compact) == 18 and compact[:17].isdigit():
        return "id_number", validate_id_number(compact)
    if _NAME.match(compact):
        return "name", compact
    raise InputError("请提供案件编号、申请人姓名或完整的身份证号码。", value=None)


def staff_lookup(
    session: Session, staff: Staff, query: str, *, today: date | None = None, params=None, limit: int = 10
) -> StaffResult:
    """Cases matching ``query`` that ``staff`` may see; ``denied`` when matches exist only outside the scope."""
    kind, value = classify_query(query)
    params = _load_params(params)
    today = today or china_today()
    stmt = select(Case).options(joinedload(Case.applicant), joinedload(Case.caseworker))
    if kind == "case_no":
        stmt = stmt.where(Case.case_no == value)
    elif kind == "id_number":
        stmt = stmt.join(Applicant).where(Applicant.id_hash == id_hash(value))
    else:
        stmt = stmt.join(Applicant).where(Applicant.name == value)
    stmt = stmt.order_by(Case.applied_on.desc(), Case.id.desc())
    scope = _scope_filter(staff)
    scoped = stmt.where(scope) if scope is not None else stmt
    visible = list(session.scalars(scoped.limit(limit + 1)).unique().all())
    if not visible:
        # same query without the scope: tells "outside your towns" from "no such case"
        exists = session.scalar(
            select(func.count()).select_from(stmt.with_only_columns(Case.id).limit(1).subquery())
        )
        return StaffResult("denied" if exists else "not_found", query_kind=kind)
    more = 0
    if len(visible) > limit:
        counted = stmt.with_only_columns(Case.id)
        if scope is not None:
            counted = counted.where(scope)
        more = (session.scalar(select(func.count()).select_from(counted.subquery())) or 0) - limit
        visible = visible[:limit]
    # one match: full details with history; several (a common name): a short list to pick a case number from
    single = len(visible) == 1
    views = tuple(case_view(c, today=today, params=params, with_history=single) for c in visible)
    return StaffResult("found", views, kind, more=more)


def require_case_for_staff(session: Session, staff: Staff, case_no: str) -> Case:
    """The case by number if ``staff`` may see it: ``NotFound`` / ``AccessDenied`` otherwise."""
    case = session.scalar(select(Case).where(Case.case_no == normalize_case_no(case_no)))
    if case is None:
        raise NotFound(f"case {case_no} not found")
    if not staff.may_see_town(case.town):
        raise AccessDenied(f"case {case_no} outside the scope of staff {staff.id}")
    return case


@dataclass(frozen=True)
class MyCases:
    assigned: tuple[CaseView, ...]
    overdue: tuple[CaseView, ...]
    assigned_total: int
    overdue_total: int


def overdue_condition(today: date, params=None):
    """SQL condition: the case is open and past its statutory deadline."""
    parts = []
    for programme in (p.name for p in case_programmes()):
        cutoff = overdue_cutoff(programme, today, params=params)
        if cutoff is not None:
            parts.append(and_(Case.programme == programme, Case.accepted_on <= cutoff))
    if not parts:
        return None
    return and_(Case.status.in_(OPEN_STATUSES), Case.accepted_on.is_not(None), or_(*parts))


def my_cases(
    session: Session, staff: Staff, *, today: date | None = None, params=None, limit: int = 20
) -> MyCases:
    today = today or china_today()
    params = _load_params(params)
    opts = (joinedload(Case.applicant), joinedload(Case.caseworker))
    assigned_where = and_(Case.caseworker_id == staff.id, Case.status.in_(OPEN_STATUSES))
    assigned_total = session.scalar(select(func.count()).select_from(Case).where(assigned_where)) or 0
    assigned = session.scalars(
        select(Case).where(assigned_where).options(*opts).order_by(Case.accepted_on, Case.id).limit(limit)
    )
    overdue_where = overdue_condition(today, params)
    overdue_rows: list[Case] = []
    overdue_total = 0
    if overdue_where is not None:
        scope = _scope_filter(staff)
        if scope is not None:
            overdue_where = and_(overdue_where, scope)
        overdue_total = session.scalar(select(func.count()).select_from(Case).where(overdue_where)) or 0
        overdue_rows = list(
            session.scalars(
                select(Case)
                .where(overdue_where)
                .options(*opts)
                .order_by(Case.accepted_on, Case.id)
                .limit(limit)
            )
        )
    return MyCases(
        assigned=tuple(case_view(c, today=today, params=params) for c in assigned),
        overdue=tuple(case_view(c, today=today, params=params) for c in overdue_rows),
        assigned_total=assigned_total,
        overdue_total=overdue_total,
    )


__all__ = [
    "CaseView",
    "HistoryEntry",
    "MyCases",
    "ResidentResult",
    "StaffResult",
    "case_view",
    "china_today",
    "classify_query",
    "my_cases",
    "overdue_condition",
    "require_case_for_staff",
    "resident_lookup",
    "staff_lookup",
]
