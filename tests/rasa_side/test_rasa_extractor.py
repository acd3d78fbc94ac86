"""Smoke test of the structured entity extractor as a Rasa component."""

from pathlib import Path

import pytest
import rasa.shared.utils.io
from rasa.engine import validation
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.extractors import StructuredEntityExtractor


@pytest.fixture
def extractor(tmp_path):
    return StructuredEntityExtractor.create(
        StructuredEntityExtractor.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("structured_entity_extractor"),
        ExecutionContext(graph_schema=None, model_id="test"),
    )


def test_registered_as_entity_extractor():
    registered = DefaultV1Recipe._from_registry("rasa_addons.extractors.StructuredEntityExtractor")
    assert registered.clazz is StructuredEntityExtractor
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types
    assert registered.is_trainable is False


def test_process_adds_normalised_entities(extractor):
    message = Message.build(
        text="我是接官亭的，家里三口人，月收入两千五，电话138 1234 5678，查 ly-2023-ls-00123"
    )
    message.set("entities", [{"entity": "other", "value": "x", "start": 0, "end": 1}])
    [out] = extractor.process([message])
    entities = out.get("entities")
    assert entities[0]["entity"] == "other"  # existing entities are kept
    ours = {e["entity"]: e for e in entities[1:]}
    assert ours["town"]["value"] == "接官亭镇"
    assert ours["household_size"]["value"] == "3"
    assert ours["amount"]["value"] == "2500" and ours["amount"]["role"] == "month"
    assert ours["phone"]["value"] == "13812345678"
    assert ours["case_no"]["value"] == "LY2023LS00123"
    for e in entities[1:]:
        assert e["extractor"] == "StructuredEntityExtractor"
        assert e["confidence_entity"] == 1.0


def test_config_restricts_entities(tmp_path):
    extractor = StructuredEntityExtractor.create(
        {"entities": ["town"]},
        LocalModelStorage(tmp_path),
        Resource("x"),
        ExecutionContext(graph_schema=None, model_id="test"),
    )
    [out] = extractor.process([Message.build(text="接官亭 三口人")])
    assert [e["entity"] for e in out.get("entities")] == ["town"]


def test_message_without_text_is_untouched(extractor):
    [out] = extractor.process([Message(data={})])
    assert out.get("entities") is None


def test_project_config_builds_a_graph_with_the_extractor():
    config_path = Path(__file__).resolve().parents[2] / "config.yml"
    config = rasa.shared.utils.io.read_model_configuration(config_path)
    recipe = Recipe.recipe_for_name(config.get("recipe"))
    model_config = recipe.graph_config_for_recipe(config, {})
    uses = {node.uses for node in model_config.predict_schema.nodes.values()}
    assert StructuredEntityExtractor in uses
    validation.validate(model_config)  # Rasa's own checks of signatures and types across the graph
