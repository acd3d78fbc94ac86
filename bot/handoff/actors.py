"""Who is acting on tickets: a staff member (from the staff table, or before binding from
``STAFF_TELEGRAM_IDS``), or the office PC (CLI, admin scope).

Scope: admins and hotline staff see every ticket; caseworkers see tickets of their towns. Tickets without a
town (the resident did not say) are seen by hotline staff and admins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db.models import HandoffTicket, Staff
from bot.settings import Settings, get_settings

_TG_PRIVATE = re.compile(r"^tg-(\d+)-(\d+)$")


@dataclass(frozen=True)
class StaffActor:
    name: str
    role: str  # caseworker | hotline | admin
    towns: tuple[str, ...] = ()
    staff_id: int | None = None
    sender_id: str | None = None  # where relayed resident messages go (None: the CLI)

    @property
    def sees_all(self) -> bool:
        return self.role in ("admin", "hotline")

    def may_see(self, ticket: HandoffTicket) -> bool:
        return self.sees_all or (ticket.town is not None and ticket.town in self.towns)

    @property
    def label(self) -> str:
        return f"staff:{self.name}"[:64]


def actor_from_staff(staff: Staff, sender_id: str | None) -> StaffActor:
    return StaffActor(staff.name, staff.role, tuple(staff.towns or ()), staff.id, sender_id)


def cli_actor(name: str = "办公电脑") -> StaffActor:
    return StaffActor(name=name, role="admin")


def resolve_staff(session: Session, sender_id: str, settings: Settings | None = None) -> StaffActor | None:
    """The staff member behind ``sender_id`` (private chats only), or None for residents."""
    from bot.cases.staff import find_staff

    staff = find_staff(session, sender_id)
    if staff is not None:
        return actor_from_staff(staff, sender_id)
    m = _TG_PRIVATE.match(sender_id or "")
    if m and m.group(1) == m.group(2):
        user_id = int(m.group(2))
        if user_id in (settings or get_settings()).staff_telegram_ids:
            return StaffActor(name=f"工作人员{user_id}", role="hotline", sender_id=sender_id)
    return None
