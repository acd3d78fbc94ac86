"""Who is talking: the sender ids the front ends give Rasa, and the identities staff records are bound to.

A sender id names a channel, a chat and a user. Each channel writes it in its own format, declared once in
``FORMATS`` (nothing else in the project reads or writes these strings):

| channel | sender id | staff binding |
| --- | --- | --- |
| ``telegram`` | ``tg-<chat id>-<user id>`` (group chat ids are negative: ``tg--1001234-42``) | ``tg-user:<user id>`` |
| ``terminal`` | ``term-<name>`` | ``term:<name>`` |
| ``web`` | ``web-<32 hex>`` (a resident's page session), ``web-s<staff id>`` (a staff console login) | ``web:s<staff id>`` |

A chat is private when it is the user's own (Telegram: chat id = user id; a one-part id such as the terminal's
names a private session). Staff bindings are what ``lueyang staff add --channel`` and ``/bind`` store on a staff
record: the person on that channel, whatever chat they write from.

A new channel is one ``SenderFormat`` entry in ``FORMATS`` (a test may ``register_format`` a made-up one); its
outgoing messages are delivered by the deliverer its front end registers in ``bot.channels``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

TELEGRAM = "telegram"
TERMINAL = "terminal"
WEB = "web"

_TERMINAL_NAME_JUNK = re.compile(r"[^\w-]+")
TERMINAL_NAME_MAX = 64
_WEB_CONVERSATION = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class SenderFormat:
    """How one channel writes sender ids and staff bindings.

    ``chat`` and ``user`` are regular expressions of the two parts of ``<prefix>-<chat>-<user>``; with ``user``
    None the id is ``<prefix>-<name>`` and the name is both chat and user (a private session).
    """

    channel: str  # the channel name: message metadata "channel", audit entries, tickets, bot.channels
    prefix: str  # sender ids start with "<prefix>-"
    chat: str
    user: str | None = None
    binding: str | None = None  # staff bindings are "<binding>:<user>"; None: staff cannot bind on this channel
    binding_hint: str = ""  # what follows "<binding>:" in the Chinese error message, e.g. "<名字>"
    label: str = ""  # the channel's name for users
    subscriptions: bool = False  # reaches the person later, outside the conversation (status notifications)

    @property
    def sender_prefix(self) -> str:
        return f"{self.prefix}-"


FORMATS: dict[str, SenderFormat] = {
    f.channel: f
    for f in (
        SenderFormat(
            TELEGRAM, "tg", chat=r"-?\d+", user=r"\d+", binding="tg-user", binding_hint="<Telegram用户ID>",
            label="Telegram", subscriptions=True,
        ),
        SenderFormat(TERMINAL, "term", chat=r".+", binding="term", binding_hint="<名字>", label="终端"),
        # a resident's page session (random, from the session cookie) or a staff member's console login
        SenderFormat(WEB, "web", chat=r"[0-9a-f]{32}|s[1-9][0-9]{0,8}", binding="web", binding_hint="s<工作人员编号>",
                     label="网页"),
    )
}  # fmt: skip


@lru_cache(maxsize=64)
def _sender_pattern(fmt: SenderFormat) -> re.Pattern[str]:
    body = f"(?P<chat>{fmt.chat})" + (f"-(?P<user>{fmt.user})" if fmt.user is not None else "")
    return re.compile(f"{re.escape(fmt.prefix)}-{body}")


@lru_cache(maxsize=64)
def _binding_value_pattern(fmt: SenderFormat) -> re.Pattern[str]:
    return re.compile(fmt.user if fmt.user is not None else fmt.chat)


@dataclass(frozen=True)
class SenderIdentity:
    """One person in one chat on one channel. ``str()`` gives the sender id."""

    channel: str
    chat: str
    user: str

    def __post_init__(self) -> None:
        fmt = format_of(self.channel)
        if fmt.user is None and self.chat != self.user:
            raise ValueError(f"a {self.channel} sender id names one private session, not chat {self.chat!r}")
        if not _sender_pattern(fmt).fullmatch(self.sender_id):
            raise ValueError(f"not a valid {self.channel} sender: chat {self.chat!r}, user {self.user!r}")

    @classmethod
    def parse(cls, sender_id: str) -> SenderIdentity:
        """The identity behind a sender id; ValueError when no channel writes ids like it."""
        found = parse_sender(sender_id)
        if found is None:
            raise ValueError(f"not a sender id: {sender_id!r}")
        return found

    @property
    def format(self) -> SenderFormat:
        return format_of(self.channel)

    @property
    def sender_id(self) -> str:
        fmt = self.format
        return f"{fmt.prefix}-{self.chat}" + (f"-{self.user}" if fmt.user is not None else "")

    def __str__(self) -> str:
        return self.sender_id

    @property
    def is_private(self) -> bool:
        """The user's own chat (Telegram: chat id = user id; one-part ids are always private)."""
        return self.chat == self.user

    @property
    def staff_binding(self) -> str | None:
        """The identity a staff record binds for this person (``tg-user:<id>``, ``term:<name>``), if any."""
        binding = self.format.binding
        return f"{binding}:{self.user}" if binding else None


# -- the registry of formats -----------------------------------------------------------------------------
def formats() -> tuple[SenderFormat, ...]:
    return tuple(FORMATS.values())


def format_of(channel: str) -> SenderFormat:
    try:
        return FORMATS[channel]
    except KeyError:
        raise ValueError(f"unknown channel {channel!r}") from None


def register_format(fmt: SenderFormat) -> None:
    """Add a channel's format (a channel defined outside this module, e.g. a made-up one in a test)."""
    for other in FORMATS.values():
        if other.channel == fmt.channel:
            raise ValueError(f"channel {fmt.channel!r} is already registered")
        if other.prefix == fmt.prefix or (fmt.binding and other.binding == fmt.binding):
            raise ValueError(f"sender id prefix or binding of {fmt.channel!r} already used by {other.channel!r}")
    FORMATS[fmt.channel] = fmt


def unregister_format(channel: str) -> None:
    FORMATS.pop(channel, None)


@contextmanager
def registered_format(fmt: SenderFormat) -> Iterator[SenderFormat]:
    """``register_format`` for the duration of a block."""
    register_format(fmt)
    try:
        yield fmt
    finally:
        unregister_format(fmt.channel)


# -- sender ids ------------------------------------------------------------------------------------------
def parse_sender(sender_id: str | None) -> SenderIdentity | None:
    """The identity behind a sender id, or None when no registered channel writes ids like it."""
    text = (sender_id or "").strip()
    for fmt in FORMATS.values():
        if not text.startswith(fmt.sender_prefix):
            continue
        m = _sender_pattern(fmt).fullmatch(text)
        if m:
            chat = m.group("chat")
            return SenderIdentity(fmt.channel, chat, m.group("user") if fmt.user is not None else chat)
    return None


def channel_of(sender_id: str | None) -> str | None:
    """The channel name of a sender id (``telegram``, ``terminal``, ...), or None."""
    found = parse_sender(sender_id)
    return found.channel if found else None


def is_private(sender_id: str | None) -> bool:
    found = parse_sender(sender_id)
    return found is not None and found.is_private


def staff_binding(sender_id: str | None) -> str | None:
    """``tg-<chat>-<user>`` -> ``tg-user:<user>``; ``term-<name>`` -> ``term:<name>``; else None."""
    found = parse_sender(sender_id)
    return found.staff_binding if found else None


def can_subscribe(sender_id: str | None) -> bool:
    """Whether the sender's channel reaches them later (status notifications are offered only there)."""
    found = parse_sender(sender_id)
    return found is not None and found.format.subscriptions


def subscription_labels() -> list[str]:
    """Users' names of the channels that can hold status notifications (for the "only through ..." reply)."""
    return [f.label or f.channel for f in FORMATS.values() if f.subscriptions]


def telegram_sender(chat_id: int, user_id: int) -> SenderIdentity:
    """One conversation per user per chat (a group chat has one conversation per member)."""
    return SenderIdentity(TELEGRAM, str(int(chat_id)), str(int(user_id)))


def terminal_sender(name: str) -> SenderIdentity:
    """A terminal session: the name is cleaned to letters, digits, ``_`` and ``-`` (``local`` when empty)."""
    cleaned = _TERMINAL_NAME_JUNK.sub("_", (name or "").strip()).strip("_")[:TERMINAL_NAME_MAX] or "local"
    return SenderIdentity(TERMINAL, cleaned, cleaned)


def web_sender(conversation: str) -> SenderIdentity:
    """A resident's web page session: ``conversation`` is 32 random hex digits kept in the session cookie."""
    if not _WEB_CONVERSATION.fullmatch(conversation or ""):
        raise ValueError("a web conversation id is 32 lower-case hex digits")
    return SenderIdentity(WEB, conversation, conversation)


def web_console_sender(staff_id: int) -> SenderIdentity:
    """The staff console's identity of staff member ``staff_id`` (its binding ``web:s<id>`` is on the record)."""
    name = f"s{int(staff_id)}"
    return SenderIdentity(WEB, name, name)


def is_web_console(identity: SenderIdentity | None) -> bool:
    """A staff console login (``web-s<id>``) rather than a resident's page session."""
    return identity is not None and identity.channel == WEB and identity.chat.startswith("s")


def telegram_chat_id(identity: SenderIdentity) -> int:
    """The Telegram chat to send to; ValueError for a sender of another channel."""
    if identity.channel != TELEGRAM:
        raise ValueError(f"not a Telegram sender: {identity.sender_id!r}")
    return int(identity.chat)


def telegram_user_id(identity: SenderIdentity) -> int | None:
    """The Telegram user id of a Telegram sender, None for other channels."""
    return int(identity.user) if identity.channel == TELEGRAM else None


# -- staff bindings --------------------------------------------------------------------------------------
def parse_binding(binding: str | None) -> tuple[str, str] | None:
    """``tg-user:42`` -> ("telegram", "42"); ``term:wang`` -> ("terminal", "wang"); None when malformed."""
    prefix, sep, value = (binding or "").strip().partition(":")
    if not sep:
        return None
    for fmt in FORMATS.values():
        if fmt.binding == prefix and _binding_value_pattern(fmt).fullmatch(value):
            return fmt.channel, value
    return None


def binding_forms() -> list[str]:
    """The accepted staff-binding forms, e.g. ``tg-user:<Telegram用户ID>``, for messages and help texts."""
    return [f"{f.binding}:{f.binding_hint or '<ID>'}" for f in FORMATS.values() if f.binding]


__all__ = [
    "FORMATS",
    "TELEGRAM",
    "TERMINAL",
    "WEB",
    "SenderFormat",
    "SenderIdentity",
    "binding_forms",
    "can_subscribe",
    "channel_of",
    "format_of",
    "formats",
    "is_private",
    "parse_binding",
    "parse_sender",
    "register_format",
    "registered_format",
    "staff_binding",
    "subscription_labels",
    "telegram_chat_id",
    "telegram_sender",
    "telegram_user_id",
    "terminal_sender",
    "unregister_format",
    "web_console_sender",
    "web_sender",
    "is_web_console",
]
