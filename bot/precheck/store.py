"""Saving a pre-check result with the resident's consent, under a reference number for the township office."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.db.base import utcnow
from bot.db.models.precheck import PrecheckRecord
from bot.db.session import session_scope
from bot.errors import AssistantError, InputError
from bot.precheck.model import Result

# No 0/O, 1/I/L: easy to read out on the phone or at a counter.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_PREFIX = "YJ"  # 预检
_ATTEMPTS = 5


def summary_of(result: Result, town: str | None) -> dict[str, Any]:
    """What is stored about a result (JSON-friendly; kept in a slot between showing and saving)."""
    return {
        "overall": result.overall.value,
        "reason": result.reason,
        "category": result.category.value if result.category else None,
        "outcomes": result.outcomes(),
        "rules_version": result.rules_version,
        "data_version": result.data_version,
        "town": town,
    }


def new_reference(today: date) -> str:
    """``YJ261128-7KQ3``: prefix, date, four random characters."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(4))
    return f"{_PREFIX}{today:%y%m%d}-{suffix}"


def normalise_reference(text: str) -> str:
    return text.strip().upper().replace(" ", "")


def save_result(
    *, sender_id: str, answers: Mapping[str, Any], summary: Mapping[str, Any], today: date, now: datetime | None = None
) -> str:
    """Store a consented result; return its reference number. Raises ``DatabaseUnavailable`` when the DB is down."""
    if not summary or "overall" not in summary:
        raise InputError("没有可以保存的预检结果。")
    now = now or utcnow()
    for _ in range(_ATTEMPTS):
        reference = new_reference(today)
        try:
            with session_scope() as session:
                session.add(
                    PrecheckRecord(
                        reference=reference,
                        sender_id=sender_id,
                        town=summary.get("town"),
                        category=summary.get("category"),
                        overall=summary["overall"],
                        reason=summary.get("reason") or "",
                        answers=dict(answers),
                        outcomes=dict(summary.get("outcomes") or {}),
                        rules_version=summary.get("rules_version") or "",
                        data_version=summary.get("data_version") or "",
                        consented_at=now,
                        created_at=now,
                    )
                )
            return reference
        except IntegrityError:  # the random reference already exists: draw another one
            continue
    raise AssistantError("could not draw a free pre-check reference number")


def find_by_reference(reference: str) -> PrecheckRecord | None:
    """The saved result for a reference number (for township staff), or None."""
    with session_scope() as session:
        record = session.scalars(
            select(PrecheckRecord).where(PrecheckRecord.reference == normalise_reference(reference))
        ).first()
        if record is not None:
            session.expunge(record)
        return record


def purge_expired(retention_days: int, now: datetime | None = None) -> int:
    """Delete saved results older than ``retention_days``; returns how many were deleted."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    with session_scope() as session:
        result = session.execute(delete(PrecheckRecord).where(PrecheckRecord.created_at < cutoff))
        return int(result.rowcount or 0)
