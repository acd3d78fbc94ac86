"""A real assistant for conversation tests (``tests.auxil.assistant``): trained model, Rasa server + action server
over REST, started once per test session on spare ports with its own var/ and a channel secret."""

from __future__ import annotations

import pytest

from tests.auxil.assistant import running_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory):
    with running_assistant(tmp_path_factory.mktemp("assistant-var")) as running:
        yield running


def pytest_collection_modifyitems(items):
    for item in items:
        if "conversations" in str(item.fspath):
            item.add_marker(pytest.mark.rasa)
