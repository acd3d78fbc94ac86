"""Check NLU training files before committing them (runs in the Rasa venv, trains nothing).

    PYTHONPATH=. .venvs/rasa/bin/python scripts/check_nlu_file.py nlu_data/nlu/my_new_file.yml [...]

For every example in the given files it reports:
- entity annotations that differ from what the deterministic extractor (``bot.parsing.entities``) returns
  (the annotations are the extractor's test data: docs/nlu_labelling.md);
- texts that also occur elsewhere in ``nlu_data/`` (same or another intent) or in the external test set;
- per-intent counts.
Exit status 1 when anything is reported. The work is done by ``bot.nlu_eval.filecheck``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.nlu_eval.filecheck import check_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    return 1 if check_files(args.files) else 0


if __name__ == "__main__":
    raise SystemExit(main())
