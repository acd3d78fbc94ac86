"""Staff console accounts: passwords hashed with Argon2id (argon2-cffi), the login and its lockout.

``set_password`` (``lueyang staff set-password``) stores the hash on the staff record and binds the console
identity ``web:s<id>`` to it, so ``bot.staff_access`` knows the console login as that staff member (and stops
knowing it when the record is deactivated). ``authenticate`` checks a name and password: failures count in the
lookup lockout's table (``bot.cases.verification``, kind ``web_login``, per staff account), so after
``LOOKUP_MAX_FAILURES`` wrong passwords the account is locked for ``LOOKUP_LOCK_MINUTES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.verification import lock_state, record_attempt
from bot.db.base import utcnow
from bot.db.models import Staff, StaffChannel
from bot.errors import InputError
from bot.identity import web_console_sender
from bot.settings import Settings
from bot.staff_access import staff_member

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
LOGIN_KIND = "web_login"


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()  # Argon2id with the library's current recommended parameters


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash("not a password of anybody")


def console_binding(staff_id: int) -> str:
    binding = web_console_sender(staff_id).staff_binding
    assert binding is not None
    return binding


def check_password_rules(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InputError(f"密码至少需要{MIN_PASSWORD_CHARS}个字符")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InputError(f"密码最多{MAX_PASSWORD_CHARS}个字符")
    if not password.strip():
        raise InputError("密码不能只有空格")
    return password


def set_password(session: Session, staff: Staff, password: str, *, now: datetime | None = None) -> None:
    """Hash and store the password, and bind the console identity to the record (once)."""
    staff.password_hash = hasher().hash(check_password_rules(password))
    staff.password_set_at = now or utcnow()
    binding = console_binding(staff.id)
    existing = session.scalar(select(StaffChannel).where(StaffChannel.channel_id == binding))
    if existing is None:
        session.add(StaffChannel(staff_id=staff.id, channel_id=binding))
    elif existing.staff_id != staff.id:  # cannot happen: the binding names this record's id
        existing.staff_id = staff.id
    session.flush()


def clear_password(session: Session, staff: Staff) -> None:
    """No console login any more (the binding stays; without a hash nobody can log in)."""
    staff.password_hash = None
    staff.password_set_at = utcnow()
    session.flush()


@dataclass(frozen=True)
class LoginResult:
    outcome: str  # ok | invalid | locked
    staff_id: int | None = None
    name: str | None = None
    locked_until: datetime | None = None


def find_account(session: Session, name: str) -> Staff | None:
    """The staff record by exact name (unique) or ``#<id>``."""
    name = (name or "").strip()
    if name.startswith("#") and name[1:].isdigit():
        return session.get(Staff, int(name[1:]))
    found = list(session.scalars(select(Staff).where(Staff.name == name).limit(2)))
    return found[0] if len(found) == 1 else None


def authenticate(
    session: Session, name: str, password: str, *, now: datetime | None = None, settings: Settings | None = None
) -> LoginResult:
    now = now or utcnow()
    staff = find_account(session, name)
    password = (password or "")[:MAX_PASSWORD_CHARS]
    if staff is None:
        _verify(_dummy_hash(), password)  # about the same time as for a real account
        return LoginResult("invalid")
    sender = str(web_console_sender(staff.id))
    state = lock_state(session, sender, kind=LOGIN_KIND, now=now, settings=settings)
    if state.locked:
        return LoginResult("locked", locked_until=state.locked_until)
    ok = bool(staff.password_hash) and _verify(staff.password_hash or "", password)
    # bot.staff_access decides whether the console identity is staff: active record, binding present
    ok = ok and staff_member(session, sender, settings) is not None
    record_attempt(session, sender, ok, kind=LOGIN_KIND, now=now)
    if not ok:
        return LoginResult("invalid")
    if hasher().check_needs_rehash(staff.password_hash or ""):
        staff.password_hash = hasher().hash(password)
    return LoginResult("ok", staff.id, staff.name)


def _verify(stored: str, password: str) -> bool:
    try:
        return hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
