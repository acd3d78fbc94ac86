"""Messages to a staff member on every chat identity of theirs that can reach them later (reminders).

A staff member's bindings (``StaffChannel``) are read through ``bot.identity``; a channel whose format cannot
reach people later (the terminal) is skipped. Each message goes through the outbox with a dedup key per
recipient, so a reminder run twice the same day queues nothing new.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import StaffChannel
from bot.identity import SenderIdentity, format_of, parse_binding
from bot.notifications.outbox import enqueue

MAX_KEY = 160


def staff_recipients(session: Session, staff_id: int) -> list[str]:
    """Sender ids of the staff member's chats that can receive a proactive message."""
    out = []
    for binding in session.scalars(select(StaffChannel.channel_id).where(StaffChannel.staff_id == staff_id)):
        parsed = parse_binding(binding)
        if parsed is None or not format_of(parsed[0]).subscriptions:
            continue  # a channel that cannot reach people later (terminal)
        out.append(SenderIdentity(parsed[0], parsed[1], parsed[1]).sender_id)
    return out


def queue_for_staff(
    session: Session, staff_id: int, text: str, *, kind: str, dedup_key: Callable[[str], str]
) -> int:
    """Queue ``text`` to each reachable chat of the staff member; ``dedup_key(recipient)`` names each message
    (cut to the outbox's key length). Returns the number of messages queued (0 for those queued before)."""
    queued = 0
    for recipient in staff_recipients(session, staff_id):
        if enqueue(session, recipient, text, kind=kind, dedup_key=dedup_key(recipient)[:MAX_KEY]) is not None:
            queued += 1
    return queued
