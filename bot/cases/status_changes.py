"""A case's status changed: tell its subscribers, in the transaction that changes the status.

``on_status_changed(session, case, old, new)`` must be called wherever a case's status changes (the CLI);
importers call the bulk form ``notify_status_changes(session, report.status_changes)`` after writing the rows.
The text says the new status in plain words and the resident's next step (``bot.cases.status``); the fan-out to
subscribers and the outbox belong to ``bot.notifications``. Reporting the same change twice queues nothing new.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.cases.status import status_for
from bot.db.models import Case
from bot.errors import CaseNumberError
from bot.notifications.subscriptions import notify_subscribers, subscribed_cases
from bot.parsing.case_numbers import programme_of


def status_message(case_no: str, new: str) -> str:
    """The notification text: the new status in plain words and the resident's next step."""
    status = status_for(new, _programme(case_no))
    lines = [f"【进度提醒】您订阅的申请 {case_no} 有新进展：", f"当前状态：{new}"]
    if status is not None:
        lines.append(f"这表示：{status.meaning}")
        lines.append(f"下一步：{status.next_step}")
    lines.append("发送 /unsubscribe 可以取消提醒。")
    return "\n".join(lines)


def _programme(case_no: str) -> str | None:
    try:
        return programme_of(case_no)
    except CaseNumberError:
        return None


def on_status_changed(session: Session, case: Case, old: str | None, new: str) -> int:
    """Queue a notification for every active subscriber of ``case``. Returns how many were queued.

    ``case`` may be an ORM ``Case`` or any row with ``id``, ``case_no`` and ``status_changed_on``.
    """
    if old == new or case.id is None:
        return 0
    stamp = case.status_changed_on.isoformat() if case.status_changed_on else ""
    event = f"{old or '-'}>{new}@{stamp}"
    return notify_subscribers(session, case.id, status_message(case.case_no, new), kind="status", event=event)


def notify_status_changes(session: Session, changes: list[tuple[str, str | None, str]]) -> int:
    """Bulk form for importers: ``changes`` = [(case_no, old, new), ...] (e.g. ``ImportReport.status_changes``).

    New cases (old None) and unchanged statuses are skipped; one query finds the subscribed cases. Call it in
    the import's transaction, after the rows were written.
    """
    wanted = {case_no: (old, new) for case_no, old, new in changes if old is not None and old != new}
    if not wanted:
        return 0
    queued = 0
    for case in subscribed_cases(session, list(wanted)):
        old, new = wanted[case.case_no]
        queued += on_status_changed(session, case, old, new)
    return queued


__all__ = ["notify_status_changes", "on_status_changed", "status_message"]
