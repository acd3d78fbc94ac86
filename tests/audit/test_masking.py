"""Nothing identifying reaches a log line from the handoff (the masking rules themselves are tested in
tests/parsing/test_privacy.py)."""

from __future__ import annotations

import logging

from bot.handoff import service
from bot.logging_setup import configure_logging
from bot.privacy import MaskingFilter


def test_handoff_logs_nothing_identifying(db, caplog):
    """A request and an emergency log no phone or ID number (the logging setup adds bot.privacy's filter)."""
    caplog.set_level(logging.DEBUG)
    service.submit_request(
        "tg-1-1",
        topic="身份证610727199001011234",
        phone="13812345678",
        preferred_time="上午",
        town=None,
        summary="",
    )
    service.emergency_reply("tg-2-2", text="我在13912345678这个号，着火了")
    assert "610727199001011234" not in caplog.text
    assert "13812345678" not in caplog.text and "13912345678" not in caplog.text


def test_configure_logging_masks_every_handler_and_quiets_httpx():
    """Every process calls bot.logging_setup.configure_logging: a handler configured before it gets the filter."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    root = logging.getLogger()
    handler = Collect()
    root.addHandler(handler)
    root_filters = list(root.filters)
    handler_filters = {h: list(h.filters) for h in root.handlers}
    httpx_level = logging.getLogger("httpx").level
    try:
        configure_logging("INFO")
        assert any(isinstance(f, MaskingFilter) for f in handler.filters)
        logging.getLogger("bot.frontends.core").warning("%s -> rasa: %s", "tg-1-1", "LY2024DB00123 12345X")
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        root.removeHandler(handler)
        root.filters[:] = root_filters
        for h, filters in handler_filters.items():
            h.filters[:] = filters
        logging.getLogger("httpx").setLevel(httpx_level)
    assert lines == ["tg-1-1 -> rasa: LY2024DB00123 ******"]
