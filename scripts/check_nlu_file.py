"""Check NLU training files before committing them (runs in the Rasa venv, trains nothing).

    PYTHONPATH=. .venvs/rasa/bin/python scripts/check_nlu_file.py nlu_data/nlu/my_new_file.yml [...]

For every example in the given files it reports:
- entity annotations that differ from what the deterministic extractor (``bot.parsing.entities``) returns
  (the annotations are the extractor's test data: docs/nlu_labelling.md);
- texts that also occur elsewhere in ``nlu_data/`` (same or another intent) or in the external test set;
- per-intent counts.
Exit status 1 when anything is reported.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import evaluate_nlu as ev  # noqa: E402

EXTERNAL = ROOT / "tests" / "nlu" / "data" / "external_test.yml"


def extractor_disagrees(example: ev.Example) -> tuple[ev.Entity, ...] | None:
    """The extractor's entities when they differ from the annotations (scored as ``make eval`` does), else None."""
    from bot.parsing.entities import extract_entities

    predicted = tuple(ev.Entity.from_dict(e) for e in extract_entities(example.text))
    errors = ev.entity_metrics([(example.text, example.entities, predicted)])["errors"]
    return predicted if errors else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    ev._quiet_rasa()

    targets = [p.resolve() for p in args.files]
    others = [p for p in ev.find_nlu_files(ROOT / "nlu_data") if p.resolve() not in targets]
    elsewhere: dict[str, set[str]] = {}
    for path in others + [EXTERNAL]:
        for ex in ev.examples_from(ev.load_training_data([path])):
            elsewhere.setdefault(ex.text.strip(), set()).add(f"{path.relative_to(ROOT)}:{ex.intent}")

    problems = 0
    for path in targets:
        examples = ev.examples_from(ev.load_training_data([path]))
        counts = Counter(ex.intent for ex in examples)
        seen: Counter[str] = Counter(ex.text.strip() for ex in examples)
        print(f"== {path.relative_to(ROOT)}: {len(examples)} examples " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for ex in examples:
            text = ex.text.strip()
            if text in elsewhere:
                problems += 1
                print(f"  DUPLICATE  {text}  (also in {', '.join(sorted(elsewhere[text]))})")
            if seen[text] > 1:
                problems += 1
                print(f"  REPEATED IN FILE  {text}")
                seen[text] = 1
            predicted = extractor_disagrees(ex)
            if predicted is not None:
                problems += 1
                want = ", ".join(f"[{ex.text[e.start:e.end]}]({e.entity}={e.value})"
                                 for e in sorted(predicted, key=lambda e: e.start))
                print(f"  ENTITIES  {ex.intent}: {ex.text}\n      extractor: {want or '(none)'}")
    print(f"{problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
