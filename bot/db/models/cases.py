"""Cases (one application for one programme) and their status history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow

if TYPE_CHECKING:
    from bot.db.models.applicants import Applicant
    from bot.db.models.staff import Staff


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_town_status", "town", "status"),
        Index("ix_cases_status_accepted_on", "status", "accepted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(20), unique=True)
    programme: Mapped[str] = mapped_column(String(16))  # 低保 | 特困供养 | 临时救助 (| 低保边缘家庭)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id", ondelete="RESTRICT"), index=True)
    town: Mapped[str] = mapped_column(String(16))
    village: Mapped[str | None] = mapped_column(String(64))
    applied_on: Mapped[date]
    accepted_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16))
    status_changed_on: Mapped[date | None]
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    caseworker_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    caseworker_name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    applicant: Mapped[Applicant] = relationship(back_populates="cases")
    caseworker: Mapped[Staff | None] = relationship()
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="case", order_by="StatusChange.id", cascade="all, delete-orphan"
    )


class StatusChange(Base):
    """Every status a case went through: when, from what, to what, and who recorded it."""

    __tablename__ = "case_status_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    changed_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(64))  # "import:<file>", "staff:<name>", "demo"
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="history")

