"""Applicants and their households. Neither the resident ID number nor its last six are stored in plain text."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow

if TYPE_CHECKING:
    from bot.db.models.cases import Case


class Applicant(Base):
    """The person who applied, standing for the household (one row per resident ID number)."""

    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    # HMAC-SHA256 of the normalised ID number (hex), keyed with ID_HASH_KEY: exact-match lookups only
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # keyed hash of the last six characters (bot.cases.identity.last6_hash), the resident's proof of identity:
    # the last six themselves are never stored
    id_last6_hash: Mapped[str] = mapped_column(String(64))
    # display form (bot.privacy.mask_id_number): at most the last two characters, e.g. ****************3X
    id_masked: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(11))
    town: Mapped[str] = mapped_column(String(16))
    village: Mapped[str | None] = mapped_column(String(64))
    household_size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cases: Mapped[list[Case]] = relationship(back_populates="applicant")

