"""Logging configuration for every process of the application: personal data masked in every record.

The masking rules are ``bot.privacy``'s; this module only puts its filter on the handlers.
"""

from __future__ import annotations

import logging

from bot.privacy import install_masking_everywhere

# their INFO lines contain request URLs, and Bot API URLs contain the bot token
_QUIET = ("httpx", "httpcore")


def configure_logging(level: str = "INFO") -> None:
    """Unless the process configured logging already (the root logger has a handler): a stream handler on the
    root logger at ``level``. Either way the masking filter goes on every handler. Idempotent."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
    install_masking_everywhere()
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
