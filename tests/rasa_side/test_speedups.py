"""The speedups of Rasa internals give exactly Rasa's own results: the prebuilt validator for action-server responses
accepts and rejects what Rasa's check does; the event type table resolves every event type name as Rasa's walk does."""

from __future__ import annotations

import asyncio
import copy
import gc
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from rasa_addons.channels import SecureRestInput
from rasa_addons.speedups import (
    freeze_startup_heap,
    install_applied_events_cache,
    install_connection_reuse,
    install_event_type_cache,
    install_fast_action_validation,
    install_fast_slot_copy,
    install_sequential_graph_runner,
)
from tests.auxil.aiohttp_server import local_webhook
from tests.auxil.models import latest_model

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "town", "value": "接官亭镇"}], "responses": [{"text": "好的"}]},
    {},
]
GOOD += [
    {
        "events": [
            {"event": "slot", "name": "requested_slot", "value": None, "timestamp": None},
            {"event": "active_loop", "name": "precheck_form"},
            {"event": "bot", "text": "好的", "data": {"buttons": []}, "metadata": {}},
            {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
            {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}},
            {"event": "followup", "name": "action_x"},
            {"event": "reset_slots"},
        ],
        "responses": [{"text": "好的", "buttons": [{"title": "是", "payload": "/affirm"}]}],
    },
]
BAD = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": "nope"},
    [],
    {"events": [{"event": "slot", "value": 1}]},  # a slot event without its name
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": 7}]},
    {"events": ["slot"]},
    {"events": [{"event": "action", "name": "x"}, {"event": "user", "parse_data": "not an object"}]},
    {"events": [{"event": "action", "hide_rule_turn": "yes"}]},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "now"}]},
    {"events": [{"event": "bot", "metadata": []}]},
]


@pytest.mark.parametrize("result", GOOD + BAD)
def test_same_verdict_as_jsonschema_validate(result):
    spec = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(result, spec)
        expected_ok = True
    except jsonschema.ValidationError:
        expected_ok = False
    install_fast_action_validation()
    action = RemoteAction("action_x", None)
    if expected_ok:
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError):
            action._validate_action_result(result)


def test_the_fast_path_decides_the_common_responses_without_the_full_check(monkeypatch):
    install_fast_action_validation()
    action = RemoteAction("action_x", None)
    calls = []
    monkeypatch.setattr(jsonschema.Draft202012Validator, "validate", lambda *a, **k: calls.append(a))
    for result in GOOD:
        assert action._validate_action_result(result) is True
    assert calls == []


def test_installed_by_the_channel_and_idempotent():
    SecureRestInput.from_credentials({"secret": "a-test-secret-of-at-least-32-characters"})
    assert getattr(RemoteAction, "_lueyang_fast_validation", False)
    assert install_fast_action_validation() is False


def _walk(type_name, default=None):
    """Rasa 3.6's own Event.resolve_by_type (the class-tree walk the table replaces)."""
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    if type_name == "topic":
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def test_event_type_table_resolves_every_event_type_as_the_walk_does():
    install_event_type_cache()
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "session_started", "active_loop"} <= names
    for name in sorted(names) + ["topic"]:
        assert Event.resolve_by_type(name) is _walk(name)
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def test_event_type_table_sees_event_classes_defined_later():
    install_event_type_cache()
    assert Event.resolve_by_type("user") is UserUttered  # the table is built

    class LateEvent(SlotSet):
        type_name = "lueyang_test_late_event"

    assert Event.resolve_by_type("lueyang_test_late_event") is LateEvent
    assert Event.from_parameters({"event": "slot", "name": "town", "value": "x"}) == SlotSet("town", "x")


def test_speedups_installed_by_the_channel():
    SecureRestInput.from_credentials({"secret": "a-test-secret-of-at-least-32-characters"})
    assert getattr(Event, "_lueyang_type_cache", False)
    assert install_event_type_cache() is False


def test_action_server_calls_share_one_connection():
    """Three calls through EndpointConfig.request arrive on one TCP connection (before: one connection each);
    the replies are Rasa's as before, and EndpointConfig.session used directly still gives a fresh session."""
    install_connection_reuse()

    async def run() -> tuple[list[Any], set[Any], bool]:
        peers: set[Any] = set()

        async def webhook(request: web.Request) -> web.Response:
            peers.add(request.transport.get_extra_info("peername"))
            return web.json_response({"events": [], "responses": [{"text": (await request.json())["n"]}]})

        async with local_webhook(webhook) as url:
            endpoint = EndpointConfig(url)
            replies = [await endpoint.request(json={"n": n}, method="post") for n in ("a", "b", "c")]
            async with endpoint.session() as own:
                fresh = own is not endpoint._lueyang_session[1]
            await endpoint._lueyang_session[1].close()
        return replies, peers, fresh

    replies, peers, fresh = asyncio.run(run())
    assert [r["responses"][0]["text"] for r in replies] == ["a", "b", "c"]
    assert len(peers) == 1
    assert fresh


def test_freezing_the_loaded_heap_takes_its_objects_out_of_full_collections():
    survivors = [[i] for i in range(10_000)]  # long-lived, like the loaded model
    try:
        frozen = freeze_startup_heap()
        assert frozen >= len(survivors) and gc.get_freeze_count() == frozen
        walked = {id(o) for o in gc.get_objects(generation=2)}
        assert id(survivors) not in walked and id(survivors[0]) not in walked
        young = [[1]]
        gc.collect()
        # objects made after the freeze are collected and walked as before
        assert id(young) in {id(o) for o in gc.get_objects(generation=2)}
    finally:
        gc.unfreeze()


def test_the_channel_freezes_the_heap_once_the_server_has_started(monkeypatch):
    monkeypatch.setenv("LUEYANG_RASA_INTERFACE", "127.0.0.1")
    blueprint = SecureRestInput.from_credentials({}).blueprint(lambda message: None)
    listeners = [(f.event, f.listener.__name__) for f in blueprint._future_listeners]
    assert ("after_server_start", "freeze_loaded_heap") in listeners


# ---- slot copies and the applied-events cache --------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _generic_copy(slot: Slot) -> Slot:
    """``copy.copy`` as Python does it for a class without ``__copy__``."""
    return copy._reconstruct(slot, None, *slot.__reduce_ex__(4))


def test_the_fast_slot_copy_makes_what_copy_copy_made_of_every_slot_of_the_domain():
    install_fast_slot_copy()
    assert install_fast_slot_copy() is False  # idempotent
    slots = Domain.load(str(ROOT / "domain")).slots
    assert len(slots) > 10 and len({type(s) for s in slots}) > 2
    for slot in slots:
        slot.value = {"yuan": "2500"} if slot.type_name == "any" else slot.value
        fast, generic = copy.copy(slot), _generic_copy(slot)
        assert type(fast) is type(slot) and fast is not slot
        assert vars(fast) == vars(generic)
        fast.value = "changed"  # the copy's value is its own
        assert slot.value != "changed"


def _events() -> list[Event]:
    """A session with a form, an undone action, a rewound message, a restart and a new session."""
    def user(text: str, intent: str) -> UserUttered:
        return UserUttered(text, {"name": intent, "confidence": 1.0})

    return [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        user("临时救助", "start_precheck"), ActionExecuted("precheck_form"), ActiveLoop("precheck_form"),
        SlotSet("requested_slot", "pc_hukou"), ActionExecuted("action_listen"),
        user("略阳", "inform"), SlotSet("pc_hukou", True), ActionExecuted("precheck_form"),
        ActionExecuted("action_wrong"), ActionReverted(), ActionExecuted("action_listen"),
        user("啊？", "nlu_fallback"), UserUtteranceReverted(), ActionExecuted("action_listen"),
        user("算了", "stop"), ActiveLoop(None), ActionExecuted("action_listen"),
        Restarted(), ActionExecuted("action_listen"), user("你好", "greet"), ActionExecuted("utter_greet"),
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
    ]


def test_the_applied_events_cache_answers_as_rasa_after_every_event():
    install_applied_events_cache()
    assert install_applied_events_cache() is False
    rasa_applied = DialogueStateTracker.applied_events.__wrapped__
    domain = Domain.load(str(ROOT / "domain"))
    tracker = DialogueStateTracker("s1", domain.slots)
    for event in _events():
        tracker.update(event)
        first = tracker.applied_events()
        assert first == rasa_applied(tracker)
        first.clear()  # a caller changing its list does not change the next answer
        assert tracker.applied_events() == rasa_applied(tracker)
    copied = tracker.copy()  # a replayed copy and a deep copy answer for their own events
    assert copied.applied_events() == rasa_applied(copied)
    deep = copy.deepcopy(tracker)
    deep.update(user_event := UserUttered("再问一个", {"name": "ask_dibao", "confidence": 1.0}))
    assert deep.applied_events() == rasa_applied(deep) and deep.applied_events()[-1] is user_event



@pytest.mark.skipif(latest_model() is None, reason="no trained model under models/")
def test_the_sequential_graph_runner_gives_what_dask_gives_on_the_trained_model(monkeypatch):
    install_sequential_graph_runner()
    assert install_sequential_graph_runner() is False
    ours = DaskGraphRunner.run
    runs: list[int] = []

    def counted(self, *args, **kwargs):
        runs.append(1)
        return ours(self, *args, **kwargs)

    agent = Agent.load(str(latest_model()))
    texts = ["低保一个月能拿多少钱", "查一下 LY2026DB90001", "两千五", "", "hello 😀", "我家孩子住院花了3万"]
    for runner in (counted, ours.__wrapped__):
        monkeypatch.setattr(DaskGraphRunner, "run", runner)
        parsed = [asyncio.run(agent.parse_message(text)) for text in texts]
        predicted = []
        for data in parsed:
            tracker = DialogueStateTracker.from_events(
                "s3", [ActionExecuted("action_listen"), UserUttered(data["text"], data["intent"], data["entities"],
                                                                    parse_data=data)], slots=agent.domain.slots)
            prediction = agent.processor._predict_next_with_tracker(tracker)
            predicted.append((prediction.policy_name, prediction.max_confidence_index, prediction.probabilities))
        if runner is counted:
            mine = (parsed, predicted)
    assert len(runs) == 2 * len(texts)  # the sequential runner ran both graphs
    assert mine == (parsed, predicted)
    assert {d["intent"]["name"] for d in parsed} >= {"inform"}
