"""Pseudonymous user ids: a keyed hash of the conversation (sender) id, stable per person, not reversible
without ``ID_HASH_KEY``."""

from __future__ import annotations

import hashlib
import hmac

from bot.settings import Settings, get_settings


def pseudonym(sender_id: str, settings: Settings | None = None) -> str:
    """``u-`` + 16 hex characters of HMAC-SHA256(ID_HASH_KEY, "sender:" + sender_id)."""
    key = (settings or get_settings()).id_hash_key.encode("utf-8")
    digest = hmac.new(key, f"sender:{sender_id or ''}".encode(), hashlib.sha256).hexdigest()
    return "u-" + digest[:16]
