"""Issue 14 item 9: the last six of an ID number are stored only as a keyed hash, an ID is shown with at most its
last two characters, and migration 0004 converts existing rows (with the key from the settings)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from bot.cases import replies
from bot.cases.demo import DEMO_STAFF, demo_rows, load_demo
from bot.cases.identity import id_hash, last6_hash, last6_matches, stored_id
from bot.cases.lookup import resident_lookup, staff_lookup
from bot.db import migrate
from bot.db.models import Applicant, Base, Staff
from bot.db.session import session_scope
from bot.settings import get_settings

TODAY = date(2025, 6, 30)
NOW = datetime(2025, 6, 30, 2, 0)
ID = "610727199001011231"


def test_stored_id_keeps_no_plain_fragment_and_depends_on_the_key():
    a = stored_id(ID, key="key-one")
    b = stored_id(ID, key="key-two")
    assert a.id_masked == "****************31"
    assert ID[-6:] not in a.id_last6_hash and ID[-6:] not in a.id_hash
    assert a.id_last6_hash == hmac.new(b"key-one", f"last6:{a.id_hash}:{ID[-6:]}".encode(), hashlib.sha256).hexdigest()
    assert a.id_last6_hash != b.id_last6_hash  # without the key a stored hash cannot be tested against guesses
    # two people with the same last six do not share a stored value
    other = "610719199001011231"
    assert other[-6:] == ID[-6:] and stored_id(other, key="key-one").id_last6_hash != a.id_last6_hash
    assert last6_matches(a.id_hash, a.id_last6_hash, ID[-6:].lower(), key="key-one")
    assert not last6_matches(a.id_hash, a.id_last6_hash, "011232", key="key-one")


def test_the_applicants_table_holds_no_last_six(db):
    rows = demo_rows(TODAY)
    with session_scope() as s:
        load_demo(s, today=TODAY)
    columns = {c["name"] for c in inspect(db).get_columns("applicants")}
    assert "id_last6" not in columns and "id_last6_hash" in columns
    with db.connect() as conn:
        stored = [tuple(str(v) for v in r) for r in conn.execute(text("SELECT * FROM applicants"))]
    by_hash = {r.id_hash: r for r in rows}
    for values in stored:
        row = next(by_hash[v] for v in values if v in by_hash)
        assert not any(row.id_last6 in v for v in values), "a plain last six is stored"
        assert not any(row.id_last6[:4] in v for v in values if v.startswith("*")), "more than 2 shown"


def test_staff_see_at_most_the_last_two_characters(db, params):
    rows = demo_rows(TODAY)
    with session_scope() as s:
        load_demo(s, today=TODAY)
    row = next(r for r in rows if r.town == "接官亭镇")
    full = next(r for r in rows if r.case_no == row.case_no)
    with session_scope() as s:
        staff = s.scalar(select(Staff).where(Staff.name == DEMO_STAFF[0].name))
        found = staff_lookup(s, staff, row.case_no, today=TODAY, params=params)
    shown = replies.staff_result(found)
    assert f"身份证：{'*' * 16}{full.id_last6[-2:]}" in shown
    assert full.id_last6[-4:] not in shown.replace(row.case_no, "")


def test_migration_0004_hashes_existing_last_six_and_drops_the_plain_column(db, monkeypatch, settings):
    """Rows written before 0004 (plain last six, first 4 + last 4 shown) are converted with the ID_HASH_KEY of
    the process that runs the migration; lookups work afterwards."""
    monkeypatch.setenv("ID_HASH_KEY", "the-production-key-of-this-test-0123456789")
    get_settings.cache_clear()
    try:
        migrate.downgrade(db, "0003_handoff")
        hashed = id_hash(ID)
        with db.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO applicants (name, id_hash, id_last6, id_masked, town, created_at, updated_at) "
                    "VALUES ('测试人', :h, :l6, :m, '郭镇', :t, :t)"
                ),
                {"h": hashed, "l6": ID[-6:], "m": ID[:4] + "*" * 10 + ID[-4:], "t": NOW},
            )
            applicant_id = conn.execute(text("SELECT id FROM applicants")).scalar()
            conn.execute(
                text(
                    "INSERT INTO cases (case_no, programme, applicant_id, town, applied_on, accepted_on, status, "
                    "status_changed_on, created_at, updated_at) VALUES ('LY2025DB00042', '低保', :a, '郭镇', "
                    ":d, :d, '调查核实中', :d, :t, :t)"
                ),
                {"a": applicant_id, "d": date(2025, 6, 2), "t": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO verification_attempts (sender_id, kind, success, attempted_at) "
                    "VALUES ('tg-5-5', 'lookup', false, :t)"
                ),
                {"t": NOW},
            )
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
        assert "id_last6" not in {c["name"] for c in inspect(db).get_columns("applicants")}
        with session_scope() as s:
            applicant = s.scalar(select(Applicant))
            assert applicant.id_last6_hash == last6_hash(hashed, ID[-6:])
            assert applicant.id_masked == "*" * 16 + ID[-2:]
        with db.connect() as conn:
            assert conn.execute(text("SELECT user_key FROM verification_attempts")).scalar() == "tg-5-5"
        with session_scope() as s:
            found = resident_lookup(s, "tg-6-6", "LY2025DB00042", ID[-6:], now=NOW, today=TODAY, settings=settings)
        assert found.outcome == "found"
    finally:
        get_settings.cache_clear()


def test_downgrade_below_0004_refuses_to_lose_the_last_six(db):
    with session_scope() as s:
        load_demo(s, today=TODAY)
    with pytest.raises(RuntimeError, match="re-import"):
        migrate.downgrade(db, "0003_handoff")


def test_the_models_match_the_migrations(db):
    with db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
