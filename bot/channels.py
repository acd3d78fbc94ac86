"""Outgoing delivery by channel: proactive messages (status notifications, the staff relay) reach a person
through the deliverer their channel registered in this process.

A front end registers its deliverer when it starts (never at import time): the Telegram application in its
start-up hook, the terminal chat while it runs, ``lueyang notify`` with a send-only bot. ``deliver(sender,
messages)`` finds the sender's channel (``bot.identity``) and hands the messages to that deliverer. The outbox
worker (``bot.notifications.worker``) claims only messages for channels registered in its process, so every
process delivers its own channel's messages.

A deliverer is ``async (identity, messages) -> object``; it raises ``PermanentDeliveryError`` when trying again
cannot help (the user blocked the bot, the chat does not exist), any other exception for a failure worth
retrying.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager

from bot.identity import SenderIdentity, format_of, parse_sender

Deliverer = Callable[[SenderIdentity, Sequence[str]], Awaitable[object]]

_DELIVERERS: dict[str, Deliverer] = {}


class PermanentDeliveryError(Exception):
    """Trying again cannot help (blocked bot, unknown chat, a sender id no channel writes)."""


class ChannelNotRegistered(Exception):
    """No deliverer for the sender's channel in this process (retry later, e.g. from the channel's process)."""


def register(channel: str, deliverer: Deliverer) -> Deliverer | None:
    """Deliver ``channel``'s messages with ``deliverer`` from now on; returns the deliverer it replaces."""
    format_of(channel)  # ValueError for a channel without a sender format
    previous = _DELIVERERS.get(channel)
    _DELIVERERS[channel] = deliverer
    return previous


def unregister(channel: str, deliverer: Deliverer | None = None) -> None:
    """Stop delivering ``channel`` (only if ``deliverer``, when given, is the one registered)."""
    if deliverer is None or _DELIVERERS.get(channel) is deliverer:
        _DELIVERERS.pop(channel, None)


@contextmanager
def registered(channel: str, deliverer: Deliverer) -> Iterator[Deliverer]:
    """``register`` for the duration of a block; the previous deliverer (if any) comes back afterwards."""
    previous = register(channel, deliverer)
    try:
        yield deliverer
    finally:
        if previous is not None:
            _DELIVERERS[channel] = previous
        else:
            unregister(channel, deliverer)


def registered_channels() -> frozenset[str]:
    """The channels this process can deliver to."""
    return frozenset(_DELIVERERS)


async def deliver(sender: str | SenderIdentity, messages: Sequence[str]) -> object:
    """Send ``messages`` (texts, one message each) to ``sender`` through its channel's deliverer."""
    identity = sender if isinstance(sender, SenderIdentity) else parse_sender(sender)
    if identity is None:
        raise PermanentDeliveryError(f"not a sender id of any channel: {str(sender)[:40]!r}")
    deliverer = _DELIVERERS.get(identity.channel)
    if deliverer is None:
        raise ChannelNotRegistered(f"no deliverer for channel {identity.channel!r} in this process")
    return await deliverer(identity, list(messages))


__all__ = [
    "ChannelNotRegistered",
    "Deliverer",
    "PermanentDeliveryError",
    "deliver",
    "register",
    "registered",
    "registered_channels",
    "unregister",
]
