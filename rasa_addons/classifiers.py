"""Intent classifier that blends DIET with TF-IDF n-grams + logistic regression.

On our data (many intents, long and varied colloquial messages, ~1,700 examples) a linear model over TF-IDF
character n-grams of the raw text and word n-grams of the jieba tokens generalises better than DIET alone;
blending both rankings is better than either (see docs/nlu_evaluation.md). Place it right after DIETClassifier:
it replaces ``intent`` and ``intent_ranking`` with the blend ``w * DIET + (1 - w) * LR``.

The LR sees three views of a message: character n-grams of the normalised text (``bot.parsing.normalise``:
simplified, usual spellings), word n-grams of the jieba tokens, and character n-grams of the text with every
structured entity replaced by a placeholder per type (``mask_entities``: "Ⓟ一个月能拿多少" for any
programme), which lets question words generalise across programmes, towns, amounts and numbers.

The model is stored as plain arrays (JSON + NPZ), never pickled.
"""

from __future__ import annotations

import json
import logging
from typing import Any

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

from bot.parsing.normalise import mask_entities, normalise

logger = logging.getLogger(__name__)


def _word_string(message: Message) -> str:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join(t.text for t in tokens) if tokens else (message.get(TEXT) or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfBlendClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> list[type]:
        return []

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "char_ngram_range": [1, 3],
            "word_ngram_range": [1, 2],
            "C": 10.0,
            "max_iter": 2000,
            "masked_view": True,  # add char n-grams of the entity-masked text
            "diet_weight": 0.5,  # 0 = LR only, 1 = DIET only
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._char = None
        self._word = None
        self._masked = None
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None
        self._classes: list[str] = []

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> TfidfBlendClassifier:
        return cls(config, model_storage, resource)

    # -- vectorisers -------------------------------------------------------------------------------------
    def _new_vectorizers(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        char = TfidfVectorizer(analyzer="char", ngram_range=tuple(self.config["char_ngram_range"]),
                               sublinear_tf=True, lowercase=True)
        word = TfidfVectorizer(analyzer="word", ngram_range=tuple(self.config["word_ngram_range"]),
                               token_pattern=r"(?u)[^\s]+", sublinear_tf=True, lowercase=True)
        masked = None
        if self.config["masked_view"]:
            masked = TfidfVectorizer(analyzer="char", ngram_range=tuple(self.config["char_ngram_range"]),
                                     sublinear_tf=True, lowercase=True)
        return char, word, masked

    def _views(self, texts: list[str], words: list[str]) -> list[tuple[Any, list[str]]]:
        """(vectoriser, its input) per view: normalised text, jieba words, entity-masked text."""
        views = [(self._char, [normalise(t) for t in texts]), (self._word, words)]
        if self._masked is not None:
            views.append((self._masked, [mask_entities(t) for t in texts]))
        return views

    def _features(self, texts: list[str], words: list[str], fit: bool = False):
        from scipy.sparse import hstack

        views = self._views(texts, words)
        parts = [v.fit_transform(x) if fit else v.transform(x) for v, x in views]
        return hstack(parts).tocsr()

    # -- training ----------------------------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.debug("TfidfBlendClassifier: fewer than two intents, nothing to train")
            return self._resource
        texts = [e.get(TEXT) for e in examples]
        words = [_word_string(e) for e in examples]
        self._char, self._word, self._masked = self._new_vectorizers()
        clf = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"], random_state=42)
        clf.fit(self._features(texts, words, fit=True), [e.get(INTENT) for e in examples])
        self._coef, self._intercept, self._classes = clf.coef_, clf.intercept_, [str(c) for c in clf.classes_]
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            meta = {
                "classes": self._classes,
                "char_vocabulary": {k: int(v) for k, v in self._char.vocabulary_.items()},
                "word_vocabulary": {k: int(v) for k, v in self._word.vocabulary_.items()},
            }
            arrays = {"coef": self._coef, "intercept": self._intercept,
                      "char_idf": self._char.idf_, "word_idf": self._word.idf_}
            if self._masked is not None:
                meta["masked_vocabulary"] = {k: int(v) for k, v in self._masked.vocabulary_.items()}
                arrays["masked_idf"] = self._masked.idf_
            (model_dir / "tfidf_blend.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            np.savez(model_dir / "tfidf_blend.npz", **arrays)

    @classmethod
    def load(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> TfidfBlendClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                meta = json.loads((model_dir / "tfidf_blend.json").read_text(encoding="utf-8"))
                arrays = np.load(model_dir / "tfidf_blend.npz")
                component._char, component._word, component._masked = component._new_vectorizers()
                component._char.vocabulary_ = meta["char_vocabulary"]
                component._word.vocabulary_ = meta["word_vocabulary"]
                component._char.idf_ = arrays["char_idf"]
                component._word.idf_ = arrays["word_idf"]
                if component._masked is not None:
                    component._masked.vocabulary_ = meta["masked_vocabulary"]
                    component._masked.idf_ = arrays["masked_idf"]
                component._coef, component._intercept = arrays["coef"], arrays["intercept"]
                component._classes = list(meta["classes"])
        except (ValueError, FileNotFoundError, KeyError):
            logger.debug("TfidfBlendClassifier: no trained model in storage; it will pass messages through")
        return component

    # -- prediction --------------------------------------------------------------------------------------
    def _lr_probabilities(self, messages: list[Message]) -> np.ndarray:
        scores = self._features([m.get(TEXT) or "" for m in messages], [_word_string(m) for m in messages])
        logits = scores @ self._coef.T + self._intercept
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        todo = [m for m in messages if m.get(TEXT)]
        if self._coef is None or not todo:
            return messages
        w = float(self.config["diet_weight"])
        for message, probs in zip(todo, self._lr_probabilities(todo), strict=True):
            blended = {name: (1 - w) * float(p) for name, p in zip(self._classes, probs, strict=True)}
            for item in message.get(INTENT_RANKING_KEY) or []:
                name = item.get("name")
                if name in blended:
                    blended[name] += w * float(item.get("confidence") or 0.0)
            ranking = sorted(({"name": k, "confidence": v} for k, v in blended.items()),
                             key=lambda r: r["confidence"], reverse=True)[: int(self.config["ranking_length"])]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
