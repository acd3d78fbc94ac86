"""NLU benchmark: full training time, model load time, parse latency, peak memory (docs/nlu_evaluation.md).

Run from the project root in the Rasa venv (``make bench-nlu`` does this)::

    PYTHONPATH=. nice -n 10 .venvs/rasa/bin/python scripts/bench_nlu.py [--model PATH] [--messages 300]

Without ``--model`` it first trains the full model (``rasa train --force``, no cache) and times that. Prints the
figures and writes ``results/bench_nlu.md`` and ``results/bench_nlu.json``. The work is done by
``bot.nlu_eval.bench``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.nlu_eval.bench import run_benchmark, write_benchmark
from bot.settings import PROJECT_ROOT


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, help="benchmark this model instead of training one")
    p.add_argument("--messages", type=int, default=300, help="messages to time (default 300)")
    p.add_argument("--warmup", type=int, default=20, help="untimed warm-up parses (default 20)")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "results")
    args = p.parse_args(argv)
    figures = run_benchmark(args.model, args.messages, args.warmup)
    print()
    print(write_benchmark(figures, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
