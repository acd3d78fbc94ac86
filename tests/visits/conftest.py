"""Visits fixtures: the demo cases of a fixed day, staff, and helpers. ``db``/``session`` come from tests/conftest.py."""

from __future__ import annotations

from datetime import date

import pytest

from bot.cases.demo import demo_rows, load_demo
from bot.db.session import session_scope

TODAY = date(2024, 6, 28)  # a Friday, a working day


@pytest.fixture
def demo_db(db):
    """The migrated database with the demo cases and staff of ``TODAY``."""
    with session_scope() as s:
        load_demo(s, today=TODAY)
    return db


@pytest.fixture(scope="session")
def rows():
    return demo_rows(TODAY)


def tekun_rows(rows, town: str | None = None):
    return [r for r in rows if r.programme == "特困供养" and r.status not in ("未通过", "已撤回") and (town is None or r.town == town)]
