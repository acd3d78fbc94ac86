"""The audit log: ``record(...)`` writes one entry of what the assistant told whom.

Call it from every action that tells a person something that matters afterwards (a policy answer, a case
shown, a pre-check result, a ticket, an emergency reply). The person appears only as a pseudonym
(``bot.audit.pseudonym``); ``detail`` is masked; the policy-knowledge and county-parameter versions in force are
stored with each entry, so the bureau can reconstruct which data an answer came from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.audit.pseudonym import pseudonym
from bot.db.models import AuditEntry
from bot.db.session import session_scope
from bot.errors import AssistantError
from bot.identity import channel_of
from bot.policy.knowledge import load_knowledge
from bot.policy.parameters import load_parameters
from bot.privacy import mask_text

log = logging.getLogger(__name__)


def data_versions() -> tuple[str | None, str | None]:
    """(policy knowledge version, county parameter version); None where a data file cannot be read."""
    policy = params = None
    try:
        policy = load_knowledge().version
    except (AssistantError, OSError):
        log.debug("policy knowledge version unavailable", exc_info=True)
    try:
        params = load_parameters().version
    except (AssistantError, OSError):
        log.debug("county parameter version unavailable", exc_info=True)
    return policy, params


def add_entry(
    session: Session,
    *,
    sender_id: str,
    action: str,
    intent: str | None = None,
    topic: str | None = None,
    case_no: str | None = None,
    detail: str | None = None,
    role: str = "resident",
    staff_id: int | None = None,
    channel: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add an entry to ``session`` (committed with the caller's transaction)."""
    policy_version, params_version = data_versions()
    entry = AuditEntry(
        user_ref=pseudonym(sender_id),
        role=role,
        staff_id=staff_id,
        channel=channel or channel_of(sender_id),
        intent=(intent or None) and intent[:64],
        action=action[:64],
        topic=(topic or None) and mask_text(topic)[:128],
        case_no=case_no,
        detail=mask_text(detail) if detail else None,
        policy_version=policy_version,
        params_version=params_version,
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    return entry


def record(
    sender_id: str,
    action: str,
    *,
    intent: str | None = None,
    topic: str | None = None,
    case_no: str | None = None,
    detail: str | None = None,
    role: str = "resident",
    staff_id: int | None = None,
    channel: str | None = None,
) -> bool:
    """Write one audit entry in its own transaction. Never raises: an audit failure is logged (masked) and
    the conversation goes on. Returns True when the entry was written."""
    try:
        with session_scope() as session:
            add_entry(
                session,
                sender_id=sender_id,
                action=action,
                intent=intent,
                topic=topic,
                case_no=case_no,
                detail=detail,
                role=role,
                staff_id=staff_id,
                channel=channel,
            )
        return True
    except Exception as exc:  # noqa: BLE001 - auditing must never break a reply
        log.warning("audit entry not written (%s): action=%s", exc.__class__.__name__, action)
        return False


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    user_ref: str
    role: str
    staff_id: int | None
    intent: str | None
    action: str
    topic: str | None
    case_no: str | None
    detail: str | None
    policy_version: str | None
    params_version: str | None


def entries(
    session: Session,
    *,
    case_no: str | None = None,
    sender_id: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditRow]:
    """Entries, newest first, optionally for one case, one person (by sender id) or since a time."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if case_no:
        stmt = stmt.where(AuditEntry.case_no == case_no)
    if sender_id:
        stmt = stmt.where(AuditEntry.user_ref == pseudonym(sender_id))
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    return [
        AuditRow(
            e.at,
            e.user_ref,
            e.role,
            e.staff_id,
            e.intent,
            e.action,
            e.topic,
            e.case_no,
            e.detail,
            e.policy_version,
            e.params_version,
        )
        for e in session.scalars(stmt)
    ]
