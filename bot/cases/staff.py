"""Staff records, their chat identities (staff bindings) and one-time bind codes.

Staff bindings are ``bot.identity``'s: the person on a channel, e.g. a Telegram user or a terminal name. Who
counts as staff in a conversation is decided by ``bot.staff_access`` alone; binding works only in a private
chat, so case data never lands in a group. Nothing authenticates a terminal session's name (whoever can post
to Rasa names the sender), so the production profile refuses terminal bindings: ``staff add --channel term:…``
and ``/bind`` from a terminal (only the demo of the production profile on one machine binds its demo staff).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.cases.verification import lock_state, record_attempt
from bot.db.base import utcnow
from bot.db.models import BindCode, Staff, StaffChannel
from bot.db.models.staff import ROLES
from bot.errors import ConfigurationError, InputError
from bot.identity import TERMINAL, binding_forms, parse_binding, parse_sender
from bot.parsing.towns import normalize_town
from bot.settings import Settings, get_settings

# no 0/O/1/I/L: codes are read off a screen and typed on a phone
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def validate_channel_id(
    channel_id: str, *, settings: Settings | None = None, allow_terminal: bool = False
) -> str:
    """A staff binding as stored on the record (``InputError`` naming the accepted forms otherwise).

    In the production profile a terminal binding is a ``ConfigurationError`` unless ``allow_terminal`` (the
    demo data of the production profile's local demo)."""
    channel_id = (channel_id or "").strip()
    parsed = parse_binding(channel_id)
    if parsed is None:
        raise InputError(f"渠道标识应为 {' 或 '.join(binding_forms())}，而不是“{channel_id}”", value=channel_id)
    if parsed[0] == TERMINAL and not allow_terminal and (settings or get_settings()).profile == "production":
        raise ConfigurationError(
            f"the production profile refuses terminal staff bindings ({channel_id}): nothing authenticates a "
            "terminal session; bind another channel's identity or let the person send /bind CODE"
        )
    return channel_id


def add_staff(
    session: Session,
    name: str,
    role: str,
    towns: list[str] | None = None,
    channel_ids: list[str] | None = None,
    *,
    settings: Settings | None = None,
    allow_terminal: bool = False,
) -> Staff:
    """Create a staff record. Towns are canonicalised; admins see every town whatever ``towns`` says.

    Bindings are checked by ``validate_channel_id`` (terminal ones refused in the production profile)."""
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
        cid = validate_channel_id(cid, settings=settings, allow_terminal=allow_terminal)
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
    """Link the sender's chat identity to the staff member the code was made for (once).

    ``unsupported`` for a sender that cannot be bound, and in the production profile for a terminal sender."""
    now = now or utcnow()
    settings = settings or get_settings()
    identity = parse_sender(sender_id)
    channel = identity.staff_binding if identity is not None else None
    if identity is None or channel is None:
        return BindResult("unsupported")
    if identity.channel == TERMINAL and settings.profile == "production":
        return BindResult("unsupported")
    if not identity.is_private:
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
