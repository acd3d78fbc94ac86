"""bot.nlu_eval imports in the app venv without Rasa, TensorFlow or scikit-learn (they load only inside the
functions that run them)."""

import pkgutil
import subprocess
import sys

import bot.nlu_eval


def test_importing_every_module_pulls_in_neither_rasa_nor_sklearn_nor_tensorflow():
    modules = sorted(f"bot.nlu_eval.{m.name}" for m in pkgutil.iter_modules(bot.nlu_eval.__path__))
    assert "bot.nlu_eval.evaluate" in modules and "bot.nlu_eval.rasa_nlu" in modules
    code = (
        f"import {', '.join(modules)}\n"
        "import sys\n"
        "print(sorted(n for n in ('rasa', 'sklearn', 'tensorflow') if n in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
