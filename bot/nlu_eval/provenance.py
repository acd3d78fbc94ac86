"""Which commit and which files the figures belong to."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from bot.settings import PROJECT_ROOT

# inputs of the NLU model: a run with uncommitted changes here is marked "+changes"
MODEL_INPUTS = ("config.yml", "nlu_data", "rasa_addons", "domain", "bot/parsing")


def git_commit() -> str:
    """Short commit of the project, with "+changes" when config/data/rasa_addons differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *MODEL_INPUTS],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def rel(path: Path) -> str:
    """``path`` relative to the project root when inside it (for readable reports)."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def newest_input_mtime(paths: Iterable[Path]) -> float:
    """Modification time of the newest file among ``paths`` (files or directories)."""
    latest = 0.0
    for p in paths:
        files = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
        latest = max([latest] + [f.stat().st_mtime for f in files])
    return latest
