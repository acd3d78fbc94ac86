"""The audit log: what the assistant told whom (pseudonymous), with the data versions it answered from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_ref: Mapped[str] = mapped_column(String(40), index=True)  # keyed hash of the sender id, never the id
    role: Mapped[str] = mapped_column(String(16), default="resident")  # resident | staff | system
    staff_id: Mapped[int | None]  # staff acting in their official role are named by their record id
    channel: Mapped[str | None] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(String(128))
    case_no: Mapped[str | None] = mapped_column(String(20), index=True)  # case shown, if any
    detail: Mapped[str | None] = mapped_column(Text)  # masked
    policy_version: Mapped[str | None] = mapped_column(String(64))
    params_version: Mapped[str | None] = mapped_column(String(64))
