"""bot/parsing is imported inside the Rasa venv, and so is every project module rasa_addons reaches (found from
the import statements by ``bot.training.rasa_side_sources``, the same list that goes into the model fingerprint):
the programme registry, errors, clock, the masking module, the settings (the tracker store's seal key), the
input guards' bad-input and crisis rules. They may use only the standard library and each other."""

import ast
import subprocess
import sys
from pathlib import Path

from bot.training import rasa_side_sources

ROOT = Path(__file__).resolve().parents[2]
PARSING = sorted((ROOT / "bot" / "parsing").glob("*.py"))
# the only project modules outside bot/parsing that bot/parsing may import (each stdlib-only itself)
SHARED = ("bot.errors", "bot.programmes", "bot.clock")
# other stdlib-only modules imported by rasa_addons (they may import bot/parsing and SHARED): the masking module,
# and the settings (the tracker store's seal key, rasa_addons/tracker_store.py)
RASA_SIDE = ("bot.privacy", "bot.settings")
CHECKED = PARSING + [ROOT / (name.replace(".", "/") + ".py") for name in SHARED + RASA_SIDE]
# every module of bot/ the Rasa process can import, whatever imports it
RASA_IMPORTED = [p for p in rasa_side_sources(ROOT) if p.relative_to(ROOT).parts[0] == "bot"]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "bot":  # from bot import clock
                names.update(f"bot.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def test_only_stdlib_and_the_shared_modules():
    assert all(path.is_file() for path in CHECKED)
    for path in CHECKED:
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "bot":
                assert name in SHARED or name.startswith("bot.parsing"), f"{path.name} imports {name}"
            else:
                assert top in sys.stdlib_module_names or top == "__future__", f"{path.name} imports {name}"


def test_every_module_the_rasa_process_imports_is_stdlib_only():
    imported = {_module(p) for p in RASA_IMPORTED}
    assert {"bot.privacy", "bot.programmes", "bot.handoff.crisis", "bot.conversation.bad_input"} <= imported
    for path in RASA_IMPORTED:
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "bot":
                assert name in imported, f"{path.relative_to(ROOT)} imports {name}, which rasa_side_sources missed"
            else:
                assert top in sys.stdlib_module_names or top == "__future__", f"{path.relative_to(ROOT)} imports {name}"


def test_the_registry_is_not_importing_parsing():
    # bot.parsing reads the registry; the registry depends on nothing of the project
    assert not {name for name in _imports(ROOT / "bot" / "programmes.py") if name.startswith("bot")}


def test_import_does_no_file_io():
    modules = sorted({_module(p) for p in RASA_IMPORTED} - {"bot"})
    script = (
        "import builtins, io, sys\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError(f'file I/O at import time: {a!r}')\n"
        "builtins.open = refuse\n"
        "io.open = refuse\n"
        f"import {', '.join(modules)}\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
