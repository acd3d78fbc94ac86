"""Nothing identifying reaches a log line from the handoff (the masking rules themselves are tested in
tests/parsing/test_privacy.py)."""

from __future__ import annotations

import logging


def test_handoff_logs_nothing_identifying(db, caplog):
    """A request and an emergency log no phone or ID number (the logging setup adds bot.privacy's filter)."""
    from bot.handoff import service

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
