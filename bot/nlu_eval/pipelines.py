"""The pipelines compared on the hold-out split.

- ``project``: the project's own Rasa pipeline (``config.yml``);
- ``baseline_no_jieba``: the same Rasa pipeline without word segmentation (``configs/baseline_no_jieba.yml``, which
  must equal ``derive_no_jieba_pipeline(config.yml)``; tests/nlu checks it);
- ``baseline_tfidf_lr``: scikit-learn TF-IDF character 1-3-grams + logistic regression, trained here.

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
PIPELINE_TITLES = {
    PROJECT: "project pipeline (jieba + dictionary, config.yml)",
    NO_JIEBA: "baseline: same pipeline without jieba (char n-grams)",
    TFIDF: "baseline: TF-IDF char 1-3-grams + logistic regression",
}
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


def baseline_in_sync(project_config: Path, baseline_config: Path) -> bool:
    """Whether the no-jieba baseline config is the project config minus jieba."""
    project = yaml.safe_load(project_config.read_text(encoding="utf-8"))
    baseline = yaml.safe_load(baseline_config.read_text(encoding="utf-8"))
    return baseline.get("language") == project.get("language") and baseline.get("pipeline") == (
        derive_no_jieba_pipeline(project.get("pipeline") or [])
    )


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
