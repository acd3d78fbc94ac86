"""Logging configuration for every process of the application: personal data masked in every record."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if getattr(root, "_lueyang_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    try:
        from bot.privacy import MaskingFilter

        handler.addFilter(MaskingFilter())
    except ImportError:  # pragma: no cover - bot.privacy ships with the package
        pass
    root.addHandler(handler)
    root.setLevel(level)
    root._lueyang_configured = True  # type: ignore[attr-defined]
