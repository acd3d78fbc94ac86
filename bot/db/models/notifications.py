"""Status-notification subscriptions and the outbox of proactive messages (notifications, staff relay)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow

OUTBOX_STATUSES = ("pending", "sent", "failed")


class Subscription(Base):
    """A resident's explicit consent to be told when a case they looked up changes status."""

    __tablename__ = "case_subscriptions"
    __table_args__ = (UniqueConstraint("case_id", "sender_id", name="uq_case_subscriptions_case_sender"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message to send proactively. Marked ``sent`` only after the channel accepted it.

    Workers claim rows (``claim_token`` + ``claimed_at``, a lease) before sending, so two workers never send
    the same row; a claim whose worker died expires after the lease and the row is tried again.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(128), index=True)  # a conversation (sender) id
    kind: Mapped[str] = mapped_column(String(16))  # status | relay | ticket
    text: Mapped[str] = mapped_column(Text)
    dedup_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
