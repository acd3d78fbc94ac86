"""The one answer to "is this sender staff, and who?": used by the hotline scripts (policy), case lookups
(/status, /mycases), the ticket queue (handoff) and everything else that shows staff views.

Rules, in order:
1. Staff views exist only in private chats: a group member is a resident, whoever they are.
2. The staff table is authoritative: a sender whose staff binding (``SenderIdentity.staff_binding``: the
   Telegram user, the terminal name) is on a staff record is that staff member while the record is active, and
   never staff once it is deactivated (``STAFF_TELEGRAM_IDS`` does not bring them back).
3. ``STAFF_TELEGRAM_IDS`` only bootstraps a Telegram user with no staff record at all: they act as hotline staff
   without towns (the ticket queue and the scripts; no case data until they have a record and ``/bind``).
A terminal sender is staff only through a record bound to its name (the demo data binds the session ``staff``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db.models import Staff, StaffChannel
from bot.db.session import session_scope
from bot.errors import DatabaseUnavailable
from bot.identity import TELEGRAM, SenderIdentity, parse_binding, parse_sender, telegram_user_id
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)

BOOTSTRAP_ROLE = "hotline"


@dataclass(frozen=True)
class StaffMember:
    """A staff member as the conversation sees them. ``id`` is None for a ``STAFF_TELEGRAM_IDS`` user without a
    staff record (``bootstrap``); ``towns`` are canonical town names (admins see every town)."""

    name: str
    role: str  # caseworker | hotline | admin
    towns: tuple[str, ...] = ()
    id: int | None = None

    @property
    def bootstrap(self) -> bool:
        return self.id is None

    @property
    def all_towns(self) -> bool:
        return self.role == "admin"

    def may_see_town(self, town: str | None) -> bool:
        return self.all_towns or (town is not None and town in self.towns)

    @classmethod
    def from_record(cls, staff: Staff) -> StaffMember:
        return cls(staff.name, staff.role, tuple(staff.towns or ()), staff.id)


def staff_member(
    session: Session, sender: str | SenderIdentity | None, settings: Settings | None = None
) -> StaffMember | None:
    """The staff member behind ``sender``, or None for a resident (see the module's rules)."""
    identity = sender if isinstance(sender, SenderIdentity) else parse_sender(sender)
    if identity is None or not identity.is_private:
        return None
    binding = identity.staff_binding
    if binding is not None:
        record = session.scalar(select(Staff).join(StaffChannel).where(StaffChannel.channel_id == binding))
        if record is not None:
            return StaffMember.from_record(record) if record.active else None
    user = telegram_user_id(identity)
    if user is not None and user in (settings or get_settings()).staff_telegram_ids:
        return StaffMember(name=f"工作人员{user}", role=BOOTSTRAP_ROLE)
    return None


def is_staff(sender: str | SenderIdentity | None, settings: Settings | None = None) -> bool:
    """``staff_member`` in its own session; False (the resident view) when the database cannot answer."""
    identity = sender if isinstance(sender, SenderIdentity) else parse_sender(sender)
    if identity is None or not identity.is_private:
        return False  # no need to ask the database
    try:
        with session_scope() as session:
            return staff_member(session, identity, settings) is not None
    except (DatabaseUnavailable, SQLAlchemyError) as exc:
        log.warning("staff check: database unavailable (%s); answering as for a resident", type(exc).__name__)
        return False


@dataclass(frozen=True)
class TelegramStaffUsers:
    """Telegram users by the rules above (private chats): ``staff`` are staff now (a staff menu for them),
    ``former`` are not although they were or look like it: bound to a deactivated record, or listed in
    ``STAFF_TELEGRAM_IDS`` with a deactivated record."""

    staff: frozenset[int]
    former: frozenset[int]


def telegram_staff_users(session: Session, settings: Settings | None = None) -> TelegramStaffUsers:
    """Every Telegram user the staff table (and the ``STAFF_TELEGRAM_IDS`` bootstrap) makes staff or no longer."""
    active: set[int] = set()
    inactive: set[int] = set()
    for binding, is_active in session.execute(select(StaffChannel.channel_id, Staff.active).join(Staff)):
        parsed = parse_binding(binding)
        if parsed is not None and parsed[0] == TELEGRAM:
            (active if is_active else inactive).add(int(parsed[1]))
    bootstrap = set((settings or get_settings()).staff_telegram_ids) - active - inactive
    return TelegramStaffUsers(staff=frozenset(active | bootstrap), former=frozenset(inactive - active))


__all__ = ["StaffMember", "TelegramStaffUsers", "is_staff", "staff_member", "telegram_staff_users"]
