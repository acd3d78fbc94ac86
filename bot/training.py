"""Model training with a content fingerprint: an unchanged model is never retrained.

The fingerprint covers everything that changes what the model does: config.yml, the domain, all training data
(including the jieba dictionary, lookup tables and regexes), the Rasa-side code (``rasa_addons/`` and every project
module it imports, found from the import statements by ``rasa_side_sources``), the parsers' data tables and the
Rasa lock file. Models are stored as ``models/<fingerprint>.tar.gz`` and mirrored to a cache directory
outside the work tree (``LUEYANG_MODEL_CACHE``, default ``~/.cache/lueyang-assistant/models``) so a fresh
clone on the same machine reuses them.
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bot.errors import ConfigurationError
from bot.settings import Settings

logger = logging.getLogger(__name__)

# what the model is trained from; the project code Rasa runs is added by ``rasa_side_sources``
FINGERPRINT_INPUTS = (
    "config.yml",
    "domain",
    "nlu_data",
    "rasa_addons",
    "bot/parsing/data",  # tables the Rasa-side parsers read (traditional -> simplified, ...)
    "requirements/rasa.lock",
)
RASA_SIDE_ROOT = "rasa_addons"
PROJECT_PACKAGES = ("bot", "rasa_addons")
_IGNORED_SUFFIXES = {".pyc"}


def _files(root: Path, inputs: Iterable[str]) -> list[Path]:
    out: list[Path] = []
    for rel in inputs:
        path = root / rel
        if path.is_file():
            out.append(path)
        elif path.is_dir():
            out.extend(
                p
                for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix not in _IGNORED_SUFFIXES
            )
    return sorted(out)


def _module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _project_imports(root: Path, file: Path) -> set[str]:
    """Project modules ``file`` imports (at any depth of the file, lazily imported ones included)."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name.split(".")[0] in PROJECT_PACKAGES:
                parts = name.split(".")
                # the module itself and its parent packages (their __init__ runs on import)
                found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return found


def rasa_side_sources(root: Path) -> list[Path]:
    """Every project source file the Rasa process can import: ``rasa_addons`` and what it reaches, transitively.

    Derived from the import statements, so a module that starts being used inside Rasa (the programme registry,
    the masking module) changes the fingerprint without anyone keeping a list.
    """
    todo = [p for p in (root / RASA_SIDE_ROOT).rglob("*.py") if "__pycache__" not in p.parts]
    seen: set[Path] = set()
    while todo:
        file = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        for module in _project_imports(root, file):
            target = _module_file(root, module)
            if target is not None and target not in seen:
                todo.append(target)
    return sorted(seen)


def fingerprint_files(root: Path, inputs: Iterable[str] = FINGERPRINT_INPUTS) -> list[Path]:
    """The files whose paths and contents make the model fingerprint."""
    return sorted(set(_files(root, inputs)) | set(rasa_side_sources(root)))


def model_fingerprint(root: Path, inputs: Iterable[str] = FINGERPRINT_INPUTS) -> str:
    """16 hex chars of sha256 over relative paths and contents of every input file."""
    digest = hashlib.sha256()
    for file in fingerprint_files(root, inputs):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


_COMPONENT_EVENT = re.compile(r"(Starting to train|Finished training) component '([^']+)'")


class TrainingTimer:
    """Where the time of a ``rasa train`` goes, read from its log lines as they arrive: start-up and data
    loading (until the first component), each component's own training, the gaps between components (graph
    bookkeeping, Rasa's training cache) and packaging (after the last component)."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self.started = clock()
        self.components: dict[str, float] = {}
        self._running: dict[str, float] = {}
        self._first_start: float | None = None
        self._last_finish: float | None = None
        self._gaps = 0.0

    def feed(self, line: str) -> None:
        match = _COMPONENT_EVENT.search(line)
        if not match:
            return
        now = self._clock()
        name = match.group(2)
        if match.group(1) == "Starting to train":
            if self._first_start is None:
                self._first_start = now
            elif self._last_finish is not None and not self._running:
                self._gaps += now - self._last_finish
            self._running[name] = now
        else:
            begun = self._running.pop(name, None)
            if begun is not None:
                label, n = name, 2
                while label in self.components:  # the same component twice (two CountVectorsFeaturizers)
                    label, n = f"{name} #{n}", n + 1
                self.components[label] = now - begun
                self._last_finish = now

    def summary(self, ended: float | None = None) -> list[tuple[str, float]]:
        """(phase, seconds) rows in order; the last row is the total."""
        ended = self._clock() if ended is None else ended
        if self._first_start is None:
            return [("total", ended - self.started)]
        rows = [("start-up, data loading and validation", self._first_start - self.started)]
        rows += [(f"train {name}", seconds) for name, seconds in self.components.items()]
        rows.append(("between components (graph, training cache)", self._gaps))
        if self._last_finish is not None:
            rows.append(("packaging the model", ended - self._last_finish))
        rows.append(("total", ended - self.started))
        return rows


def format_timing(rows: list[tuple[str, float]]) -> str:
    return "\n".join(f"[train]   {name:50s} {seconds:7.1f} s" for name, seconds in rows)


def cache_dir() -> Path:
    return Path(os.environ.get("LUEYANG_MODEL_CACHE", Path.home() / ".cache" / "lueyang-assistant" / "models"))


def model_path(settings: Settings, fingerprint: str | None = None) -> Path:
    return settings.models_dir / f"{fingerprint or model_fingerprint(settings.root)}.tar.gz"


def rasa_env(settings: Settings) -> dict[str, str]:
    """Environment for processes of the Rasa venv."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(settings.root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def rasa_bin(settings: Settings) -> Path:
    path = settings.root / ".venvs" / "rasa" / "bin" / "rasa"
    if not path.exists():
        raise ConfigurationError(f"{path} is missing: run scripts/setup.sh first (make setup)")
    return path


def ensure_model(settings: Settings, *, force: bool = False, echo=print) -> Path:
    """Return the path of a model for the current inputs, training one only if needed."""
    fingerprint = model_fingerprint(settings.root)
    target = model_path(settings, fingerprint)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    lock_path = settings.var_dir / "train.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one training at a time on this machine/checkout
        if target.exists() and not force:
            echo(f"[train] model up to date: {target.relative_to(settings.root)} (nothing changed)")
            return target
        cached = cache_dir() / target.name
        if cached.exists() and not force:
            shutil.copy2(cached, target)
            echo(f"[train] model restored from cache {cached}")
            return target
        echo(f"[train] training data, domain, config or dictionary changed: training model {fingerprint} ...")
        started = time.monotonic()
        cmd = [
            str(rasa_bin(settings)),
            "train",
            "--config", "config.yml",
            "--domain", "domain",
            "--data", "nlu_data",
            "--out", str(settings.models_dir),
            "--fixed-model-name", fingerprint,
        ]
        if force:
            cmd.append("--force")
        timer = TrainingTimer()
        with subprocess.Popen(cmd, cwd=settings.root, env=rasa_env(settings), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace") as proc:
            for line in proc.stdout:
                sys.stdout.write(line)
                timer.feed(line)
        if proc.returncode != 0 or not target.exists():
            raise ConfigurationError(f"rasa train failed (exit {proc.returncode}); see the output above")
        echo(f"[train] trained in {time.monotonic() - started:.0f} s -> {target.relative_to(settings.root)}")
        echo("[train] where the time went:\n" + format_timing(timer.summary()))
        try:
            cache_dir().mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, cached)
        except OSError as exc:  # a read-only home must not fail the run
            logger.warning("could not copy the model to the cache %s: %s", cached, exc)
        _prune_old_models(settings, keep=target)
        return target


def _prune_old_models(settings: Settings, keep: Path, keep_count: int = 3) -> None:
    models = sorted(settings.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[keep_count:]:
        if old != keep:
            old.unlink(missing_ok=True)


if __name__ == "__main__":  # pragma: no cover - convenience: python -m bot.training
    from bot.settings import get_settings

    sys.exit(0 if ensure_model(get_settings(), force="--force" in sys.argv) else 1)
