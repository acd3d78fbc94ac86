"""NLU evaluation: fixed stratified hold-out split, external test files, two baselines (docs/nlu_evaluation.md).

Run from the project root in the Rasa venv (``make eval`` does this)::

    PYTHONPATH=. .venvs/rasa/bin/python scripts/evaluate_nlu.py [--check] [--test-file FILE ...]

Writes ``results/nlu_eval.json`` and ``results/nlu_eval.md`` and prints a summary; with ``--check`` exits 1 when
a target is missed. The work is done by ``bot.nlu_eval.evaluate``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.nlu_eval.evaluate import EvalOptions, passed, run
from bot.nlu_eval.report import print_summary
from bot.nlu_eval.split import DEFAULT_HOLDOUT, DEFAULT_SEED
from bot.runner import RASA_PROCESS_ENV
from bot.settings import PROJECT_ROOT


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--config", type=Path, default=Path("config.yml"), help="project pipeline (default: config.yml)"
    )
    p.add_argument("--baseline-config", type=Path, default=Path("configs/baseline_no_jieba.yml"))
    p.add_argument("--encoder-config", type=Path, default=Path("configs/experiment_encoder.yml"))
    p.add_argument(
        "--data", type=Path, default=Path("nlu_data"), help="NLU data directory (default: nlu_data)"
    )
    p.add_argument("--out", type=Path, default=Path("results"), help="output directory (default: results)")
    p.add_argument(
        "--holdout", type=float, default=DEFAULT_HOLDOUT, help="test share per intent (default 0.2)"
    )
    p.add_argument("--seed", default=DEFAULT_SEED, help="split seed (changing it changes the split)")
    p.add_argument(
        "--test-file", action="append", type=Path, default=[], help="external Rasa NLU YAML test file"
    )
    p.add_argument(
        "--model", type=Path, help="model for --test-file (default: newest in models/, else train one)"
    )
    p.add_argument(
        "--train-full", action="store_true", help="for --test-file: train an NLU model on all data"
    )
    p.add_argument("--skip-holdout", action="store_true", help="only evaluate --test-file files")
    p.add_argument(
        "--no-baselines", action="store_true", help="skip both baselines (faster; --check then fails)"
    )
    p.add_argument(
        "--no-encoder", action="store_true", help="skip the encoder experiment (it embeds every example: minutes)"
    )
    p.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # paths are relative to the caller's directory; Rasa configs are relative to the project root
    options = EvalOptions(
        config=args.config.resolve(),
        baseline_config=args.baseline_config.resolve(),
        encoder_config=args.encoder_config.resolve(),
        data=args.data.resolve(),
        out=args.out.resolve(),
        holdout=args.holdout,
        seed=args.seed,
        test_files=[p.resolve() for p in args.test_file],
        model=args.model.resolve() if args.model else None,
        train_full=args.train_full,
        skip_holdout=args.skip_holdout,
        no_baselines=args.no_baselines,
        no_encoder=args.no_encoder,
    )
    os.chdir(PROJECT_ROOT)
    # parse timings under the thread settings of a live Rasa process (set before Rasa or the encoder load)
    for name, value in RASA_PROCESS_ENV.items():
        os.environ.setdefault(name, value)
    report = run(options)
    print_summary(report, options.out)
    return 1 if args.check and not passed(report) else 0


if __name__ == "__main__":
    sys.exit(main())
