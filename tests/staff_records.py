"""Staff records for tests that need a staff member behind a sender id (the one staff check,
``bot.staff_access``, reads the staff table)."""

from __future__ import annotations

from sqlalchemy import select

from bot.cases.staff import add_staff
from bot.db.models import Staff, StaffChannel
from bot.db.session import session_scope


def ensure_staff(
    binding: str, *, name: str | None = None, role: str = "hotline", towns: tuple[str, ...] = ("郭镇",),
    active: bool = True,
) -> int:
    """The id of a staff record bound to ``binding`` (e.g. ``term:staff``) in the current database, created on
    first use, so tests sharing one database can all ask for it."""
    with session_scope() as s:
        existing = s.scalar(select(StaffChannel).where(StaffChannel.channel_id == binding))
        if existing is not None:
            staff = s.get(Staff, existing.staff_id)
        else:
            staff = add_staff(s, name or f"测试人员（{binding}）", role, list(towns), [binding])
        staff.active = active
        s.flush()
        return staff.id
