"""Callback tickets (human handoff and emergencies) and the messages relayed on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow

TICKET_STATUSES = ("open", "taken", "closed")
TICKET_KINDS = ("callback", "emergency", "crisis")


class HandoffTicket(Base):
    """A resident's request for a person: callback, or an urgent emergency/crisis ticket staff see first."""

    __tablename__ = "handoff_tickets"
    __table_args__ = (Index("ix_handoff_tickets_status_urgent", "status", "urgent", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)  # the resident's conversation id
    channel: Mapped[str] = mapped_column(String(16), default="")  # telegram | terminal | ...
    kind: Mapped[str] = mapped_column(String(16), default="callback")  # callback | emergency | crisis
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | taken | closed
    topic: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str | None] = mapped_column(String(11))  # for staff only; masked everywhere else
    preferred_time: Mapped[str | None] = mapped_column(String(64))
    town: Mapped[str | None] = mapped_column(String(16))  # decides which caseworkers see it
    summary: Mapped[str] = mapped_column(Text, default="")  # masked conversation summary
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    assignee_name: Mapped[str | None] = mapped_column(String(64))
    assignee_sender: Mapped[str | None] = mapped_column(String(128))  # where resident replies are relayed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_by: Mapped[str | None] = mapped_column(String(64))  # resident | staff:<name> | cli

    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", order_by="TicketMessage.id", cascade="all, delete-orphan"
    )


class TicketMessage(Base):
    """One message on a ticket: from the resident, from staff, or a system note."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("handoff_tickets.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(16))  # resident | staff | system
    author: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[HandoffTicket] = relationship(back_populates="messages")
