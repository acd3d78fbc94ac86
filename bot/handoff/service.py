"""Entry points for the Rasa actions: one function per request, each with its own session, returning texts.

Database trouble becomes a polite apology (the emergency reply never depends on the database: the numbers
are given even when the ticket cannot be written). No Rasa types here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.audit.log import add_entry
from bot.db.base import utcnow
from bot.db.session import session_scope
from bot.errors import AccessDenied, DatabaseUnavailable, InputError, NotFound
from bot.handoff import texts, tickets
from bot.handoff.actors import resolve_staff
from bot.handoff.crisis import CrisisKind, detect_crisis
from bot.handoff.emergency import emergency_text
from bot.handoff.hours import response_time_text
from bot.identity import channel_of
from bot.policy.parameters import load_parameters
from bot.privacy import mask_text

log = logging.getLogger(__name__)

STAFF_COMMANDS = ("queue", "take", "reply", "done")
DB_DOWN = "抱歉，人工服务登记系统暂时无法使用，请稍后再试。着急的话，可以直接到所在乡镇（街道）民政办求助。"


def _channel(sender_id: str) -> str:
    """The channel recorded on a ticket ("other" for a sender id no channel writes)."""
    return channel_of(sender_id) or "other"


# --- residents: request a person ------------------------------------------------------------------------
def open_ticket_id(sender_id: str) -> int | None:
    """The resident's open ticket number, or None (also None when the database is down)."""
    try:
        with session_scope() as session:
            ticket = tickets.open_ticket_of(session, sender_id)
            return ticket.id if ticket else None
    except DatabaseUnavailable:
        return None


def already_open_text(sender_id: str) -> str | None:
    try:
        with session_scope() as session:
            ticket = tickets.open_ticket_of(session, sender_id)
            return texts.already_open(ticket) if ticket else None
    except DatabaseUnavailable:
        return None


@dataclass(frozen=True)
class RequestResult:
    text: str
    ticket_id: int | None  # the new (or already open) ticket; None when nothing could be written


def submit_request(
    sender_id: str,
    *,
    topic: str,
    phone: str | None,
    preferred_time: str | None,
    town: str | None,
    summary: str,
    intent: str | None = "request_human",
    now: datetime | None = None,
) -> RequestResult:
    """Create the callback ticket and say when staff will respond."""
    now = now or utcnow()
    try:
        with session_scope() as session:
            existing = tickets.open_ticket_of(session, sender_id)
            if existing is not None:
                return RequestResult(texts.already_open(existing), existing.id)
            ticket = tickets.create_ticket(
                session,
                sender_id,
                topic=topic,
                summary=summary,
                phone=phone,
                preferred_time=preferred_time,
                town=town,
                channel=_channel(sender_id),
                now=now,
            )
            add_entry(
                session,
                sender_id=sender_id,
                action="handoff_ticket",
                intent=intent,
                topic=f"工单#{ticket.id}",
                detail=f"callback ticket #{ticket.id}",
            )
            return RequestResult(texts.ticket_created(ticket, response_time_text(now)), ticket.id)
    except DatabaseUnavailable:
        return RequestResult(DB_DOWN, None)


@dataclass(frozen=True)
class RelayState:
    """The resident's open ticket as the waiting room sees it."""

    ticket_id: int
    taken: bool  # a staff member took it: messages relay both ways
    assignee: str | None


def _state(ticket) -> RelayState:
    return RelayState(
        ticket.id, ticket.status == "taken" and bool(ticket.assignee_sender), ticket.assignee_name
    )


def relay_state(sender_id: str) -> RelayState | None:
    """The resident's open ticket (None without one, or when the database is down)."""
    try:
        with session_scope() as session:
            ticket = tickets.open_ticket_of(session, sender_id)
            return _state(ticket) if ticket else None
    except DatabaseUnavailable:
        return None


def record_message(sender_id: str, text: str) -> RelayState | None:
    """Add a resident's message to their open ticket (relayed to the staff member who took it, if any).

    None when there is no open ticket or the database is down (the conversation goes on without it)."""
    try:
        with session_scope() as session:
            ticket = tickets.resident_message(session, sender_id, text)
            return _state(ticket) if ticket else None
    except DatabaseUnavailable:
        log.warning("a resident message could not be added to the ticket (database unavailable)")
        return None


def relay_from_resident(sender_id: str, text: str) -> str:
    """A resident's message while their ticket is open: stored and relayed; the short acknowledgement."""
    try:
        with session_scope() as session:
            ticket = tickets.resident_message(session, sender_id, text)
            if ticket is None:
                return texts.no_open_ticket()
            return texts.relay_ack() if ticket.assignee_sender else texts.relay_ack_waiting()
    except DatabaseUnavailable:
        return DB_DOWN


def cancel_ticket(sender_id: str) -> str | None:
    """Close the resident's open ticket; None when there is none."""
    try:
        with session_scope() as session:
            ticket = tickets.cancel_by_resident(session, sender_id)
            if ticket is None:
                return None
            add_entry(
                session,
                sender_id=sender_id,
                action="handoff_cancel",
                intent="cancel",
                topic=f"工单#{ticket.id}",
            )
            return texts.resident_cancelled(ticket)
    except DatabaseUnavailable:
        return DB_DOWN


# --- staff ----------------------------------------------------------------------------------------------
def staff_command(sender_id: str, command: str, args: str = "") -> str:
    """/queue, /take N, /reply N text, /done N from a chat; residents get a polite refusal."""
    try:
        with session_scope() as session:
            actor = resolve_staff(session, sender_id)
            if actor is None:
                return "这个功能仅供民政工作人员使用。需要人工帮助的话，请发送 /human。"
            try:
                text, ticket_id, case_shown = _staff_command(session, actor, command, args)
            except (InputError, NotFound, AccessDenied) as exc:
                if isinstance(exc, NotFound):
                    return "没有这张工单。"
                if isinstance(exc, AccessDenied):
                    return "这张工单不在您负责的镇（街道）范围内。"
                return exc.reason  # type: ignore[union-attr]
            add_entry(
                session,
                sender_id=sender_id,
                action=f"handoff_{command}",
                intent="request_human",
                topic=f"工单#{ticket_id}" if ticket_id else "工单列表",
                role="staff",
                staff_id=actor.staff_id,
                detail=case_shown,
            )
            return text
    except DatabaseUnavailable:
        return "抱歉，工单系统暂时无法使用，请稍后再试。"


def _staff_command(session, actor, command: str, args: str) -> tuple[str, int | None, str | None]:
    args = (args or "").strip()
    if command == "queue":
        items = tickets.queue(session, actor)
        return texts.queue_text(items), None, f"{len(items)} tickets listed"
    if command not in STAFF_COMMANDS:
        return texts.staff_usage(), None, None
    head, _, rest = args.partition(" ")
    if not head:
        return texts.staff_usage(), None, None
    if command == "take":
        ticket = tickets.take(session, actor, head)
        return texts.taken_text(ticket), ticket.id, None
    if command == "reply":
        ticket = tickets.staff_reply(session, actor, head, rest)
        return texts.reply_sent(ticket), ticket.id, None
    ticket = tickets.close(session, actor, head)
    return texts.done_text(ticket), ticket.id, None


# --- emergencies ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmergencyReply:
    text: str
    kind: CrisisKind
    ticket_id: int | None


def emergency_reply(
    sender_id: str,
    *,
    text: str = "",
    kind: CrisisKind | None = None,
    town: str | None = None,
    summary: str = "",
    intent: str | None = "report_emergency",
    now: datetime | None = None,
) -> EmergencyReply:
    """Reply at once with the numbers; open (or escalate) an urgent ticket staff see first.

    ``kind`` defaults to ``detect_crisis(text)`` or GENERAL. If the database is down the reply still carries
    every number, without a ticket number.
    """
    now = now or utcnow()
    kind = kind or detect_crisis(text) or CrisisKind.GENERAL
    params = load_parameters()
    ticket_kind = "crisis" if kind is CrisisKind.SELF_HARM else "emergency"
    ticket_id = None
    try:
        with session_scope() as session:
            existing = tickets.open_ticket_of(session, sender_id)
            note = f"紧急情况（{kind.value}）：{mask_text(text)[:300]}"
            if existing is not None:
                ticket = tickets.escalate(session, existing, ticket_kind, note)
            else:
                ticket = tickets.create_ticket(
                    session,
                    sender_id,
                    topic=f"紧急情况：{mask_text(text)[:200]}" if text else "紧急情况",
                    summary=summary,
                    town=town,
                    kind=ticket_kind,
                    urgent=True,
                    channel=_channel(sender_id),
                    now=now,
                )
            ticket_id = ticket.id
            add_entry(
                session,
                sender_id=sender_id,
                action="emergency",
                intent=intent,
                topic=kind.value,
                detail=f"urgent ticket #{ticket.id}",
            )
    except DatabaseUnavailable:
        log.error("emergency ticket could not be written (database unavailable); reply sent without it")
    response = response_time_text(now, params, urgent=True) if ticket_id is not None else ""
    reply = emergency_text(kind, params, town=town, ticket_id=ticket_id, response_text=response)
    return EmergencyReply(reply, kind, ticket_id)


__all__ = [
    "EmergencyReply",
    "RelayState",
    "RequestResult",
    "STAFF_COMMANDS",
    "already_open_text",
    "cancel_ticket",
    "emergency_reply",
    "open_ticket_id",
    "record_message",
    "relay_state",
    "relay_from_resident",
    "staff_command",
    "submit_request",
]
