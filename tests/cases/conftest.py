"""Case-area fixtures; the database fixtures ``db`` and ``session`` come from tests/conftest.py."""

from __future__ import annotations

import pytest

from bot.policy.parameters import load_parameters
from bot.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env({"LOOKUP_MAX_FAILURES": "5", "LOOKUP_LOCK_MINUTES": "60"})


@pytest.fixture
def params():
    return load_parameters()
