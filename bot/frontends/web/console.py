"""The staff console's operations: plain functions over the case database, one session each.

The console identity is ``web-s<staff id>`` (``bot.identity.web_console_sender``): ``bot.staff_access`` decides
on every call whether it is (still) staff and who, so a deactivated record stops working at once. Tickets are
taken, answered and closed through ``bot.handoff.service.staff_command`` (audited there, as in chat); what the
console only shows (a ticket's messages, a case lookup, a hotline script) is audited here with the staff id.
The visit lists (issue 17) and the monitoring tasks (issue 18) are the texts of ``/visits`` and ``/tasks`` in
chat, made by their services. The ticket queue's polling is not audited (it shows what the queue page showed, refreshed); opening the queue is.

Errors: ``NotStaff`` (not, or no longer, staff), ``NotFound`` / ``AccessDenied`` (a ticket or case outside the
staff member's towns), ``InputError`` (a query that cannot be read), ``DatabaseUnavailable``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import clock
from bot.audit.log import add_entry
from bot.cases import replies as case_replies
from bot.cases.lookup import staff_lookup
from bot.clock import to_china
from bot.db.models import HandoffTicket
from bot.db.session import session_scope
from bot.errors import AccessDenied, InputError
from bot.frontends.web import texts
from bot.handoff import service as handoff
from bot.handoff import tickets
from bot.handoff.actors import StaffActor, actor_from_member
from bot.identity import SenderIdentity, format_of
from bot.monitoring import service as monitoring
from bot.policy.answers import script_search
from bot.privacy import mask_phone, mask_text
from bot.staff_access import StaffMember, staff_member
from bot.visits import service as visits

ACTIONS = ("take", "reply", "done")
MAX_QUERY_CHARS = 100


class NotStaff(AccessDenied):
    """The console identity is not (or no longer) a staff member."""


@dataclass(frozen=True)
class TicketRow:
    id: int
    status: str
    status_label: str
    kind_label: str
    urgent: bool
    topic: str
    town: str
    created: str
    assignee: str
    channel: str
    mine: bool

    def as_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class TicketLine:
    at: str
    who: str
    text: str


@dataclass(frozen=True)
class TicketDetail:
    row: TicketRow
    phone: str
    preferred_time: str
    summary: str
    messages: tuple[TicketLine, ...]
    closed: bool


def _time(moment: datetime | None) -> str:
    return to_china(moment).strftime("%m-%d %H:%M") if moment else ""


def _channel_label(channel: str | None) -> str:
    try:
        return format_of(channel or "").label or (channel or "")
    except ValueError:
        return channel or ""


def _row(ticket: HandoffTicket, actor: StaffActor) -> TicketRow:
    return TicketRow(
        id=ticket.id,
        status=ticket.status,
        status_label=texts.STATUS_LABELS.get(ticket.status, ticket.status),
        kind_label=texts.KIND_LABELS.get(ticket.kind, ticket.kind),
        urgent=bool(ticket.urgent),
        topic=mask_text(ticket.topic or "")[:200],
        town=ticket.town or "",
        created=_time(ticket.created_at),
        assignee=ticket.assignee_name or "",
        channel=_channel_label(ticket.channel),
        mine=ticket.assignee_sender is not None and ticket.assignee_sender == actor.sender_id,
    )


def _member(session, sender: SenderIdentity) -> StaffMember:
    member = staff_member(session, sender)
    if member is None:
        raise NotStaff(f"{sender} is not staff")
    return member


def _actor(session, sender: SenderIdentity) -> tuple[StaffMember, StaffActor]:
    member = _member(session, sender)
    return member, actor_from_member(member, str(sender))


def whoami(sender: SenderIdentity) -> StaffMember:
    with session_scope() as session:
        return _member(session, sender)


def queue(sender: SenderIdentity, *, audit: bool = False) -> list[TicketRow]:
    """Open and taken tickets the staff member may see (urgent first, then oldest)."""
    with session_scope() as session:
        member, actor = _actor(session, sender)
        rows = [_row(t, actor) for t in tickets.queue(session, actor, limit=100)]
        if audit:
            add_entry(session, sender_id=str(sender), action="handoff_queue", intent="request_human",
                      topic="工单列表", role="staff", staff_id=member.id, detail=f"{len(rows)} tickets listed")  # fmt: skip
        return rows


def ticket(sender: SenderIdentity, ticket_id: int) -> TicketDetail:
    """One ticket with its messages (masked); audited as a view."""
    with session_scope() as session:
        member, actor = _actor(session, sender)
        found = tickets.get_ticket(session, actor, ticket_id)
        add_entry(session, sender_id=str(sender), action="handoff_view", intent="request_human",
                  topic=f"工单#{found.id}", role="staff", staff_id=member.id)  # fmt: skip
        lines = tuple(
            TicketLine(_time(m.created_at), texts.DIRECTION_LABELS.get(m.direction, m.direction), mask_text(m.text))
            for m in found.messages
        )
        return TicketDetail(
            row=_row(found, actor),
            phone=mask_phone(found.phone) if found.phone else "",
            preferred_time=mask_text(found.preferred_time or ""),
            summary=mask_text(found.summary or ""),
            messages=lines,
            closed=found.status == "closed",
        )


def act(sender: SenderIdentity, command: str, ticket_id: int, text: str = "") -> str:
    """Take, reply to or close a ticket; the reply text of ``bot.handoff.service.staff_command``."""
    if command not in ACTIONS:
        raise InputError("未知的操作")
    text = (text or "").strip()
    if command == "reply" and not text:
        raise InputError(texts.EMPTY_REPLY)
    with session_scope() as session:  # scope first: another town's ticket is a refusal, not a reply text
        _, actor = _actor(session, sender)
        tickets.get_ticket(session, actor, ticket_id)
    args = f"{int(ticket_id)} {text}".strip()
    return handoff.staff_command(str(sender), command, args)


@dataclass(frozen=True)
class CaseResult:
    outcome: str  # found | denied | not_found
    text: str
    shown: tuple[str, ...]


def case_lookup(sender: SenderIdentity, query: str) -> CaseResult:
    """Cases by number, applicant name or full ID number within the staff member's towns; every case shown is
    audited (as ``/status`` from staff in chat)."""
    query = (query or "").strip()[:MAX_QUERY_CHARS]
    if not query:
        raise InputError(texts.CASE_QUERY_HINT)
    with session_scope() as session:
        member = _member(session, sender)
        found = staff_lookup(session, member, query)
        shown = tuple(dict.fromkeys(v.case_no for v in found.cases))
        if not shown:
            add_entry(session, sender_id=str(sender), action="staff_case_lookup", intent="check_status",
                      role="staff", staff_id=member.id, detail="没有显示任何案件")  # fmt: skip
        for number in shown:
            add_entry(session, sender_id=str(sender), action="staff_case_lookup", intent="check_status",
                      case_no=number, role="staff", staff_id=member.id)  # fmt: skip
        return CaseResult(found.outcome, case_replies.staff_result(found), shown)


@dataclass(frozen=True)
class ScriptResult:
    text: str
    topic: str | None
    related: tuple[str, ...]


def script(sender: SenderIdentity, keyword: str) -> ScriptResult:
    """The hotline script of the best policy topic for ``keyword`` (``bot.policy.answers.script_search``)."""
    keyword = (keyword or "").strip()[:MAX_QUERY_CHARS]
    if not keyword:
        raise InputError(texts.SCRIPT_QUERY_HINT)
    with session_scope() as session:
        member = _member(session, sender)
        found = script_search(keyword, audience="staff")
        add_entry(session, sender_id=str(sender), action="staff_script", intent="inform",
                  topic=found.topic or keyword, role="staff", staff_id=member.id)  # fmt: skip
        return ScriptResult(found.text, found.topic, tuple(title for title, _ in found.buttons))


@dataclass(frozen=True)
class VisitLists:
    due: str
    flags: str


def visit_lists(sender: SenderIdentity) -> VisitLists:
    """The visits due or overdue and the flagged caregiver evaluations in the staff member's towns
    (``bot.visits.service``, as ``/visits`` in chat); audited as one view."""
    with session_scope() as session:
        member = _member(session, sender)
        towns = visits.member_towns(member)
        params = visits.visit_params()
        due = visits.due_list(session, towns, clock.today(), params)
        flags = visits.flagged(session, towns)
        add_entry(session, sender_id=str(sender), action="staff_visits", intent="inform", topic="探访名单",
                  role="staff", staff_id=member.id, detail=f"{len(due)} due, {len(flags)} flagged")  # fmt: skip
        return VisitLists(visits.due_text(due, limit=200, verified=params.verified), visits.flags_text(flags))


def monitoring_tasks(sender: SenderIdentity) -> str:
    """The open and overdue monitoring follow-up tasks in the staff member's towns (``bot.monitoring.service``,
    as ``/tasks`` in chat: names masked, no ID numbers); audited as one view."""
    with session_scope() as session:
        member = _member(session, sender)
        items = monitoring.open_tasks(session, monitoring.member_towns(member), clock.today())
        overdue = sum(1 for item in items if item.overdue_days)
        add_entry(session, sender_id=str(sender), action="staff_tasks", intent="inform", topic="监测预警任务",
                  role="staff", staff_id=member.id, detail=f"{len(items)} open, {overdue} overdue")  # fmt: skip
        return monitoring.tasks_text(items, limit=200, verified=monitoring.monitoring_params().verified)
