"""Logging for the front-end processes: the application's masked logging (``bot.logging_setup``)."""

from __future__ import annotations

from bot.logging_setup import configure_logging
from bot.settings import Settings


def configure_frontend_logging(settings: Settings) -> None:
    """Masked logging at the configured level; httpx kept quiet (its request URLs contain the bot token)."""
    configure_logging(settings.log_level)
