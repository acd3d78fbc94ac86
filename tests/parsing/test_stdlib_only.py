"""bot/parsing is imported inside the Rasa venv, and so is every project module it imports (the programme
registry bot/programmes.py, bot/errors.py, bot/clock.py) and the masking module bot/privacy.py (rasa_addons uses
it), and bot/settings.py (the masking tracker store reads its key there): they may use only the standard library."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARSING = sorted((ROOT / "bot" / "parsing").glob("*.py"))
# the only project modules outside bot/parsing that bot/parsing may import (each stdlib-only itself)
SHARED = ("bot.errors", "bot.programmes", "bot.clock")
# other stdlib-only modules imported by rasa_addons (they may import bot/parsing and SHARED): the masking module,
# and the settings (the tracker store's seal key, rasa_addons/tracker_store.py)
RASA_SIDE = ("bot.privacy", "bot.settings")
CHECKED = PARSING + [ROOT / (name.replace(".", "/") + ".py") for name in SHARED + RASA_SIDE]


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


def test_the_registry_is_not_importing_parsing():
    # bot.parsing reads the registry; the registry depends on nothing of the project
    assert not {name for name in _imports(ROOT / "bot" / "programmes.py") if name.startswith("bot")}


def test_import_does_no_file_io():
    modules = [f"bot.parsing.{p.stem}" for p in PARSING if p.stem != "__init__"] + list(SHARED + RASA_SIDE)
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
