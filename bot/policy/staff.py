"""Who gets the hotline script version of answers.

For now: Telegram senders (``tg-<chat_id>-<user_id>``) whose user id is in ``STAFF_TELEGRAM_IDS``, and the
terminal chat's staff mode (sender ids starting with ``term-staff``). A later change also consults the staff table.
"""

from __future__ import annotations

from bot.settings import Settings, get_settings

TERMINAL_STAFF_PREFIX = "term-staff"


def telegram_user_id(sender_id: str) -> int | None:
    """The Telegram user id of a ``tg-<chat_id>-<user_id>`` sender id (chat ids of groups are negative)."""
    if not sender_id or not sender_id.startswith("tg-"):
        return None
    _, _, user = sender_id.rpartition("-")
    try:
        return int(user)
    except ValueError:
        return None


def is_staff(sender_id: str | None, settings: Settings | None = None) -> bool:
    if not sender_id:
        return False
    if sender_id.startswith(TERMINAL_STAFF_PREFIX):
        return True
    user = telegram_user_id(sender_id)
    if user is None:
        return False
    settings = settings or get_settings()
    return user in settings.staff_telegram_ids
