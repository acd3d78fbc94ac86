"""Audit and privacy: the audit log (``record``), pseudonyms, purge and the unanswered-questions report (masking
rules: ``bot.privacy``).

``record(sender_id, action, ...)`` is the one call other areas make; everything else is used by the CLI.
"""

from __future__ import annotations


def record(sender_id: str, action: str, **kwargs) -> bool:
    """Write one audit entry (see ``bot.audit.log.record``); never raises."""
    from bot.audit.log import record as _record

    return _record(sender_id, action, **kwargs)


__all__ = ["record"]
