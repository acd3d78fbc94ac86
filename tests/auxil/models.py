"""The trained model the Rasa-side tests load: the newest archive under models/ (``make test`` trains before it
runs them), or None."""

from __future__ import annotations

from pathlib import Path

MODELS = Path(__file__).resolve().parents[2] / "models"


def latest_model() -> Path | None:
    archives = sorted(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return archives[-1] if archives else None
