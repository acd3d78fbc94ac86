"""Audit and privacy: the audit log (``record``), pseudonyms, purge and the unanswered-questions report (masking
rules: ``bot.privacy``).

``record(sender_id, action, ...)`` is the one call other areas make; everything else is used by the CLI.
"""

from __future__ import annotations

from bot.audit.log import record

__all__ = ["record"]
