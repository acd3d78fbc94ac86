"""Messages a front end could not hand to Rasa (Rasa down): kept for staff to follow up.

The text is masked (``bot.privacy.mask_text``) before storage; the sender id tells staff how to reach the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import PendingMessage
from bot.db.session import session_scope
from bot.privacy import mask_text

MAX_TEXT = 4000


def store_pending_message(sender_id: str, channel: str, text: str) -> int:
    """Store a message for staff follow-up; returns its id. Raises ``DatabaseUnavailable`` when it cannot."""
    with session_scope() as session:
        msg = PendingMessage(
            channel=(channel or "")[:32],
            sender_id=(sender_id or "")[:128],
            text=mask_text(text)[:MAX_TEXT],
            created_at=utcnow(),
        )
        session.add(msg)
        session.flush()
        return msg.id


def list_pending(
    session: Session, *, include_handled: bool = False, limit: int = 100
) -> list[PendingMessage]:
    stmt = select(PendingMessage).order_by(PendingMessage.created_at, PendingMessage.id).limit(limit)
    if not include_handled:
        stmt = stmt.where(PendingMessage.handled_at.is_(None))
    return list(session.scalars(stmt))


def mark_handled(session: Session, message_id: int, *, now: datetime | None = None) -> bool:
    msg = session.get(PendingMessage, message_id)
    if msg is None or msg.handled_at is not None:
        return False
    msg.handled_at = now or utcnow()
    return True
