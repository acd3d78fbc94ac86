"""Load scripts/evaluate_nlu.py as a module (scripts/ is not a package); it imports no Rasa at import time."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "evaluate_nlu.py"


@pytest.fixture(scope="session")
def ev():
    name = "evaluate_nlu_under_test"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module
