"""Policy actions write an audit entry per answer: point the process-wide engine at a throw-away, migrated
SQLite database for every test here, so no test writes to the developer's var/cases.db."""

from __future__ import annotations

import pytest

from bot.db import migrate
from bot.db.session import make_engine, set_engine


@pytest.fixture(scope="session")
def audit_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('policy-audit') / 'audit.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _isolated_audit_db(audit_engine):
    set_engine(audit_engine)
    yield audit_engine
    set_engine(None)
