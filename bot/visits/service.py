"""Visits in the database: finding the person, saving a visit (audited), due and overdue lists, history,
caregiver evaluations and flags, reminders. Rules come from ``bot.visits.rules``; texts from ``bot.visits.texts``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.audit.log import add_entry
from bot.cases.workdays import get_calendar
from bot.db.models import (
    Applicant,
    CareAgreement,
    Caregiver,
    CaregiverEvaluation,
    CareRecipient,
    CareVisit,
    Case,
    Staff,
)
from bot.errors import InputError
from bot.notifications.staff import queue_for_staff
from bot.parsing.case_numbers import find_case_numbers, normalize_case_no
from bot.policy.parameters import load_parameters
from bot.privacy import mask_phone, mask_text
from bot.staff_access import StaffMember
from bot.visits import texts
from bot.visits.rules import (
    ITEM_KEYS,
    ITEM_LABELS,
    RATING_LABELS,
    Decision,
    DueState,
    Period,
    Proposal,
    VisitParams,
    due_date,
    due_state,
    is_low,
    latest_listed_base,
    mean,
    propose,
    visit_score,
)

DISPERSED = "分散"
AUDIT_TOPIC = "探访登记"


def visit_params() -> VisitParams:
    return VisitParams.from_county(load_parameters())


# --- people -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecipientRef:
    id: int
    case_no: str
    name: str
    town: str
    village: str | None
    support_mode: str
    care_level: str | None
    since: date | None

    @property
    def label(self) -> str:
        return f"{self.name}（{self.case_no}，{self.town}{self.village or ''}）"


def _ref_query() -> Select:
    return (
        select(
            CareRecipient.id,
            Case.case_no,
            Applicant.name,
            Case.town,
            Case.village,
            CareRecipient.support_mode,
            CareRecipient.care_level,
            CareRecipient.since,
        )
        .join(Case, CareRecipient.case_id == Case.id)
        .join(Applicant, Case.applicant_id == Applicant.id)
        .where(CareRecipient.active.is_(True))
    )


def _towns_filter(query: Select, towns: Sequence[str] | None) -> Select:
    return query if towns is None else query.where(Case.town.in_(list(towns)))


def member_towns(member: StaffMember) -> list[str] | None:
    """The towns a staff member works for (None: every town)."""
    return None if member.all_towns else list(member.towns)


def recipient_ref(session: Session, recipient_id: int) -> RecipientRef | None:
    row = session.execute(_ref_query().where(CareRecipient.id == recipient_id)).first()
    return RecipientRef(*row) if row else None


@dataclass(frozen=True)
class PersonMatch:
    found: RecipientRef | None = None
    choices: tuple[RecipientRef, ...] = ()
    message: str = ""


def find_person(session: Session, member: StaffMember, query: str) -> PersonMatch:
    """The 分散供养 person a staff member means by a case number or a name, within their towns."""
    query = query.strip()
    numbers = find_case_numbers(query, valid_only=False)
    case_no = None
    if numbers:
        try:
            case_no = normalize_case_no(numbers[0].value)
        except InputError:
            case_no = None
    if case_no:
        row = session.execute(_ref_query().where(Case.case_no == case_no)).first()
        if row is None:
            return PersonMatch(message=texts.PERSON_NOT_FOUND.format(query=case_no))
        ref = RecipientRef(*row)
        if not member.may_see_town(ref.town):
            return PersonMatch(message=texts.PERSON_OUT_OF_TOWN.format(case_no=case_no))
        matches = [ref]
    else:
        name = query.strip("，。,. ")[:64]
        rows = session.execute(
            _towns_filter(_ref_query().where(Applicant.name == name), member_towns(member))
        )
        matches = [RecipientRef(*r) for r in rows]
        if not matches:
            return PersonMatch(message=texts.PERSON_NOT_FOUND.format(query=name[:20]))
    dispersed = [m for m in matches if m.support_mode == DISPERSED]
    if not dispersed:
        return PersonMatch(message=texts.PERSON_NOT_DISPERSED.format(label=matches[0].label))
    if len(dispersed) > 1:
        return PersonMatch(choices=tuple(dispersed), message=texts.PERSON_AMBIGUOUS.format(n=len(dispersed)))
    return PersonMatch(found=dispersed[0])


def current_agreement(session: Session, recipient_id: int, day: date) -> CareAgreement | None:
    return session.scalar(
        select(CareAgreement)
        .where(
            CareAgreement.recipient_id == recipient_id,
            CareAgreement.starts_on <= day,
            (CareAgreement.ends_on.is_(None)) | (CareAgreement.ends_on >= day),
        )
        .order_by(CareAgreement.starts_on.desc())
        .limit(1)
    )


def caregiver_label(agreement: CareAgreement | None) -> str:
    """'李*华（侄子，138****5678）': the caregiver for staff, phone masked."""
    if agreement is None:
        return "无照料护理协议"
    giver = agreement.caregiver
    parts = [p for p in (agreement.relation, mask_phone(giver.phone) if giver.phone else None) if p]
    return f"{giver.name}（{'，'.join(parts)}）" if parts else giver.name


# --- saving a visit ---------------------------------------------------------------------------------------
def save_visit(
    session: Session,
    *,
    member: StaffMember,
    sender_id: str,
    recipient_id: int,
    visited_on: date,
    ratings: dict[str, int | None],
    notes: str | None,
    photos: Sequence[str] = (),
    params: VisitParams | None = None,
    source: str = "chat",
) -> CareVisit:
    """Save one visit and its audit entry in the caller's transaction. ``InputError`` when the staff member may
    not record visits for this person or the ratings are not valid."""
    params = params or visit_params()
    ref = recipient_ref(session, recipient_id)
    if ref is None:
        raise InputError("找不到这位供养对象（可能已终止供养）")
    if not member.may_see_town(ref.town) or member.bootstrap:
        raise InputError(texts.PERSON_OUT_OF_TOWN.format(case_no=ref.case_no))
    try:
        score = visit_score(ratings, params)
    except ValueError as exc:
        raise InputError("评分无效，请重新填写") from exc
    agreement = current_agreement(session, recipient_id, visited_on)
    visit = CareVisit(
        recipient_id=recipient_id,
        visited_on=visited_on,
        visitor_id=member.id,
        visitor_name=member.name,
        caregiver_id=agreement.caregiver_id if agreement else None,
        ratings={k: ratings.get(k) for k in ITEM_KEYS},
        score=score,
        notes=notes or None,
        photos=list(photos),
        source=source,
    )
    session.add(visit)
    session.flush()
    rated = "，".join(f"{ITEM_LABELS[k]}{RATING_LABELS.get(ratings.get(k), '不适用')}" for k in ITEM_KEYS)  # type: ignore[arg-type]
    add_entry(
        session,
        sender_id=sender_id,
        action="visit_saved",
        intent="log_visit",
        topic=AUDIT_TOPIC,
        case_no=ref.case_no,
        detail=f"探访 {visited_on}，记录 {visit.id}，得分 {score}；{rated}；照片 {len(visit.photos)} 张",
        role="staff",
        staff_id=member.id,
    )
    return visit


# --- due and overdue --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DueItem:
    ref: RecipientRef
    last_visit: date | None
    due: date | None
    state: DueState
    days_overdue: int


def last_visit_column():
    """The person's latest visit date, per person through the (recipient_id, visited_on) index (no scan of every
    visit: a correlated MAX is an index lookup on SQLite and PostgreSQL)."""
    return (
        select(func.max(CareVisit.visited_on))
        .where(CareVisit.recipient_id == CareRecipient.id)
        .correlate(CareRecipient)
        .scalar_subquery()
        .label("last_visit")
    )


def visit_states(
    session: Session,
    towns: Sequence[str] | None,
    today: date,
    params: VisitParams,
    *,
    is_working_day: Callable[[date], bool] | None = None,
    working_days_between: Callable[[date, date], int] | None = None,
    listed_only: bool = False,
) -> list[DueItem]:
    """Every active 分散供养 person in ``towns`` (None: all) with their last visit, due date and state;
    ``listed_only``: leave out in the database the people whose next visit is certainly not due soon."""
    cal = get_calendar()
    is_working_day = is_working_day or cal.is_working_day
    working_days_between = working_days_between or cal.working_days_between
    last = last_visit_column()
    query = _ref_query().add_columns(last).where(CareRecipient.support_mode == DISPERSED)
    if listed_only:
        limit = latest_listed_base(today, params, is_working_day, working_days_between)
        base = func.coalesce(last, CareRecipient.since)
        query = query.where(base.is_(None) | (base <= limit))
    # the rules depend only on dates, and people share them: each date is worked out once per call
    dues: dict[date | None, date | None] = {}
    states: dict[date | None, DueState] = {}
    items: list[DueItem] = []
    for row in session.execute(_towns_filter(query, towns)):
        last_visit, since = row[8], row[7]
        base = last_visit or since
        if base not in dues:
            dues[base] = due_date(base, None, params, is_working_day)
        due = dues[base]
        if due not in states:
            states[due] = due_state(due, today, params, working_days_between)
        overdue_days = (today - due).days if due is not None and due < today else 0
        items.append(DueItem(RecipientRef(*row[:8]), last_visit, due, states[due], overdue_days))
    return items


def due_list(
    session: Session, towns: Sequence[str] | None, today: date, params: VisitParams
) -> list[DueItem]:
    """People due or overdue for a visit, the longest overdue first (never visited without a start date first)."""
    items = [
        i for i in visit_states(session, towns, today, params, listed_only=True) if i.state is not DueState.OK
    ]
    return sorted(items, key=lambda i: (i.due or date.min, i.ref.case_no))


def due_text(items: Sequence[DueItem], *, limit: int = 20, verified: bool = False) -> str:
    if not items:
        return texts.NONE_DUE
    lines = [texts.DUE_HEAD.format(n=len(items))]
    for i, item in enumerate(items[:limit], start=1):
        last = f"上次 {item.last_visit}" if item.last_visit else "从未探访"
        if item.state is DueState.OVERDUE:
            when = f"逾期 {item.days_overdue} 天" if item.due else "应尽快探访"
        else:
            when = f"{item.due} 到期"
        lines.append(f"{i}. {item.ref.label}：{last}，{when}")
    if len(items) > limit:
        lines.append(texts.DUE_MORE.format(n=len(items) - limit))
    if not verified:
        lines.append(texts.UNVERIFIED_NOTE)
    return "\n".join(lines)


# --- history ----------------------------------------------------------------------------------------------
def history(session: Session, recipient_id: int, *, limit: int = 10) -> list[CareVisit]:
    return list(
        session.scalars(
            select(CareVisit)
            .where(CareVisit.recipient_id == recipient_id)
            .order_by(CareVisit.visited_on.desc(), CareVisit.id.desc())
            .limit(limit)
        )
    )


def history_text(session: Session, ref: RecipientRef, today: date, *, limit: int = 10) -> str:
    visits = history(session, ref.id, limit=limit)
    agreement = current_agreement(session, ref.id, today)
    head = f"照料人：{caregiver_label(agreement)}"
    if not visits:
        return f"{texts.NO_HISTORY.format(label=ref.label)}\n{head}"
    lines = [texts.HISTORY_HEAD.format(label=ref.label, n=len(visits)), head]
    for v in visits:
        low = [ITEM_LABELS[k] for k in ITEM_KEYS if isinstance(v.ratings.get(k), int) and v.ratings[k] <= 2]
        problems = f"；较差：{'、'.join(low)}" if low else ""
        photos = f"；照片 {len(v.photos)} 张" if v.photos else ""
        note = f"；{mask_text(v.notes[:60])}" if v.notes else ""
        lines.append(f"{v.visited_on} {v.visitor_name}，得分 {v.score}{problems}{photos}{note}")
    return "\n".join(lines)


# --- evaluations and flags --------------------------------------------------------------------------------
def evaluate_period(
    session: Session,
    period: Period,
    params: VisitParams,
    *,
    towns: Sequence[str] | None = None,
) -> list[CaregiverEvaluation]:
    """The rule's evaluation of every caregiver of an active 分散供养 person with visits in ``period``.

    An evaluation already decided by a person (``decided_by`` set) is left as it is; the rule's earlier
    proposal for the same period is replaced. Consecutive low evaluations count only for the same caregiver.
    """
    query = (
        select(CareRecipient.id, CareRecipient.care_level, CareVisit.caregiver_id, CareVisit.score)
        .join(CareVisit, CareVisit.recipient_id == CareRecipient.id)
        .join(Case, CareRecipient.case_id == Case.id)
        .where(
            CareRecipient.active.is_(True),
            CareRecipient.support_mode == DISPERSED,
            CareVisit.visited_on >= period.start,
            CareVisit.visited_on <= period.end,
        )
        .order_by(CareRecipient.id, CareVisit.visited_on)
    )
    by_recipient: dict[int, dict] = {}
    for rid, level, caregiver_id, score in session.execute(_towns_filter(query, towns)):
        entry = by_recipient.setdefault(rid, {"level": level, "scores": [], "caregiver": None, "visits": 0})
        entry["visits"] += 1
        entry["caregiver"] = caregiver_id  # the caregiver at the period's last visit
        if score is not None:
            entry["scores"].append(score)
    if not by_recipient:
        return []
    earlier: dict[int, list[CaregiverEvaluation]] = defaultdict(list)
    existing: dict[int, CaregiverEvaluation] = {}
    for ev in session.scalars(
        select(CaregiverEvaluation)
        .where(
            CaregiverEvaluation.recipient_id.in_(list(by_recipient)),
            CaregiverEvaluation.period_start <= period.start,
        )
        .order_by(CaregiverEvaluation.period_start.desc())
    ):
        if ev.period == period.label:
            existing[ev.recipient_id] = ev
        else:
            earlier[ev.recipient_id].append(ev)
    out: list[CaregiverEvaluation] = []
    for rid, entry in by_recipient.items():
        score = mean(entry["scores"])
        previous = []
        for ev in earlier[rid]:
            if ev.caregiver_id != entry["caregiver"]:
                break
            previous.append(is_low(ev.score, params))
        proposal: Proposal = propose(score, previous, entry["level"], params)
        ev = existing.get(rid)
        if ev is not None and ev.decided_by:
            out.append(ev)
            continue
        if ev is None:
            ev = CaregiverEvaluation(recipient_id=rid, period=period.label)
            session.add(ev)
        ev.caregiver_id = entry["caregiver"]
        ev.period_start, ev.period_end = period.start, period.end
        ev.visits = entry["visits"]
        ev.score = score
        ev.decision = proposal.decision.value
        ev.flagged = proposal.flagged
        ev.reason = proposal.reason
        out.append(ev)
    session.flush()
    return out


def decide(
    session: Session, evaluation_id: int, decision: str, *, by: str, sender_id: str = "cli"
) -> CaregiverEvaluation:
    """The evaluation meeting's decision on one evaluation (audited)."""
    try:
        chosen = Decision(decision)
    except ValueError:
        raise InputError(f"决定应为：{'、'.join(d.value for d in Decision)}") from None
    ev = session.get(CaregiverEvaluation, evaluation_id)
    if ev is None:
        raise InputError(f"没有编号为 {evaluation_id} 的评价")
    ev.decision = chosen.value
    ev.decided_by = by[:64]
    ref = recipient_ref(session, ev.recipient_id)
    add_entry(
        session,
        sender_id=sender_id,
        action="caregiver_decision",
        topic="照料人评价",
        case_no=ref.case_no if ref else None,
        detail=f"评价 {ev.id}（{ev.period}，得分 {ev.score}）：{chosen.label}",
        role="staff",
    )
    return ev


@dataclass(frozen=True)
class Flag:
    evaluation: CaregiverEvaluation
    ref: RecipientRef
    caregiver: str


def current_flags(query: Select) -> Select:
    """``query`` (from ``CaregiverEvaluation``) narrowed to the flagged evaluations of each active person's latest
    evaluated period, joined to the person (``CareRecipient``) and the case (``Case``)."""
    latest = (
        select(CaregiverEvaluation.recipient_id, func.max(CaregiverEvaluation.period_start).label("start"))
        .group_by(CaregiverEvaluation.recipient_id)
        .subquery()
    )
    return (
        query
        .join(
            latest,
            (latest.c.recipient_id == CaregiverEvaluation.recipient_id)
            & (latest.c.start == CaregiverEvaluation.period_start),
        )
        .join(CareRecipient, CareRecipient.id == CaregiverEvaluation.recipient_id)
        .join(Case, CareRecipient.case_id == Case.id)
        .where(CaregiverEvaluation.flagged.is_(True), CareRecipient.active.is_(True))
    )


def flagged(session: Session, towns: Sequence[str] | None) -> list[Flag]:
    """Flagged evaluations of each active person's latest evaluated period (newest first)."""
    query = current_flags(select(CaregiverEvaluation, CareRecipient.id)).order_by(
        CaregiverEvaluation.period_start.desc(), CaregiverEvaluation.id
    )
    out = []
    for ev, rid in session.execute(_towns_filter(query, towns)):
        ref = recipient_ref(session, rid)
        giver = session.get(Caregiver, ev.caregiver_id) if ev.caregiver_id else None
        out.append(Flag(ev, ref, giver.name if giver else "未登记照料人"))  # type: ignore[arg-type]
    return out


def flags_text(flags: Sequence[Flag]) -> str:
    if not flags:
        return texts.NO_FLAGS
    lines = [texts.FLAGS_HEAD]
    for i, f in enumerate(flags, start=1):
        ev = f.evaluation
        decided = (
            f"已决定：{Decision(ev.decision).label}"
            if ev.decided_by
            else f"建议：{Decision(ev.decision).label}"
        )
        lines.append(
            f"{i}. {f.ref.label}，照料人 {f.caregiver}，{ev.period} 平均分 {ev.score}，{decided}（评价 {ev.id}）"
        )
    return "\n".join(lines)


# --- reminders --------------------------------------------------------------------------------------------
def remind_overdue(session: Session, today: date, params: VisitParams | None = None) -> int:
    """One message a working day to each caseworker with overdue visits in their towns, through the outbox
    (dedup key per staff member, chat and day). Returns the number of messages queued."""
    if not get_calendar().is_working_day(today):
        return 0
    params = params or visit_params()
    queued = 0
    staff = session.scalars(select(Staff).where(Staff.active.is_(True), Staff.role == "caseworker"))
    for member in staff:
        if not member.towns:
            continue
        overdue = [
            i for i in visit_states(session, member.towns, today, params) if i.state is DueState.OVERDUE
        ]
        if not overdue:
            continue
        days = max(i.days_overdue for i in overdue)
        text = texts.REMINDER.format(n=len(overdue), days=days)
        queued += queue_for_staff(
            session,
            member.id,
            text,
            kind="visits",
            dedup_key=lambda recipient, m=member.id: f"visits-overdue:{m}:{recipient}:{today.isoformat()}",
        )
    return queued
