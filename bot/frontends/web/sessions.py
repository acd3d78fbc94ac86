"""Session cookies and CSRF tokens of the web channel.

- A resident's page session is a random conversation id (``bot.identity.web_sender``) in the cookie
  ``ly_chat``, signed with HMAC-SHA256 so nobody can write themselves into another conversation. Nothing personal
  is in the cookie or in any URL; the conversation (Rasa's tracker) survives page reloads and restarts.
- The CSRF token of a page session is an HMAC of its conversation id under a separate purpose: every POST must
  carry it in the ``csrf`` field (and a cross-site ``Origin`` is refused as well).
- A staff console login is a random token in ``ly_staff`` naming a server-side ``StaffLogin`` (kept in memory,
  ended by logging out, by ``STAFF_LOGIN_HOURS`` or by a restart). Who the person is, and whether they are still
  staff, is asked of ``bot.staff_access`` on every request.
- Before logging in, the login form's CSRF token is tied to a random ``ly_login`` cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigurationError
from bot.identity import SenderIdentity, web_console_sender, web_sender
from bot.settings import MIN_SECRET_CHARS, PLACEHOLDER_RE, Settings

CHAT_COOKIE = "ly_chat"
STAFF_COOKIE = "ly_staff"
LOGIN_COOKIE = "ly_login"
SIZE_COOKIE = "ly_size"
CHAT_COOKIE_DAYS = 30
STAFF_LOGIN_HOURS = 10
SECRET_FILE = "web-secret.key"


def load_secret(settings: Settings) -> bytes:
    """``WEB_SECRET``; in the embedded profile without it, a random key kept in ``var/web-secret.key`` (0600).

    The production profile refuses to start without a long ``WEB_SECRET`` (ConfigurationError)."""
    if settings.web_secret:
        if settings.profile == "production":
            if PLACEHOLDER_RE.search(settings.web_secret):
                raise ConfigurationError("WEB_SECRET is still the CHANGE-ME placeholder of deploy/production.env.example")
            if len(settings.web_secret) < MIN_SECRET_CHARS:
                raise ConfigurationError(f"WEB_SECRET must be at least {MIN_SECRET_CHARS} characters long")
        return settings.web_secret.encode("utf-8")
    if settings.profile == "production":
        raise ConfigurationError("WEB_SECRET must be set to a secret value in the production profile")
    path = Path(settings.var_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_urlsafe(48))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_CHARS:
        raise ConfigurationError(f"{path} holds no usable key: delete it (a new one is made) or set WEB_SECRET")
    return key.encode("ascii")


class Signer:
    """HMAC-SHA256 tokens under named purposes (cookie signatures, CSRF tokens)."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("empty signing key")
        self._key = key

    def sign(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()[:40]

    def check(self, purpose: str, value: str, signature: str | None) -> bool:
        return bool(signature) and hmac.compare_digest(self.sign(purpose, value), str(signature))

    # resident page sessions
    def chat_cookie(self, conversation: str) -> str:
        return f"{conversation}.{self.sign('chat', conversation)}"

    def conversation_of(self, cookie: str | None) -> SenderIdentity | None:
        """The page session a ``ly_chat`` cookie names, or None (missing, malformed or forged)."""
        conversation, _, signature = (cookie or "").partition(".")
        if not self.check("chat", conversation, signature):
            return None
        try:
            return web_sender(conversation)
        except ValueError:
            return None

    def chat_csrf(self, identity: SenderIdentity) -> str:
        return self.sign("csrf-chat", identity.chat)

    # the login form (before a staff login exists)
    def login_csrf(self, nonce: str) -> str:
        return self.sign("csrf-login", nonce)


def new_conversation() -> SenderIdentity:
    return web_sender(secrets.token_hex(16))


@dataclass
class StaffLogin:
    token: str
    staff_id: int
    name: str
    csrf: str
    expires: float

    @property
    def sender(self) -> SenderIdentity:
        return web_console_sender(self.staff_id)


class StaffLogins:
    """Console logins in memory: token -> ``StaffLogin`` (bounded; the oldest go first)."""

    def __init__(self, *, hours: float = STAFF_LOGIN_HOURS, limit: int = 2000, clock: Callable[[], float] = time.time):
        self.ttl = hours * 3600.0
        self.limit = limit
        self.clock = clock
        self._logins: OrderedDict[str, StaffLogin] = OrderedDict()

    def start(self, staff_id: int, name: str) -> StaffLogin:
        login = StaffLogin(secrets.token_urlsafe(32), staff_id, name, secrets.token_urlsafe(24), self.clock() + self.ttl)
        self._logins[login.token] = login
        while len(self._logins) > self.limit:
            self._logins.popitem(last=False)
        return login

    def get(self, token: str | None) -> StaffLogin | None:
        login = self._logins.get(token or "")
        if login is None:
            return None
        if login.expires <= self.clock():
            self._logins.pop(login.token, None)
            return None
        return login

    def end(self, token: str | None) -> StaffLogin | None:
        return self._logins.pop(token or "", None)

    def end_all(self, staff_id: int) -> int:
        gone = [t for t, login in self._logins.items() if login.staff_id == staff_id]
        for token in gone:
            self._logins.pop(token, None)
        return len(gone)


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, str(given))
