"""Fixtures shared by every test area.

``db``: the process-wide engine pointed at a fresh, migrated case database. Every database test runs twice: on
SQLite and on PostgreSQL for real (127.0.0.1:5432, db ``test``; ``TEST_POSTGRES_URL`` overrides). Each PostgreSQL
test gets its own schema (``t_<random>``, via search_path) built by the alembic migrations and dropped afterwards,
so parallel runs never collide. ``session``: a session on it. ``assistant``: the real assistant (trained model, Rasa
and action server) shared by ``tests/conversations`` and ``tests/web``'s browser tests.

The Rasa-side tests (tests/rasa_side) run in the Rasa venv, where SQLAlchemy 2 is absent: the database fixtures
are defined only where the application's database layer imports.
"""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

try:
    from sqlalchemy import text

    from bot.db import migrate
    from bot.db.session import make_engine, session_scope, set_engine
    from tests.auxil.assistant import running_assistant
except ImportError:  # Rasa venv (SQLAlchemy 1.4): no case-database fixtures there
    make_engine = None


def _pg_engine(schema: str | None = None):
    kwargs: dict = {"connect_args": {"connect_timeout": 3}}
    if schema:
        kwargs["connect_args"]["options"] = f"-csearch_path={schema}"
    return make_engine(PG_URL, **kwargs)


if make_engine is not None:

    @pytest.fixture(scope="session")
    def scratch_audit_engine(tmp_path_factory):
        """A throw-away, migrated SQLite database shared by the session, for code that writes audit entries."""
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('audit') / 'audit.db'}")
        migrate.upgrade(engine)
        yield engine
        engine.dispose()

    @pytest.fixture()
    def isolated_audit_db(scratch_audit_engine):
        """Point the process-wide engine at ``scratch_audit_engine`` so no test writes to var/cases.db."""
        set_engine(scratch_audit_engine)
        yield scratch_audit_engine
        set_engine(None)

    @pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
    def db(request, tmp_path):
        """The process-wide engine pointed at a fresh, migrated database; yields the engine."""
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
        except Exception as exc:  # noqa: BLE001 - any failure means PostgreSQL is not usable here
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

    @pytest.fixture(scope="session")
    def assistant(tmp_path_factory):
        """The real assistant (``tests.auxil.assistant``), started once for the conversation and browser tests."""
        with running_assistant(tmp_path_factory.mktemp("assistant-var")) as running:
            yield running
