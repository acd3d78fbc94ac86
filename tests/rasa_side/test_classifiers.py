"""TfidfBlendClassifier: trains, persists as plain arrays, loads, and blends DIET's ranking with its own."""

from __future__ import annotations

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.classifiers import TfidfBlendClassifier

EXAMPLES = {
    "ask_dibao_apply": ["低保咋个申请", "低保去哪里申请", "申请低保要走啥子流程", "想办低保找哪个"],
    "ask_tekun": ["五保户有啥子条件", "特困供养咋个认定", "敬老院能不能住", "孤儿能吃特困不"],
    "greet": ["你好", "您好啊", "在吗", "早上好"],
}


def _train(tmp_path, config=None):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("tfidf_blend")
    context = ExecutionContext(GraphSchema({}), "test")
    cfg = {**TfidfBlendClassifier.get_default_config(), **(config or {})}
    component = TfidfBlendClassifier.create(cfg, storage, resource, context)
    data = TrainingData([Message(data={"text": t, "intent": i}) for i, ts in EXAMPLES.items() for t in ts])
    component.train(data)
    return cfg, storage, resource, context


def _classify(component, text, diet_ranking=None):
    message = Message(data={"text": text, "intent_ranking": diet_ranking or []})
    component.process([message])
    return message


def test_trains_persists_and_loads(tmp_path):
    cfg, storage, resource, context = _train(tmp_path, {"diet_weight": 0.0})
    loaded = TfidfBlendClassifier.load(cfg, storage, resource, context)
    assert _classify(loaded, "低保咋个申请嘛").get("intent")["name"] == "ask_dibao_apply"
    assert _classify(loaded, "五保户的条件").get("intent")["name"] == "ask_tekun"
    ranking = _classify(loaded, "你好").get("intent_ranking")
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


def test_blend_follows_the_weights(tmp_path):
    cfg, storage, resource, context = _train(tmp_path, {"diet_weight": 0.9})
    loaded = TfidfBlendClassifier.load(cfg, storage, resource, context)
    diet_says_greet = [{"name": "greet", "confidence": 1.0}]
    # DIET dominates at weight 0.9
    assert _classify(loaded, "低保咋个申请", diet_says_greet).get("intent")["name"] == "greet"
    cfg["diet_weight"] = 0.1
    lr_heavy = TfidfBlendClassifier.load(cfg, storage, resource, context)
    assert _classify(lr_heavy, "低保咋个申请", diet_says_greet).get("intent")["name"] == "ask_dibao_apply"


def test_untrained_component_passes_messages_through(tmp_path):
    storage = LocalModelStorage(tmp_path)
    cfg = TfidfBlendClassifier.get_default_config()
    component = TfidfBlendClassifier.load(cfg, storage, Resource("missing"), ExecutionContext(GraphSchema({}), "t"))
    message = _classify(component, "你好", [{"name": "greet", "confidence": 0.9}])
    assert message.get("intent") is None


def test_masked_view_is_persisted_and_generalises_across_programmes(tmp_path):
    cfg, storage, resource, context = _train(tmp_path, {"diet_weight": 0.0})
    loaded = TfidfBlendClassifier.load(cfg, storage, resource, context)
    assert loaded._masked is not None and loaded._masked.vocabulary_
    # traditional characters and a misspelt programme read like the training examples
    assert _classify(loaded, "低保咋個申請").get("intent")["name"] == "ask_dibao_apply"
    assert _classify(loaded, "五宝户有啥子条件").get("intent")["name"] == "ask_tekun"


def test_without_masked_view(tmp_path):
    cfg, storage, resource, context = _train(tmp_path, {"diet_weight": 0.0, "masked_view": False})
    loaded = TfidfBlendClassifier.load(cfg, storage, resource, context)
    assert loaded._masked is None
    assert _classify(loaded, "低保咋个申请嘛").get("intent")["name"] == "ask_dibao_apply"
