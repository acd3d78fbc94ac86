"""Tickets as plain functions over a session: create, queue, take, relay both ways, close.

Proactive messages (staff reply to the resident, resident message to the staff member who took the ticket,
closing notices) go into the outbox in the same transaction; the delivery worker sends them.

What is stored is masked (``bot.privacy.mask_text``): the topic, the preferred time, the summary and every
ticket message, in both directions. Staff never saw more: the relay to staff and the ticket view mask them
too. What staff need to act stays usable: the callback number is kept whole in ``HandoffTicket.phone`` (shown
masked in chats, whole on the office computer with ``lueyang handoff show``), and a mobile number a resident
writes in a message fills it when the ticket has none (an emergency ticket, or "不留" in the form). A staff
reply reaches the resident as written (it is theirs to read), through the outbox, whose sent rows are purged
after the retention period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from bot.db.base import utcnow
from bot.db.models import HandoffTicket, TicketMessage
from bot.errors import AccessDenied, InputError, NotFound
from bot.handoff import texts
from bot.handoff.actors import StaffActor
from bot.notifications.outbox import enqueue
from bot.parsing.phones import find_phones
from bot.privacy import mask_text

OPEN = ("open", "taken")
MAX_TEXT = 2000


def create_ticket(
    session: Session,
    sender_id: str,
    *,
    topic: str,
    summary: str = "",
    phone: str | None = None,
    preferred_time: str | None = None,
    town: str | None = None,
    kind: str = "callback",
    urgent: bool = False,
    channel: str = "",
    now: datetime | None = None,
) -> HandoffTicket:
    ticket = HandoffTicket(
        sender_id=sender_id,
        channel=channel,
        kind=kind,
        urgent=urgent,
        status="open",
        topic=mask_text(topic)[:500],
        phone=phone,
        preferred_time=(preferred_time or None) and mask_text(preferred_time)[:64],
        town=town,
        summary=mask_text(summary),
        created_at=now or utcnow(),
    )
    session.add(ticket)
    session.flush()
    return ticket


def open_ticket_of(session: Session, sender_id: str) -> HandoffTicket | None:
    """The resident's newest ticket that is still open or taken."""
    return session.scalar(
        select(HandoffTicket)
        .where(HandoffTicket.sender_id == sender_id, HandoffTicket.status.in_(OPEN))
        .order_by(HandoffTicket.id.desc())
        .limit(1)
    )


def escalate(session: Session, ticket: HandoffTicket, kind: str, note: str) -> HandoffTicket:
    """Make an existing ticket urgent (an emergency while a callback ticket is open)."""
    ticket.urgent = True
    if ticket.kind == "callback" or kind == "crisis":
        ticket.kind = kind
    session.add(
        TicketMessage(ticket=ticket, direction="system", author="assistant", text=mask_text(note)[:MAX_TEXT])
    )
    if ticket.assignee_sender:
        enqueue(session, ticket.assignee_sender, texts.staff_escalated(ticket), kind="ticket")
    session.flush()
    return ticket


def queue(session: Session, actor: StaffActor, *, limit: int = 30) -> list[HandoffTicket]:
    """Open and taken tickets the actor may see: urgent first, then oldest first."""
    stmt = (
        select(HandoffTicket)
        .where(HandoffTicket.status.in_(OPEN))
        .order_by(
            HandoffTicket.urgent.desc(),
            case((HandoffTicket.status == "open", 0), else_=1),
            HandoffTicket.created_at,
            HandoffTicket.id,
        )
    )
    if not actor.sees_all:
        stmt = stmt.where(HandoffTicket.town.in_(list(actor.towns) or ["-"]))
    return list(session.scalars(stmt.limit(limit)))


def get_ticket(session: Session, actor: StaffActor, ticket_id: int | str) -> HandoffTicket:
    """The ticket if the actor may see it; ``NotFound`` / ``AccessDenied`` otherwise."""
    tid = parse_ticket_id(ticket_id)
    ticket = session.scalar(
        select(HandoffTicket).where(HandoffTicket.id == tid).options(selectinload(HandoffTicket.messages))
    )
    if ticket is None:
        raise NotFound(f"ticket {tid} not found")
    if not actor.may_see(ticket):
        raise AccessDenied(f"ticket {tid} outside the scope of {actor.label}")
    return ticket


def parse_ticket_id(raw: int | str) -> int:
    text = str(raw).strip().lstrip("#＃").strip()
    if not text.isdigit():
        raise InputError("请写工单号（数字），例如：/take 12")
    return int(text)


def take(
    session: Session, actor: StaffActor, ticket_id: int | str, *, now: datetime | None = None
) -> HandoffTicket:
    ticket = get_ticket(session, actor, ticket_id)
    if ticket.status == "closed":
        raise InputError(f"工单#{ticket.id}已经办结。")
    mine = ticket.assignee_id is not None and ticket.assignee_id == actor.staff_id
    mine = mine or (ticket.assignee_sender is not None and ticket.assignee_sender == actor.sender_id)
    if ticket.status == "taken" and not mine and actor.role != "admin" and actor.sender_id is not None:
        raise InputError(f"工单#{ticket.id}已由{ticket.assignee_name}领取。")
    ticket.status = "taken"
    ticket.assignee_id = actor.staff_id
    ticket.assignee_name = actor.name
    ticket.assignee_sender = actor.sender_id
    ticket.taken_at = now or utcnow()
    session.add(
        TicketMessage(ticket=ticket, direction="system", author=actor.label, text=f"{actor.name}领取了工单")
    )
    enqueue(session, ticket.sender_id, texts.resident_taken(ticket), kind="relay")
    session.flush()
    return ticket


def staff_reply(session: Session, actor: StaffActor, ticket_id: int | str, text: str) -> HandoffTicket:
    """Relay a staff message to the resident (takes an untaken ticket for the actor)."""
    text = (text or "").strip()
    if not text:
        raise InputError("请在工单号后面写上要回复的内容，例如：/reply 12 您好，我是县民政局的工作人员……")
    ticket = get_ticket(session, actor, ticket_id)
    if ticket.status == "closed":
        raise InputError(f"工单#{ticket.id}已经办结，居民不会再收到回复。")
    if ticket.status == "open":
        ticket = take(session, actor, ticket.id)
    session.add(
        TicketMessage(ticket=ticket, direction="staff", author=actor.label, text=mask_text(text[:MAX_TEXT]))
    )
    enqueue(session, ticket.sender_id, texts.resident_staff_message(ticket, text[:MAX_TEXT]), kind="relay")
    session.flush()
    return ticket


def resident_message(session: Session, sender_id: str, text: str) -> HandoffTicket | None:
    """Add a resident's message to their open ticket and relay it to the staff member who took it."""
    ticket = open_ticket_of(session, sender_id)
    if ticket is None:
        return None
    clean = (text or "").strip()[:MAX_TEXT]
    if not clean:
        return ticket
    if not ticket.phone:  # a callback number given now (emergency tickets and "不留" have none)
        phones = find_phones(clean)
        if phones:
            ticket.phone = phones[0].value
    masked = mask_text(clean)
    session.add(TicketMessage(ticket=ticket, direction="resident", author="resident", text=masked))
    if ticket.assignee_sender:
        enqueue(session, ticket.assignee_sender, texts.staff_resident_message(ticket, masked), kind="relay")
    session.flush()
    return ticket


def close(
    session: Session, actor: StaffActor, ticket_id: int | str, *, now: datetime | None = None
) -> HandoffTicket:
    """Staff mark a ticket done; the resident is told."""
    ticket = get_ticket(session, actor, ticket_id)
    if ticket.status == "closed":
        raise InputError(f"工单#{ticket.id}已经办结。")
    _close(session, ticket, actor.label, now)
    enqueue(session, ticket.sender_id, texts.resident_closed_by_staff(ticket), kind="relay")
    return ticket


def cancel_by_resident(
    session: Session, sender_id: str, *, now: datetime | None = None
) -> HandoffTicket | None:
    """The resident ends their open ticket (/cancel); the staff member who took it is told."""
    ticket = open_ticket_of(session, sender_id)
    if ticket is None:
        return None
    _close(session, ticket, "resident", now)
    if ticket.assignee_sender:
        enqueue(session, ticket.assignee_sender, texts.staff_resident_cancelled(ticket), kind="relay")
    return ticket


def _close(session: Session, ticket: HandoffTicket, by: str, now: datetime | None) -> None:
    ticket.status = "closed"
    ticket.closed_at = now or utcnow()
    ticket.closed_by = by[:64]
    session.add(TicketMessage(ticket=ticket, direction="system", author=by[:64], text="工单已办结"))
    session.flush()
