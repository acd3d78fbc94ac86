"""Database fixtures for the notification tests: every database test runs on SQLite and on PostgreSQL
(127.0.0.1:5432, db ``test``, a fresh schema per test built by the alembic migrations), as in tests/cases."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from bot.db import migrate
from bot.db.session import make_engine, session_scope, set_engine

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_engine(schema: str | None = None):
    kwargs: dict = {"connect_args": {"connect_timeout": 3}}
    if schema:
        kwargs["connect_args"]["options"] = f"-csearch_path={schema}"
    return make_engine(PG_URL, **kwargs)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'cases.db'}")
        migrate.upgrade(engine)
        set_engine(engine)
        yield engine
        set_engine(None)
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = _pg_engine()
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        pytest.fail(f"PostgreSQL at {PG_URL} is required for the database tests: {exc}")
    engine = _pg_engine(schema)
    try:
        migrate.upgrade(engine)
        set_engine(engine)
        yield engine
    finally:
        set_engine(None)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def session(db):
    with session_scope() as s:
        yield s
