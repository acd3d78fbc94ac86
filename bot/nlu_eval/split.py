"""The fixed stratified hold-out split.

Per intent, ``round(holdout * n)`` examples go to the test side (at least one, never all); which ones is decided by
ranking the intent's examples by SHA-256 of ``seed + text``. The split therefore depends only on the examples'
texts and intents: not on file names, file order or the order inside a file; adding or removing an example moves
at most one other example.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence

from bot.nlu_eval.data import Example

DEFAULT_SEED = "lueyang-nlu-holdout-v1"
DEFAULT_HOLDOUT = 0.2


def split_rank(text: str, seed: str) -> str:
    """Position of an example in its intent's hold-out order: stable, independent of file order."""
    return hashlib.sha256(f"{seed}\x00{text}".encode()).hexdigest()


def holdout_count(n: int, holdout: float) -> int:
    """How many of an intent's ``n`` examples go to the test side: round(n * holdout), at least one when the
    intent has two or more examples, never all of them."""
    if n < 2:
        return 0
    k = math.floor(n * holdout + 0.5)
    return min(max(k, 1), n - 1)


def stratified_split(
    examples: Sequence[Example], holdout: float = DEFAULT_HOLDOUT, seed: str = DEFAULT_SEED
) -> tuple[list[Example], list[Example]]:
    """Fixed stratified hold-out split: per intent, the ``holdout_count`` examples of lowest rank are the test
    side. Both sides keep the order of ``examples``."""
    if not 0.0 < holdout < 1.0:
        raise ValueError(f"holdout must be between 0 and 1, got {holdout}")
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        by_intent[ex.intent].append(ex)
    test_ids: set[int] = set()
    for items in by_intent.values():
        ranked = sorted(items, key=lambda e: (split_rank(e.text, seed), e.text))
        test_ids.update(id(e) for e in ranked[: holdout_count(len(items), holdout)])
    train = [e for e in examples if id(e) not in test_ids]
    test = [e for e in examples if id(e) in test_ids]
    return train, test
