"""Checks of NLU training files before they are committed (``scripts/check_nlu_file.py``; trains nothing).

For every example in the given files: entity annotations that differ from what the deterministic extractor
(``bot.parsing.entities``) returns (the annotations are the extractor's test data: docs/nlu_labelling.md), texts
that also occur elsewhere in ``nlu_data/`` (same or another intent) or in the external test set, texts repeated
in the file; and per-intent counts. Reading Rasa YAML needs the Rasa venv.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bot.nlu_eval.data import Entity, Example
from bot.nlu_eval.metrics import entity_metrics
from bot.nlu_eval.provenance import rel
from bot.nlu_eval.rasa_nlu import examples_from, find_nlu_files, load_training_data, quiet_rasa
from bot.parsing.entities import extract_entities
from bot.settings import PROJECT_ROOT

EXTERNAL_TEST_SET = PROJECT_ROOT / "tests" / "nlu" / "data" / "external_test.yml"


def extractor_disagrees(example: Example) -> tuple[Entity, ...] | None:
    """The extractor's entities when they differ from the annotations (scored as ``make eval`` does), else None."""
    predicted = tuple(Entity.from_dict(e) for e in extract_entities(example.text))
    errors = entity_metrics([(example.text, example.entities, predicted)])["errors"]
    return predicted if errors else None


def check_files(files: Sequence[Path], data_dir: Path = PROJECT_ROOT / "nlu_data") -> int:
    """Print every problem in ``files``; returns how many there are."""
    quiet_rasa()
    targets = [p.resolve() for p in files]
    others = [p for p in find_nlu_files(data_dir) if p.resolve() not in targets]
    elsewhere: dict[str, set[str]] = {}
    for path in others + [EXTERNAL_TEST_SET]:
        for ex in examples_from(load_training_data([path])):
            elsewhere.setdefault(ex.text.strip(), set()).add(f"{rel(path)}:{ex.intent}")

    problems = 0
    for path in targets:
        examples = examples_from(load_training_data([path]))
        counts = Counter(ex.intent for ex in examples)
        seen: Counter[str] = Counter(ex.text.strip() for ex in examples)
        print(
            f"== {rel(path)}: {len(examples)} examples "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
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
                want = ", ".join(
                    f"[{ex.text[e.start : e.end]}]({e.entity}={e.value})"
                    for e in sorted(predicted, key=lambda e: e.start)
                )
                print(f"  ENTITIES  {ex.intent}: {ex.text}\n      extractor: {want or '(none)'}")
    print(f"{problems} problem(s)")
    return problems
