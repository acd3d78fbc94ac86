"""Warnings of the 陕西省低收入人口动态监测信息平台 and the follow-up tasks they become (issue 18).

- ``MonitoringMonth``: one month of warnings (``2024-06``); closed once the month's results are reported, after
  which results can no longer be corrected.
- ``MonitoringWarning``: one warned household in one month (household head, ID number as a keyed hash and a
  masked display form like applicants, town, village, 三类人群 group, warning kind, size, income, expense) and
  what the matching found: already assisted (programme, case), an open application, or unknown.
- ``MonitoringTask``: the follow-up of a warning that is neither assisted nor applied for: the town, the
  caseworker, the deadline (working days), and the result (纳入 programme and case number; 不纳入 with reasons
  under the five headings; 转其他部门).

The warning list holds data of people who did not apply: never shown outside the caseworker's towns, masked in
every output (``bot.privacy``), deleted with its month after the retention period (``bot.audit.purge``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow

if TYPE_CHECKING:
    from bot.db.models.staff import Staff

MATCHES = ("assisted", "applied", "unknown")
OUTCOMES = ("included", "not_included", "referred")


class MonitoringMonth(Base):
    __tablename__ = "monitoring_months"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # 2024-06
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))


class MonitoringWarning(Base):
    __tablename__ = "monitoring_warnings"
    __table_args__ = (
        Index("ix_monitoring_warnings_month_id_kind", "month", "id_hash", "kind", unique=True),
        Index("ix_monitoring_warnings_month_town", "month", "town"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    head_name: Mapped[str] = mapped_column(String(64))
    # keyed hash and display form of the head's ID number, as for applicants (bot.cases.identity)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(18))
    town: Mapped[str] = mapped_column(String(16))
    village: Mapped[str | None] = mapped_column(String(64))
    group: Mapped[str] = mapped_column(String(16))  # 边缘易致贫户 | 脱贫不稳定户 | 突发严重困难户 | 其他
    kind: Mapped[str] = mapped_column(String(32))  # 收入骤减 | 支出骤增 | 因病 | 因灾 | ...
    household_size: Mapped[int | None]
    income: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # yuan, as the platform gives it
    expense: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    warned_on: Mapped[date]
    match: Mapped[str] = mapped_column(String(16))  # assisted | applied | unknown
    match_programme: Mapped[str | None] = mapped_column(String(16))
    match_case_no: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    task: Mapped[MonitoringTask | None] = relationship(
        back_populates="warning", cascade="all, delete-orphan", uselist=False
    )


class MonitoringTask(Base):
    __tablename__ = "monitoring_tasks"
    __table_args__ = (Index("ix_monitoring_tasks_town_outcome", "town", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_warnings.id", ondelete="CASCADE"), unique=True
    )
    month: Mapped[str] = mapped_column(String(7), index=True)
    town: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date]
    outcome: Mapped[str | None] = mapped_column(
        String(16)
    )  # None (open) | included | not_included | referred
    programme: Mapped[str | None] = mapped_column(String(16))  # included: the programme
    case_no: Mapped[str | None] = mapped_column(String(20))  # included: the case, once there is one
    # not_included: {heading key: {"text": "...", "figure": "1200.00" | None}}; keys in bot.monitoring.rules
    reasons: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    department: Mapped[str | None] = mapped_column(String(64))  # referred: to whom
    note: Mapped[str | None] = mapped_column(Text)
    checked_on: Mapped[date | None]
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    warning: Mapped[MonitoringWarning] = relationship(back_populates="task")
    assignee: Mapped[Staff | None] = relationship(foreign_keys=[assignee_id])
