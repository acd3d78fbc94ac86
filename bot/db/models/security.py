"""Verification attempts, per sender, for the lookup lockout."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class VerificationAttempt(Base):
    __tablename__ = "verification_attempts"
    __table_args__ = (Index("ix_verification_attempts_sender_at", "sender_id", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="lookup")  # lookup | bind
    success: Mapped[bool]
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
