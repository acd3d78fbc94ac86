"""Bureau and township staff, the chat identities linked to them, and one-time bind codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow

ROLES = ("caseworker", "hotline", "admin")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))  # caseworker | hotline | admin
    # canonical town names this person may see; ignored for admins (they see all)
    towns: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # web console login (migration 0005): an Argon2id hash, None = no password login
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_set_at: Mapped[datetime | None]

    channels: Mapped[list[StaffChannel]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", order_by="StaffChannel.id"
    )

    @property
    def channel_ids(self) -> list[str]:
        return [c.channel_id for c in self.channels]

    @property
    def all_towns(self) -> bool:
        return self.role == "admin"

    def may_see_town(self, town: str) -> bool:
        return self.all_towns or town in (self.towns or [])


class StaffChannel(Base):
    """A chat identity of a staff member: a staff binding of ``bot.identity`` (a Telegram user, a terminal name)."""

    __tablename__ = "staff_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff: Mapped[Staff] = relationship(back_populates="channels")


class BindCode(Base):
    """One-time code a staff member sends to the bot as ``/bind CODE`` to link a chat identity."""

    __tablename__ = "staff_bind_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(64))

    staff: Mapped[Staff] = relationship()
