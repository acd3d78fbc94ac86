"""Saved temporary-relief pre-check results (stored only with the resident's explicit consent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class PrecheckRecord(Base):
    """One saved pre-check: the answers, the outcome, the rule and data versions, and a reference number.

    No name, ID number or phone is stored: the answers are the pre-check's own questions only.
    """

    __tablename__ = "precheck_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    town: Mapped[str | None] = mapped_column(String(16), index=True)
    category: Mapped[str | None] = mapped_column(String(16))  # emergency | spending
    overall: Mapped[str] = mapped_column(String(16))  # likely | unlikely | check
    reason: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcomes: Mapped[dict[str, Any]] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(32))
    data_version: Mapped[str] = mapped_column(String(64))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
