"""Precision and recall of the crisis guard per label on the labelled set (issue 16).

    .venvs/app/bin/python scripts/measure_crisis_guard.py [tests/handoff/data/crisis_messages.yml]

Exit status 1 when a present-danger message would not get the emergency numbers (recall below 100 %).
The work is done by ``bot.handoff.crisis_measure``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.handoff.crisis_measure import DEFAULT_SET, format_report, load_set, measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_SET)
    args = parser.parse_args(argv)
    report = measure(load_set(args.path))
    print(format_report(report))
    return 0 if report.guard_recall == 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
