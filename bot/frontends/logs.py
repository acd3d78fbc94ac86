"""Logging for the front-end processes."""

from __future__ import annotations

import logging

from bot.settings import Settings


def configure_frontend_logging(settings: Settings) -> None:
    """Masked logging (if nobody configured it yet); httpx quiet, because its INFO lines contain the
    request URL, and Bot API URLs contain the bot token."""
    if not logging.getLogger().handlers:
        try:
            from bot.logging_setup import configure_logging
        except ImportError:  # pragma: no cover
            logging.basicConfig(level=settings.log_level)
        else:
            configure_logging(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
