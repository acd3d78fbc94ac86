"""The audit log: pseudonymous, masked, with data versions; never breaks a reply."""

from __future__ import annotations

from sqlalchemy import select

from bot.audit import record
from bot.audit.log import entries
from bot.audit.pseudonym import pseudonym
from bot.db.models import AuditEntry
from bot.db.session import make_engine, session_scope, set_engine
from bot.policy.parameters import load_parameters
from bot.settings import Settings

SENDER = "tg-6660001-6660001"


def test_record_is_pseudonymous_masked_and_versioned(db):
    assert record(
        SENDER,
        "case_lookup",
        intent="check_status",
        case_no="LY2024DB00001",
        topic="进度查询",
        detail="shown to caller; id 610727199001011234, phone 13812345678, 后六位123456",
    )
    with session_scope() as s:
        e = s.scalar(select(AuditEntry))
    assert e.user_ref == pseudonym(SENDER) and e.user_ref.startswith("u-") and "6660001" not in e.user_ref
    assert e.case_no == "LY2024DB00001" and e.intent == "check_status" and e.channel == "telegram"
    for secret in ("610727199001011234", "13812345678", "123456"):
        assert secret not in e.detail
    assert e.params_version == load_parameters().version
    assert e.policy_version  # the knowledge base version
    with session_scope() as s:
        (row,) = entries(s, case_no="LY2024DB00001")
        assert row.action == "case_lookup"
        assert entries(s, sender_id=SENDER)[0].case_no == "LY2024DB00001"
        assert entries(s, sender_id="tg-1-1") == []


def test_staff_lookups_are_recorded_with_the_staff_record(db):
    record(SENDER, "staff_case_lookup", role="staff", staff_id=7, case_no="LY2024DB00002")
    with session_scope() as s:
        e = s.scalar(select(AuditEntry))
    assert (e.role, e.staff_id, e.case_no) == ("staff", 7, "LY2024DB00002")


def test_pseudonym_depends_on_the_key():
    a = pseudonym(SENDER, Settings.from_env({"ID_HASH_KEY": "k1"}))
    b = pseudonym(SENDER, Settings.from_env({"ID_HASH_KEY": "k2"}))
    assert a != b and a == pseudonym(SENDER, Settings.from_env({"ID_HASH_KEY": "k1"}))


def test_audit_failure_never_raises(tmp_path, caplog):
    set_engine(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))  # no tables
    try:
        assert record(SENDER, "answer", detail="phone 13812345678") is False
    finally:
        set_engine(None)
    assert "13812345678" not in caplog.text
