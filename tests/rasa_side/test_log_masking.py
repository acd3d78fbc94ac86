"""Inside the Rasa process: the secure REST channel puts bot.privacy's masking filter on the log handlers
configured before it (Rasa's root handler, Sanic's own handlers), so lookup credentials never reach a log line."""

from __future__ import annotations

import logging

import pytest

from bot.privacy import MaskingFilter
from rasa_addons.channels import SecureRestInput


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture()
def handlers():
    """A handler on the root logger (as coloredlogs installs) and one on a non-propagating logger (as Sanic's)."""
    root = logging.getLogger()
    own = logging.getLogger("tests.rasa_side.sanic_like")
    own.propagate = False
    root_handler, own_handler = Collect(), Collect()
    root.addHandler(root_handler)
    own.addHandler(own_handler)
    root_filters = list(root.filters)
    handler_filters = {h: list(h.filters) for h in root.handlers}
    yield root_handler, own_handler
    root.removeHandler(root_handler)
    own.removeHandler(own_handler)
    root.filters[:] = root_filters
    for h, filters in handler_filters.items():
        h.filters[:] = filters


def test_the_channel_installs_masking_on_every_handler(handlers):
    root_handler, own_handler = handlers
    SecureRestInput("a-secret-for-the-test")
    assert any(isinstance(f, MaskingFilter) for f in root_handler.filters)
    assert any(isinstance(f, MaskingFilter) for f in own_handler.filters)
    logging.getLogger("rasa.core.processor").warning("Received user message '%s'", "LY2024DB00123 12345X")
    logging.getLogger("tests.rasa_side.sanic_like").warning("POST body: 身份证61072719900101123X 电话13812345678")
    assert root_handler.lines == ["Received user message 'LY2024DB00123 ******'"]
    assert own_handler.lines == ["POST body: 身份证****************3X 电话138****5678"]
