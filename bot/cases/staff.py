"""Staff records, chat identities and one-time bind codes.

Sender ids come from the front ends: Telegram ``tg-<chat_id>-<user_id>``, terminal ``term-<name>``. They map
to channel ids stored on the staff record: ``tg-user:<user_id>`` and ``term:<name>``. Staff functions are
only available in a private chat (chat id = user id), so case data never lands in a group.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.cases.verification import lock_state, record_attempt
from bot.db.base import utcnow
from bot.db.models import BindCode, Staff, StaffChannel
from bot.db.models.staff import ROLES
from bot.errors import InputError
from bot.settings import Settings

_TG = re.compile(r"^tg-(-?\d+)-(\d+)$")
_TERM = re.compile(r"^term-(.+)$")
_CHANNEL = re.compile(r"^(tg-user:\d+|term:.+)$")
# no 0/O/1/I/L: codes are read off a screen and typed on a phone
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def channel_id_for_sender(sender_id: str) -> str | None:
    """``tg-<chat>-<user>`` -> ``tg-user:<user>``; ``term-<name>`` -> ``term:<name>``; else None."""
    sender_id = (sender_id or "").strip()
    m = _TG.match(sender_id)
    if m:
        return f"tg-user:{m.group(2)}"
    m = _TERM.match(sender_id)
    if m:
        return f"term:{m.group(1)}"
    return None


def is_private_sender(sender_id: str) -> bool:
    """Terminal sessions and Telegram private chats (chat id equals user id)."""
    m = _TG.match((sender_id or "").strip())
    if m:
        return m.group(1) == m.group(2)
    return bool(_TERM.match((sender_id or "").strip()))


def validate_channel_id(channel_id: str) -> str:
    channel_id = (channel_id or "").strip()
    if not _CHANNEL.match(channel_id):
        raise InputError(
            f"渠道标识应为 tg-user:<Telegram用户ID> 或 term:<名字>，而不是“{channel_id}”", value=channel_id
        )
    return channel_id


def find_staff(session: Session, sender_id: str) -> Staff | None:
    """The active staff member behind a sender id, or None (also None outside private chats)."""
    channel = channel_id_for_sender(sender_id)
    if channel is None or not is_private_sender(sender_id):
        return None
    return session.scalar(
        select(Staff)
        .join(StaffChannel)
        .where(StaffChannel.channel_id == channel, Staff.active.is_(True))
        .options(selectinload(Staff.channels))
    )


def add_staff(
    session: Session,
    name: str,
    role: str,
    towns: list[str] | None = None,
    channel_ids: list[str] | None = None,
) -> Staff:
    """Create a staff record. Towns are canonicalised; admins see every town whatever ``towns`` says."""
    from bot.parsing.towns import normalize_town

    name = (name or "").strip()
    if not name:
        raise InputError("请提供姓名")
    if role not in ROLES:
        raise InputError(f"角色应为 {'/'.join(ROLES)}，而不是“{role}”", value=role)
    canonical = sorted({normalize_town(t) for t in (towns or [])})
    if role == "caseworker" and not canonical:
        raise InputError("经办人（caseworker）需要至少一个负责的镇（街道）")
    staff = Staff(name=name, role=role, towns=canonical, active=True)
    for cid in channel_ids or []:
        cid = validate_channel_id(cid)
        if session.scalar(select(StaffChannel).where(StaffChannel.channel_id == cid)):
            raise InputError(f"渠道标识 {cid} 已绑定其他工作人员", value=cid)
        staff.channels.append(StaffChannel(channel_id=cid))
    session.add(staff)
    session.flush()
    return staff


def list_staff(session: Session) -> list[Staff]:
    return list(session.scalars(select(Staff).options(selectinload(Staff.channels)).order_by(Staff.id)))


def get_staff(session: Session, ref: str | int) -> Staff:
    """A staff member by id or exact name (must be unique)."""
    ref_s = str(ref).strip()
    if ref_s.isdigit():
        staff = session.get(Staff, int(ref_s))
        if staff:
            return staff
    found = list(session.scalars(select(Staff).where(Staff.name == ref_s)))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise InputError(f"有多位工作人员叫“{ref_s}”，请用编号", value=ref_s)
    raise InputError(f"没有找到工作人员“{ref_s}”", value=ref_s)


def create_bind_code(session: Session, staff: Staff, *, ttl: timedelta = timedelta(hours=24)) -> BindCode:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    bind = BindCode(staff_id=staff.id, code=code, created_at=now, expires_at=now + ttl)
    session.add(bind)
    session.flush()
    return bind


@dataclass(frozen=True)
class BindResult:
    outcome: str  # bound | invalid | locked | not_private | unsupported
    staff_name: str | None = None
    locked_until: datetime | None = None


def redeem_bind_code(
    session: Session,
    sender_id: str,
    code: str,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> BindResult:
    """Link the sender's chat identity to the staff member the code was made for (once)."""
    now = now or utcnow()
    channel = channel_id_for_sender(sender_id)
    if channel is None:
        return BindResult("unsupported")
    if not is_private_sender(sender_id):
        return BindResult("not_private")
    state = lock_state(session, sender_id, kind="bind", now=now, settings=settings)
    if state.locked:
        return BindResult("locked", locked_until=state.locked_until)
    code = "".join((code or "").split()).upper()
    bind = session.scalar(select(BindCode).where(BindCode.code == code)) if code else None
    if bind is None or bind.used_at is not None or bind.expires_at <= now or not bind.staff.active:
        record_attempt(session, sender_id, False, kind="bind", now=now)
        return BindResult("invalid")
    record_attempt(session, sender_id, True, kind="bind", now=now)
    bind.used_at = now
    bind.used_by = channel
    existing = session.scalar(select(StaffChannel).where(StaffChannel.channel_id == channel))
    if existing is not None:
        existing.staff_id = bind.staff_id
    else:
        session.add(StaffChannel(staff_id=bind.staff_id, channel_id=channel))
    session.flush()
    return BindResult("bound", staff_name=bind.staff.name)
