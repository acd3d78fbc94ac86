"""Staff alerts when someone guesses at case lookups: the failure that locks a user or a case number
(``bot.cases.verification``) writes an audit entry and tells the bureau's admins and hotline staff through the
notification outbox, in the lookup's transaction.

One alert per lock: the outbox's dedup key names the recipient, the subject and the end of the lock. Recipients
are the senders the one staff check (``bot.staff_access``) accepts as admin or hotline staff, in their private
chat on a channel that reaches them later (``SenderFormat.subscriptions``: Telegram): active staff records
bound there, and ``STAFF_TELEGRAM_IDS`` users without a record. The alert never carries an ID fragment; the
user appears as their audit pseudonym.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.audit.log import add_entry
from bot.audit.pseudonym import pseudonym
from bot.cases.verification import CASE, USER, LockState
from bot.clock import to_china
from bot.db.models import Staff, StaffChannel
from bot.identity import SenderIdentity, channel_of, format_of, parse_binding, telegram_sender
from bot.notifications.outbox import enqueue
from bot.settings import Settings, get_settings
from bot.staff_access import staff_member

ALERT_ROLES = ("admin", "hotline")
AUDIT_ACTION = "lookup_lockout"


def _hhmm(until: datetime) -> str:
    local = to_china(until)
    return f"{local.month}月{local.day}日{local.hour}:{local.minute:02d}"


def alert_text(scope: str, state: LockState, *, case_no: str, user_ref: str, channel: str | None) -> str:
    """The staff alert for one lock (plain Chinese, no personal data: the user by pseudonym)."""
    assert state.locked_until is not None
    if scope == CASE:
        return (
            f"【安全提醒】案件编号 {case_no} 近一小时内已有{state.failures}次身份证后六位核对失败，"
            f"可能有人在猜测申请人的信息。该案件编号的在线查询已暂停到{_hhmm(state.locked_until)}。"
            "如申请人本人来电询问进度，请核实身份后告知；详情见审计日志。"
        )
    where = f"（{format_of(channel).label or channel}）" if channel else ""
    return (
        f"【安全提醒】一位用户{where}（审计代号 {user_ref}）近一小时内案件查询核对失败{state.failures}次，"
        f"可能在猜测他人的身份证后六位。该用户的查询已暂停到{_hhmm(state.locked_until)}，最近一次尝试的案件编号为"
        f" {case_no}。详情见审计日志。"
    )


def alert_recipients(session: Session, settings: Settings | None = None) -> list[str]:
    """Private-chat sender ids of the admins and hotline staff an alert reaches (see the module)."""
    settings = settings or get_settings()
    candidates: list[SenderIdentity] = []
    bindings = session.scalars(
        select(StaffChannel.channel_id)
        .join(Staff)
        .where(Staff.active.is_(True), Staff.role.in_(ALERT_ROLES))
        .order_by(StaffChannel.id)
    )
    for binding in bindings:
        parsed = parse_binding(binding)
        if parsed is not None and format_of(parsed[0]).subscriptions:
            channel, user = parsed
            candidates.append(SenderIdentity(channel, user, user))
    candidates += [telegram_sender(uid, uid) for uid in sorted(settings.staff_telegram_ids)]
    out: list[str] = []
    for identity in candidates:
        member = staff_member(session, identity, settings)
        if member is not None and member.role in ALERT_ROLES and identity.sender_id not in out:
            out.append(identity.sender_id)
    return out


def alert_lockouts(
    session: Session,
    sender_id: str,
    case_no: str,
    states: dict[str, LockState],
    *,
    now: datetime,
    settings: Settings | None = None,
) -> int:
    """Audit and alert each locked subject of a failed lookup (``states`` from ``subject_states``); returns the
    number of messages queued."""
    queued = 0
    user_ref = pseudonym(sender_id, settings)
    channel = channel_of(sender_id)
    for scope in (USER, CASE):
        state = states.get(scope)
        if state is None or not state.locked or state.locked_until is None:
            continue
        text = alert_text(scope, state, case_no=case_no, user_ref=user_ref, channel=channel)
        subject = case_no if scope == CASE else user_ref
        add_entry(
            session, sender_id=sender_id, action=AUDIT_ACTION, intent="check_status", role="resident",
            detail=f"{scope} locked until {state.locked_until:%Y-%m-%d %H:%M} UTC after {state.failures} "
            f"failures; case number tried: {case_no}", at=now,
        )  # fmt: skip
        tag = hashlib.sha256(f"{scope}:{subject}:{state.locked_until.isoformat()}".encode()).hexdigest()[:24]
        for recipient in alert_recipients(session, settings):
            if enqueue(session, recipient, text, kind="alert", dedup_key=f"lockout:{tag}:{recipient}"[:160], now=now):
                queued += 1
    return queued


__all__ = ["ALERT_ROLES", "AUDIT_ACTION", "alert_lockouts", "alert_recipients", "alert_text"]
