"""Policy actions write an audit entry per answer: every test here runs against the shared throw-away audit
database (``isolated_audit_db`` in tests/conftest.py), so none writes to the developer's var/cases.db."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_audit_db(isolated_audit_db):
    yield isolated_audit_db
