"""The hold-out split: stratified per intent, deterministic, order-independent, stable."""

import random
from collections import Counter

import pytest

from bot.nlu_eval.data import Entity, Example, dedupe, in_content_order
from bot.nlu_eval.split import holdout_count, stratified_split


def make_examples(sizes):
    return [
        Example(text=f"{intent} 例句 {i}", intent=intent) for intent, n in sizes.items() for i in range(n)
    ]


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, 0), (1, 0), (2, 1), (3, 1), (5, 1), (8, 2), (10, 2), (40, 8), (41, 8), (43, 9), (56, 11), (68, 14)],
)
def test_holdout_count_is_rounded_share_with_one_on_each_side(n, expected):
    assert holdout_count(n, 0.2) == expected


def test_holdout_count_never_takes_every_example():
    assert holdout_count(2, 0.9) == 1
    assert holdout_count(3, 0.99) == 2


def test_split_is_stratified_per_intent():
    sizes = {"greet": 40, "inform": 57, "check_status": 12, "cancel": 2, "lonely": 1}
    examples = make_examples(sizes)
    train, test = stratified_split(examples, 0.2, "seed")
    test_counts, train_counts = Counter(e.intent for e in test), Counter(e.intent for e in train)
    for intent, n in sizes.items():
        assert test_counts[intent] == holdout_count(n, 0.2)
        assert train_counts[intent] == n - test_counts[intent]
    assert test_counts == {"greet": 8, "inform": 11, "check_status": 2, "cancel": 1}
    assert train_counts["lonely"] == 1


def test_split_is_a_partition():
    examples = make_examples({"a": 30, "b": 17})
    train, test = stratified_split(examples)
    assert len(train) + len(test) == len(examples)
    assert {id(e) for e in train}.isdisjoint({id(e) for e in test})
    assert set(train) | set(test) == set(examples)


def test_split_is_deterministic_and_independent_of_input_order():
    examples = make_examples({"a": 30, "b": 17, "c": 44})
    _, test1 = stratified_split(examples, 0.2, "s")
    shuffled = examples[:]
    random.Random(7).shuffle(shuffled)
    _, test2 = stratified_split(shuffled, 0.2, "s")
    assert sorted(e.text for e in test1) == sorted(e.text for e in test2)


def test_seed_changes_the_split():
    examples = make_examples({"a": 50})
    _, t1 = stratified_split(examples, 0.2, "one")
    _, t2 = stratified_split(examples, 0.2, "two")
    assert {e.text for e in t1} != {e.text for e in t2}


def test_adding_an_example_moves_at_most_one_other():
    examples = make_examples({"a": 44})
    _, before = stratified_split(examples, 0.2, "s")
    added = Example(text="新加的一句", intent="a")
    _, after = stratified_split(examples + [added], 0.2, "s")
    before_texts = {e.text for e in before}
    after_texts = {e.text for e in after} - {added.text}
    assert len(before_texts - after_texts) <= 1


def test_split_rejects_a_nonsense_share():
    with pytest.raises(ValueError):
        stratified_split(make_examples({"a": 5}), 1.0)


def test_dedupe_drops_repeats_and_reports_conflicting_labels():
    examples = [
        Example("你好", "greet"),
        Example("你好", "greet"),
        Example("好的", "affirm"),
        Example("好的", "thank"),
    ]
    kept, conflicts = dedupe(examples)
    assert [(e.text, e.intent) for e in kept] == [("你好", "greet"), ("好的", "affirm"), ("好的", "thank")]
    assert conflicts == ["好的"]


def test_content_order_ignores_where_the_examples_came_from():
    examples = [
        Example("b", "x"),
        Example("a", "y", (Entity("town", 0, 1, "接官亭镇"),)),
        Example("a", "x"),
        Example("a", "y"),
    ]
    shuffled = examples[:]
    random.Random(3).shuffle(shuffled)
    assert in_content_order(shuffled) == in_content_order(examples)
    assert [(e.intent, e.text, len(e.entities)) for e in in_content_order(examples)] == [
        ("x", "a", 0),
        ("x", "b", 0),
        ("y", "a", 0),
        ("y", "a", 1),
    ]
