"""Intent and entity scores (plain Python).

The predicted intent is what the pipeline returns, so a message the FallbackClassifier turns into
``nlu_fallback`` counts as a miss. Macro-F1 averages the F1 of the intents present in the gold labels.
A predicted entity matches an annotation when type, role and character span agree and, when the annotation gives
an explicit normalised value (``[ly-2023-ls-00123]{"entity": "case_no", "value": "LY2023LS00123"}``), the value
too; every unmatched prediction is a false positive, every unmatched annotation a false negative.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.nlu_eval.data import FALLBACK_INTENT, Entity, Example, Prediction

EntityMatch = Callable[[Entity, Entity, str], bool]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def intent_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the gold intents, per-intent precision/recall/F1/support, top confusions."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    if not gold:
        return {
            "n": 0,
            "accuracy": 0.0,
            "macro_f1": 0.0,
            "per_intent": {},
            "confusions": [],
            "fallback_rate": 0.0,
        }
    labels = sorted(set(gold))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
            confusions[(g, p)] += 1
    support = Counter(gold)
    per_intent = {lab: {**_prf(tp[lab], fp[lab], fn[lab]), "support": support[lab]} for lab in labels}
    return {
        "n": len(gold),
        "accuracy": sum(tp.values()) / len(gold),
        "macro_f1": sum(v["f1"] for v in per_intent.values()) / len(labels),
        "weighted_f1": sum(v["f1"] * v["support"] for v in per_intent.values()) / len(gold),
        "fallback_rate": sum(1 for p in predicted if p == FALLBACK_INTENT) / len(gold),
        "per_intent": per_intent,
        "confusions": [
            {"gold": g, "predicted": p, "count": c}
            for (g, p), c in sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


BOOTSTRAP_SAMPLES = BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20
BOOTSTRAP_LEVEL = 0.95


def _macro_f1(gold: Sequence[str], predicted: Sequence[str], draw: Sequence[int]) -> float:
    return intent_metrics([gold[i] for i in draw], [predicted[i] for i in draw])["macro_f1"]


def _resamples(n: int, samples: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randrange(n) for _ in range(n)] for _ in range(samples)]


def _interval(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    tail = (1 - BOOTSTRAP_LEVEL) / 2
    return values[int(tail * (len(values) - 1))], values[int(round((1 - tail) * (len(values) - 1)))]


def bootstrap_macro_f1(
    gold: Sequence[str], predicted: Sequence[str], samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED
) -> dict[str, float]:
    """95 % percentile bootstrap interval of macro-F1: the test examples resampled with replacement ``samples``
    times (the noise of a test set of this size and mix)."""
    low, high = _interval([_macro_f1(gold, predicted, d) for d in _resamples(len(gold), samples, seed)])
    return {"low": low, "high": high}


def paired_bootstrap_difference(
    gold: Sequence[str], predicted_a: Sequence[str], predicted_b: Sequence[str],
    samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED,
) -> dict[str, float]:
    """Macro-F1 of ``a`` minus that of ``b`` on the same test examples, with a 95 % paired bootstrap interval
    (both scored on the same resamples). ``a`` is ahead by more than the noise when ``low > 0``."""
    low, high = _interval([
        _macro_f1(gold, predicted_a, d) - _macro_f1(gold, predicted_b, d)
        for d in _resamples(len(gold), samples, seed)
    ])
    everything = range(len(gold))
    return {"difference": _macro_f1(gold, predicted_a, everything) - _macro_f1(gold, predicted_b, everything),
            "low": low, "high": high}


def _value_agrees(gold: Entity, pred: Entity, text: str) -> bool:
    explicit_value = gold.value != text[gold.start : gold.end]
    return not explicit_value or gold.value == pred.value


def entity_matches(gold: Entity, pred: Entity, text: str) -> bool:
    """Strict (the official score): same type, role and span; same value too when the annotation states a
    normalised value."""
    if (gold.entity, gold.role, gold.start, gold.end) != (pred.entity, pred.role, pred.start, pred.end):
        return False
    return _value_agrees(gold, pred, text)


def entity_matches_overlap(gold: Entity, pred: Entity, text: str) -> bool:
    """Lenient (what slot filling needs): same type, role and value, spans overlap (boundaries may differ,
    e.g. 1800 vs 1800块)."""
    if (gold.entity, gold.role) != (pred.entity, pred.role):
        return False
    if max(gold.start, pred.start) >= min(gold.end, pred.end):
        return False
    return _value_agrees(gold, pred, text)


def _count(
    items: Sequence[tuple[str, Sequence[Entity], Sequence[Entity]]], match: EntityMatch
) -> tuple[Counter[str], Counter[str], Counter[str], list[dict[str, Any]]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    for text, gold, pred in items:
        unused = list(pred)
        missed = []
        for g in gold:
            hit = next((p for p in unused if match(g, p, text)), None)
            if hit is None:
                fn[g.entity] += 1
                missed.append(g)
            else:
                tp[g.entity] += 1
                unused.remove(hit)
        for p in unused:
            fp[p.entity] += 1
        if missed or unused:
            errors.append(
                {
                    "text": text,
                    "missed": [e.as_dict() for e in missed],
                    "spurious": [e.as_dict() for e in unused],
                }
            )
    return tp, fp, fn, errors


def _scores(tp: Counter[str], fp: Counter[str], fn: Counter[str]) -> dict[str, Any]:
    types = sorted(set(tp) | set(fp) | set(fn))
    per_entity = {t: {**_prf(tp[t], fp[t], fn[t]), "support": tp[t] + fn[t]} for t in types}
    micro = {
        **_prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
        "support": sum(tp.values()) + sum(fn.values()),
    }
    return {"per_entity": per_entity, "micro": micro}


def entity_metrics(items: Iterable[tuple[str, Sequence[Entity], Sequence[Entity]]]) -> dict[str, Any]:
    """Per-entity-type and micro precision/recall/F1 over (text, gold entities, predicted entities) triples:
    strict (``per_entity``, ``micro``, ``errors``) and with overlapping spans (``overlap``)."""
    items = list(items)
    tp, fp, fn, errors = _count(items, entity_matches)
    strict = _scores(tp, fp, fn)
    tp, fp, fn, _ = _count(items, entity_matches_overlap)
    return {**strict, "errors": errors, "overlap": _scores(tp, fp, fn)}


def score(
    examples: Sequence[Example], predictions: Sequence[Prediction], with_entities: bool = True
) -> dict[str, Any]:
    """Intent scores (and entity scores) of ``predictions`` against ``examples``, plus every misclassified text."""
    result: dict[str, Any] = {
        "intent": intent_metrics([e.intent for e in examples], [p.intent for p in predictions]),
    }
    if any(p.top_non_fallback for p in predictions):
        # the classifier's best real intent, as if there were no FallbackClassifier: separates "wrong" from
        # "not sure enough"
        alt = intent_metrics(
            [e.intent for e in examples], [p.top_non_fallback or p.intent for p in predictions]
        )
        result["intent_without_fallback"] = {"accuracy": alt["accuracy"], "macro_f1": alt["macro_f1"]}
    if with_entities:
        result["entities"] = entity_metrics(
            (e.text, e.entities, p.entities) for e, p in zip(examples, predictions, strict=True)
        )
    result["misclassified"] = [
        {"text": e.text, "gold": e.intent, "predicted": p.intent, "confidence": p.confidence}
        for e, p in zip(examples, predictions, strict=True)
        if e.intent != p.intent
    ]
    return result
