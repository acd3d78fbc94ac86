from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from bot.cases import service
from bot.db import migrate
from bot.db.models import Base, Staff
from bot.db.session import make_engine, normalize_url, safe_url, session_scope, set_engine
from bot.errors import DatabaseUnavailable
from bot.staff_access import is_staff


def test_url_normalisation():
    assert normalize_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert normalize_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    assert "secret" not in safe_url("postgresql://u:secret@h/db")


def test_migrations_create_every_model_table(db):
    assert migrate.current_revision(db) == migrate.head_revision()
    tables = set(inspect(db).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_downgrade_to_empty_and_back(db):
    migrate.downgrade(db, "base")
    assert not (set(Base.metadata.tables) & set(inspect(db).get_table_names()))
    migrate.upgrade(db)
    assert set(Base.metadata.tables) <= set(inspect(db).get_table_names())


def test_session_scope_commits_and_rolls_back(db):
    with session_scope() as s:
        s.add(Staff(name="甲", role="admin", towns=[]))
    with pytest.raises(RuntimeError), session_scope() as s:
        s.add(Staff(name="乙", role="admin", towns=[]))
        s.flush()
        raise RuntimeError("boom")
    with session_scope() as s:
        assert list(s.scalars(select(Staff.name))) == ["甲"]


@pytest.fixture
def dead_db():
    engine = make_engine("postgresql://postgres@127.0.0.1:1/test", connect_args={"connect_timeout": 1})
    set_engine(engine)
    yield engine
    set_engine(None)


def test_unreachable_database_raises_database_unavailable(dead_db):
    with pytest.raises(DatabaseUnavailable), session_scope() as s:
        s.execute(text("select 1"))


def test_unreachable_database_gives_a_polite_reply_with_the_office(dead_db):
    reply = service.status_reply("tg-1-1", case_no="LY2024DB00123", id_last6="123456", town="郭镇").text
    assert reply.startswith("抱歉") and "郭镇" in reply and "民政办" in reply
    assert "Traceback" not in reply and "psycopg" not in reply
    assert "稍后" in service.bind_request("tg-1-1", "ABCDEFGH")
    assert is_staff("term-staff") is False  # the one staff check fails safe: the resident view


def test_missing_tables_also_count_as_unavailable(tmp_path):
    set_engine(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    try:
        reply = service.status_reply("tg-1-1", case_no="LY2024DB00123", id_last6="123456").text
        assert reply.startswith("抱歉")
    finally:
        set_engine(None)
