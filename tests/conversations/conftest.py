"""Conversation tests drive the real assistant (the session fixture ``assistant`` of ``tests/conftest.py``, from
``tests.auxil.assistant``): trained model, Rasa server + action server over REST, on spare ports with its own var/
and a channel secret."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "conversations" in str(item.fspath):
            item.add_marker(pytest.mark.rasa)
