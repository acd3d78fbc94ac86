"""The hold-out split: stratified per intent, deterministic, order-independent, stable."""

import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest


def make_examples(ev, sizes):
    return [
        ev.Example(text=f"{intent} 例句 {i}", intent=intent) for intent, n in sizes.items() for i in range(n)
    ]


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, 0), (1, 0), (2, 1), (3, 1), (5, 1), (8, 2), (10, 2), (40, 8), (41, 8), (43, 9), (56, 11), (68, 14)],
)
def test_holdout_count_is_rounded_share_with_one_on_each_side(ev, n, expected):
    assert ev.holdout_count(n, 0.2) == expected


def test_holdout_count_never_takes_every_example(ev):
    assert ev.holdout_count(2, 0.9) == 1
    assert ev.holdout_count(3, 0.99) == 2


def test_split_is_stratified_per_intent(ev):
    sizes = {"greet": 40, "inform": 57, "check_status": 12, "cancel": 2, "lonely": 1}
    examples = make_examples(ev, sizes)
    train, test = ev.stratified_split(examples, 0.2, "seed")
    test_counts, train_counts = Counter(e.intent for e in test), Counter(e.intent for e in train)
    for intent, n in sizes.items():
        assert test_counts[intent] == ev.holdout_count(n, 0.2)
        assert train_counts[intent] == n - test_counts[intent]
    assert test_counts == {"greet": 8, "inform": 11, "check_status": 2, "cancel": 1}
    assert train_counts["lonely"] == 1


def test_split_is_a_partition(ev):
    examples = make_examples(ev, {"a": 30, "b": 17})
    train, test = ev.stratified_split(examples)
    assert len(train) + len(test) == len(examples)
    assert {id(e) for e in train}.isdisjoint({id(e) for e in test})
    assert set(train) | set(test) == set(examples)


def test_split_is_deterministic_and_independent_of_input_order(ev):
    examples = make_examples(ev, {"a": 30, "b": 17, "c": 44})
    _, test1 = ev.stratified_split(examples, 0.2, "s")
    shuffled = examples[:]
    random.Random(7).shuffle(shuffled)
    _, test2 = ev.stratified_split(shuffled, 0.2, "s")
    assert sorted(e.text for e in test1) == sorted(e.text for e in test2)


def test_seed_changes_the_split(ev):
    examples = make_examples(ev, {"a": 50})
    _, t1 = ev.stratified_split(examples, 0.2, "one")
    _, t2 = ev.stratified_split(examples, 0.2, "two")
    assert {e.text for e in t1} != {e.text for e in t2}


def test_adding_an_example_moves_at_most_one_other(ev):
    examples = make_examples(ev, {"a": 44})
    _, before = ev.stratified_split(examples, 0.2, "s")
    added = ev.Example(text="新加的一句", intent="a")
    _, after = ev.stratified_split(examples + [added], 0.2, "s")
    before_texts = {e.text for e in before}
    after_texts = {e.text for e in after} - {added.text}
    assert len(before_texts - after_texts) <= 1


def test_split_rejects_a_nonsense_share(ev):
    with pytest.raises(ValueError):
        ev.stratified_split(make_examples(ev, {"a": 5}), 1.0)


def test_dedupe_drops_repeats_and_reports_conflicting_labels(ev):
    examples = [
        ev.Example("你好", "greet"),
        ev.Example("你好", "greet"),
        ev.Example("好的", "affirm"),
        ev.Example("好的", "thank"),
    ]
    kept, conflicts = ev.dedupe(examples)
    assert [(e.text, e.intent) for e in kept] == [("你好", "greet"), ("好的", "affirm"), ("好的", "thank")]
    assert conflicts == ["好的"]


def test_importing_the_script_pulls_in_neither_rasa_nor_sklearn():
    from .conftest import SCRIPT

    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(SCRIPT)!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['m'] = m; spec.loader.exec_module(m)\n"
        "print(sorted(n for n in ('rasa', 'sklearn', 'tensorflow') if n in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_external_test_set_is_not_copied_from_the_training_data():
    import re

    import yaml

    root = Path(__file__).resolve().parents[2]

    def texts(path):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            if "intent" in block:
                for line in str(block.get("examples", "")).splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        # strip entity markup: [text](type) and [text]{...}
                        yield re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line[2:]).strip()

    external = list(texts(root / "tests" / "nlu" / "data" / "external_test.yml"))
    training = {t for p in (root / "nlu_data").rglob("*.yml") for t in texts(p)}
    assert len(external) >= 100
    assert [t for t in external if t in training] == []
