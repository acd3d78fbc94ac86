"""Verification attempts (case lookups, bind codes), counted per real user and per case number for the lockout
(``bot.cases.verification``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class VerificationAttempt(Base):
    __tablename__ = "verification_attempts"
    __table_args__ = (
        Index("ix_verification_attempts_user_at", "user_key", "attempted_at"),
        Index("ix_verification_attempts_case_at", "case_no", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128))  # the conversation the attempt came from
    # the person behind it (bot.cases.verification.user_key: ``telegram:<user id>``, ``terminal:<name>``)
    user_key: Mapped[str] = mapped_column(String(128))
    # the case number the attempt named (normalised, existing or not); None for bind codes
    case_no: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(16), default="lookup")  # lookup | bind
    success: Mapped[bool]
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
