"""Status notifications: subscriptions, the outbox and its delivery worker.

Other areas call ``on_status_changed(session, case, old, new)`` in the transaction that changes a case's
status (import, CLI); staff relay and notifications are sent by ``lueyang notify run``.
"""

from __future__ import annotations


def on_status_changed(session, case, old: str | None, new: str) -> int:
    """Queue a status notification for each active subscriber of ``case`` (see ``subscriptions``)."""
    from bot.notifications.subscriptions import on_status_changed as _hook

    return _hook(session, case, old, new)


def notify_status_changes(session, changes) -> int:
    """Bulk form for importers: ``[(case_no, old, new), ...]`` (see ``subscriptions.notify_status_changes``)."""
    from bot.notifications.subscriptions import notify_status_changes as _bulk

    return _bulk(session, changes)


__all__ = ["notify_status_changes", "on_status_changed"]
