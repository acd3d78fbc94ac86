"""bot/parsing and bot/errors are imported inside the Rasa venv: they may use only the standard library."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = sorted((ROOT / "bot" / "parsing").glob("*.py")) + [ROOT / "bot" / "errors.py"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_stdlib_and_bot_errors():
    assert CHECKED
    for path in CHECKED:
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "bot":
                assert name == "bot.errors" or name.startswith("bot.parsing"), f"{path.name} imports {name}"
            else:
                assert top in sys.stdlib_module_names or top == "__future__", f"{path.name} imports {name}"


def test_import_does_no_file_io():
    modules = [
        f"bot.parsing.{p.stem}" for p in CHECKED if p.parent.name == "parsing" and p.stem != "__init__"
    ]
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
