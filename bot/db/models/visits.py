"""Visits to 特困 people in 分散供养 and the evaluation of their caregivers (issue 17).

- ``CareRecipient``: a 特困供养 person (linked to their case: name, ID and town live there), 分散 or 集中.
- ``Caregiver`` and ``CareAgreement``: who cares for the person (照料护理人), their relation, phone, from/to.
- ``CareVisit``: one visit: date, visitor, a rating for each checklist item, notes, photos by reference
  (a Telegram ``file_id``, never the image itself).
- ``CaregiverEvaluation``: the periodic evaluation of a caregiver (score, decision keep/warn/replace/centralise).

These are case tables: the caregiver's phone is stored as given and masked (``bot.privacy``) in every output.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow

if TYPE_CHECKING:
    from bot.db.models.cases import Case
    from bot.db.models.staff import Staff

SUPPORT_MODES = ("分散", "集中")
DECISIONS = ("keep", "warn", "replace", "centralise")


class CareRecipient(Base):
    __tablename__ = "care_recipients"
    __table_args__ = (Index("ix_care_recipients_active_mode", "active", "support_mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), unique=True)
    support_mode: Mapped[str] = mapped_column(String(8))  # 分散 | 集中
    # 自理 | 部分失能 | 完全失能 (None: not assessed)
    care_level: Mapped[str | None] = mapped_column(String(16))
    since: Mapped[date | None]  # in 分散供养 (or the current mode) since
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()
    agreements: Mapped[list[CareAgreement]] = relationship(
        back_populates="recipient", order_by="CareAgreement.starts_on", cascade="all, delete-orphan"
    )


class Caregiver(Base):
    __tablename__ = "caregivers"
    __table_args__ = (Index("ix_caregivers_name_phone", "name", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CareAgreement(Base):
    """A care agreement (照料护理协议): this caregiver cares for this person from ``starts_on`` to ``ends_on``."""

    __tablename__ = "care_agreements"
    __table_args__ = (Index("ix_care_agreements_recipient_starts", "recipient_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("care_recipients.id", ondelete="CASCADE"))
    caregiver_id: Mapped[int] = mapped_column(ForeignKey("caregivers.id", ondelete="RESTRICT"), index=True)
    relation: Mapped[str | None] = mapped_column(String(16))  # 子女, 侄子, 邻居, 村民, ...
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient: Mapped[CareRecipient] = relationship(back_populates="agreements")
    caregiver: Mapped[Caregiver] = relationship()

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class CareVisit(Base):
    __tablename__ = "care_visits"
    __table_args__ = (Index("ix_care_visits_recipient_on", "recipient_id", "visited_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("care_recipients.id", ondelete="CASCADE"))
    visited_on: Mapped[date] = mapped_column(index=True)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    visitor_name: Mapped[str] = mapped_column(String(64))
    caregiver_id: Mapped[int | None] = mapped_column(
        ForeignKey("caregivers.id", ondelete="SET NULL"), index=True
    )
    # {item key: rating (1..scale) or None for 不适用}; keys in bot.visits.rules.CHECKLIST
    ratings: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))  # mean of the rated items
    notes: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # references (Telegram file_id), not images
    source: Mapped[str] = mapped_column(String(32), default="chat")  # chat | import | demo
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient: Mapped[CareRecipient] = relationship()
    visitor: Mapped[Staff | None] = relationship()
    caregiver: Mapped[Caregiver | None] = relationship()


class CaregiverEvaluation(Base):
    """One evaluation of a caregiver for one person and period (定期召开会议对照料护理人的照护情况进行评价打分)."""

    __tablename__ = "caregiver_evaluations"
    __table_args__ = (
        Index("ix_caregiver_evaluations_recipient_period", "recipient_id", "period", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("care_recipients.id", ondelete="CASCADE"))
    caregiver_id: Mapped[int | None] = mapped_column(
        ForeignKey("caregivers.id", ondelete="SET NULL"), index=True
    )
    period: Mapped[str] = mapped_column(String(16))  # 2023Q3
    period_start: Mapped[date]
    period_end: Mapped[date]
    visits: Mapped[int] = mapped_column(default=0)
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    decision: Mapped[str] = mapped_column(String(16))  # keep | warn | replace | centralise
    flagged: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))  # None: the rule's proposal, not yet decided
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    recipient: Mapped[CareRecipient] = relationship()
    caregiver: Mapped[Caregiver | None] = relationship()
