"""Who is acting on tickets: a staff member in a chat (``bot.staff_access`` decides who that is), or the
office PC (CLI, admin scope).

Scope: admins and hotline staff see every ticket; caseworkers see tickets of their towns. Tickets without a
town (the resident did not say) are seen by hotline staff and admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db.models import HandoffTicket
from bot.handoff import texts
from bot.settings import Settings
from bot.staff_access import StaffMember, staff_member


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


def actor_from_member(member: StaffMember, sender_id: str | None) -> StaffActor:
    return StaffActor(member.name, member.role, member.towns, member.id, sender_id)


def cli_actor(name: str = texts.CLI_ACTOR_NAME) -> StaffActor:
    return StaffActor(name=name, role="admin")


def resolve_staff(session: Session, sender_id: str, settings: Settings | None = None) -> StaffActor | None:
    """The staff member behind ``sender_id`` acting on tickets, or None for residents."""
    member = staff_member(session, sender_id, settings)
    return actor_from_member(member, sender_id) if member is not None else None
