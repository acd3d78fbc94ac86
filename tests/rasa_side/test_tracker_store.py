"""The masking tracker store (rasa_addons/tracker_store.py) against a real SQLite tracker database.

A conversation sends a full ID number and a phone, a ``/status`` command with a lookup pair in its arguments, the
last six on its own, and a callback phone in the handoff form; the test then reads the database file with
sqlite3, as someone who got hold of it would, and finds none of them. The turns after that still get the values
the dialogue needs (the sealed slots), exactly as given.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import uuid
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_tracker_store
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AgentUttered,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from sqlalchemy.engine import make_url

from bot.conversation.window import events_before, user_intents
from bot.privacy import MaskingFilter, mask_text
from rasa_addons.tracker_store import (
    SEAL_PREFIX,
    SEALED_SLOTS,
    WINDOW_ACTIONS,
    WINDOW_EVENTS,
    WINDOW_TABLE,
    MaskingSQLTrackerStore,
    SlotSealer,
    mask_event,
    unseal_event,
    window_start,
)

ROOT = Path(__file__).resolve().parents[2]
SENDER = "tg-100200300-100200300"
ID_NUMBER = "61072719900101123X"
PHONE = "13812345678"
CASE_NO = "LY2024DB00123"
LAST6 = "12345X"
SECRETS = (ID_NUMBER, "19900101123X", PHONE, "12345678", LAST6)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


def make_store(domain: Domain, db_path: Path, secret: str = "test-id-hash-key") -> MaskingSQLTrackerStore:
    return MaskingSQLTrackerStore(
        domain=domain, dialect="sqlite", db=str(db_path), sealer=SlotSealer.from_secret(secret)
    )


def user(text: str, intent: str, entities: list[dict] | None = None, metadata: dict | None = None) -> UserUttered:
    entities = entities or []
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.93}, "entities": entities}
    if metadata:
        parse["metadata"] = metadata
    return UserUttered(
        text, parse["intent"], entities, parse_data=parse, input_channel="secure_rest", metadata=metadata
    )


async def turn(store: MaskingSQLTrackerStore, events: list) -> DialogueStateTracker:
    """One turn as Rasa's processor runs it: load the tracker, add the turn's events in memory, save."""
    tracker = await store.get_or_create_tracker(SENDER, append_action_listen=False)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return tracker


def database_text(db_path: Path) -> str:
    """Every column of every row, the JSON also decoded (Rasa writes non-ASCII characters as escapes)."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT sender_id, type_name, intent_name, action_name, data FROM events").fetchall()
    lines = []
    for row in rows:
        lines.append(" ".join(str(col) for col in row))
        lines.append(json.dumps(json.loads(row[-1]), ensure_ascii=False))
    return "\n".join(lines)


async def conversation(store: MaskingSQLTrackerStore) -> list[DialogueStateTracker]:
    trackers = []
    # 1. a full ID number and a phone in one message (entities fill id_number and phone)
    trackers.append(
        await turn(
            store,
            [
                user(
                    f"我的身份证号是{ID_NUMBER}，电话{PHONE}，想问低保",
                    "ask_dibao_eligibility",
                    [
                        {"entity": "id_number", "value": ID_NUMBER, "start": 7, "end": 25},
                        {"entity": "phone", "value": PHONE, "start": 28, "end": 39},
                    ],
                ),
                SlotSet("id_number", ID_NUMBER),
                SlotSet("phone", PHONE),
                ActionExecuted("action_answer_policy"),
                BotUttered("您好，低保的条件是……"),
                ActionExecuted("action_listen"),
            ],
        )
    )
    # 2. /status with only the last six in its arguments (metadata), the form asks for the case number
    trackers.append(
        await turn(
            store,
            [
                user(
                    "/check_status",
                    "check_status",
                    [{"entity": "id_last6", "value": LAST6}],
                    metadata={"channel": "telegram", "command": "status", "args": f"后六位 {LAST6}"},
                ),
                SlotSet("id_last6", LAST6),
                ActionExecuted("status_lookup_form"),
                SlotSet("requested_slot", "case_no"),
                BotUttered("请告诉我您的案件编号（在受理回执上，形如 LY2024DB00123）。"),
                ActionExecuted("action_listen"),
            ],
        )
    )
    # 3. the case number and the pair again in one line, typed
    trackers.append(
        await turn(
            store,
            [
                user(
                    f"{CASE_NO} {LAST6}",
                    "inform",
                    [{"entity": "case_no", "value": CASE_NO}, {"entity": "id_last6", "value": LAST6}],
                ),
                SlotSet("case_no", CASE_NO),
                ActionExecuted("action_listen"),
            ],
        )
    )
    # 4. the handoff form: a callback phone, needed on the next turn for the ticket
    trackers.append(
        await turn(
            store,
            [
                user(f"打{PHONE}就行", "inform"),
                SlotSet("handoff_phone", PHONE),
                SlotSet("handoff_topic", f"低保的事，我身份证{ID_NUMBER}"),
                SlotSet("pc_loss", "房子烧了，损失150000"),  # the raw answer, before validation
                SlotSet("pc_loss", {"yuan": "150000"}),  # as the validation parsed it
                SlotSet("pc_savings", {"low": "123456", "high": None}),
                SlotSet("session_started_metadata", {"command": "status", "args": f"{CASE_NO} {LAST6}"}),
                ActionExecuted("action_listen"),
            ],
        )
    )
    return trackers


def test_the_database_holds_no_id_number_phone_or_lookup_pair(domain, db_path):
    asyncio.run(conversation(make_store(domain, db_path)))
    stored = database_text(db_path)
    for secret in SECRETS:
        assert secret not in stored, f"{secret} is stored in plain text"
    assert mask_text(ID_NUMBER) in stored and mask_text(PHONE) in stored  # masked, still readable as such
    assert f"{CASE_NO} ******" in stored  # the case number alone is not personal data
    with sqlite3.connect(db_path) as conn:
        slots = [json.loads(r[0]) for r in conn.execute("SELECT data FROM events WHERE type_name = 'slot'")]
    sealed = sorted(slot["name"] for slot in slots if str(slot["value"]).startswith(SEAL_PREFIX))
    assert sealed == ["handoff_phone", "id_last6", "id_number"]
    # what the reports need stays: intents and action names in their columns, intents in parse_data
    with sqlite3.connect(db_path) as conn:
        intents = [r[0] for r in conn.execute("SELECT intent_name FROM events WHERE type_name = 'user'")]
        metadata = [
            json.loads(r[0])["metadata"]
            for r in conn.execute("SELECT data FROM events WHERE type_name = 'user'")
            if json.loads(r[0]).get("metadata")
        ]
    assert intents == ["ask_dibao_eligibility", "check_status", "inform", "inform"]
    assert metadata == [{"channel": "telegram", "command": "status", "args": "后六位 ******"}]


def test_later_turns_get_the_sealed_values_back(domain, db_path):
    asyncio.run(conversation(make_store(domain, db_path)))
    tracker = asyncio.run(make_store(domain, db_path).retrieve(SENDER))  # a fresh store: another Rasa process
    assert tracker.get_slot("id_last6") == LAST6  # the status form verifies the pair on a later turn
    assert tracker.get_slot("id_number") == ID_NUMBER
    assert tracker.get_slot("handoff_phone") == PHONE  # the ticket is written on the next turn
    assert tracker.get_slot("case_no") == CASE_NO
    assert tracker.get_slot("phone") == mask_text(PHONE)  # nobody reads it back: masked
    assert tracker.get_slot("handoff_topic") == f"低保的事，我身份证{mask_text(ID_NUMBER)}"  # the ticket masks it anyway
    assert tracker.get_slot("pc_savings") == {"low": "123456", "high": None}  # a parsed answer, kept
    assert tracker.get_slot("pc_loss") == {"yuan": "150000"}
    assert tracker.get_slot("session_started_metadata") == {"command": "status", "args": f"{CASE_NO} ******"}
    assert tracker.latest_message.text == f"打{mask_text(PHONE)}就行"


def test_a_turn_in_memory_is_unmasked(domain, db_path):
    """Rasa runs the turn on the tracker in memory: the actions of that turn see what the person typed."""
    trackers = asyncio.run(conversation(make_store(domain, db_path)))
    assert trackers[2].latest_message.text == f"{CASE_NO} {LAST6}"


def test_sealed_values_open_only_with_the_key_and_in_their_conversation(domain, db_path):
    asyncio.run(conversation(make_store(domain, db_path)))
    other_key = asyncio.run(make_store(domain, db_path, secret="another-key").retrieve(SENDER))
    assert other_key.get_slot("id_last6") is None  # the form simply asks again
    sealer = SlotSealer.from_secret("test-id-hash-key")
    token = sealer.seal(SENDER, "id_last6", LAST6)
    assert sealer.unseal(SENDER, "id_last6", token) == LAST6
    assert sealer.unseal("tg-5-5", "id_last6", token) is None
    assert sealer.unseal(SENDER, "id_number", token) is None


def test_mask_event_is_a_function_over_serialised_events():
    sealer = SlotSealer.from_secret("k")
    event = user(f"{CASE_NO}{LAST6}", "inform", [{"entity": "id_last6", "value": LAST6}]).as_dict()
    masked = mask_event(event, sender_id=SENDER, sealer=sealer)
    assert masked["text"] == masked["parse_data"]["text"] == f"{CASE_NO}******"
    assert masked["parse_data"]["entities"] == [{"entity": "id_last6", "value": "******"}]
    assert event["text"] == f"{CASE_NO}{LAST6}"  # the input is not changed
    slot = mask_event(SlotSet("id_last6", LAST6).as_dict(), sender_id=SENDER, sealer=sealer)
    assert slot["value"].startswith(SEAL_PREFIX)
    assert mask_event(slot, sender_id=SENDER, sealer=sealer) == slot  # sealed once
    assert mask_event(SlotSet("id_last6", None).as_dict(), sender_id=SENDER, sealer=sealer)["value"] is None
    assert SEALED_SLOTS == {"id_last6", "id_number", "handoff_phone"}


@pytest.mark.parametrize("path", ["endpoints.yml", "deploy/endpoints.example.yml"])
def test_the_endpoint_files_select_the_masking_store(path, monkeypatch):
    monkeypatch.setenv("LUEYANG_TRACKER_PASSWORD", "x")
    monkeypatch.setenv("LUEYANG_REDIS_PASSWORD", "x")
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / path))
    assert endpoints.tracker_store.type == "rasa_addons.tracker_store.MaskingSQLTrackerStore"


def test_rasa_builds_the_masking_store_from_the_runner_config(domain, db_path):
    """Rasa falls back to an in-memory store when a custom class cannot be imported: it must really load."""
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    endpoints.tracker_store.kwargs["db"] = str(db_path)
    store = create_tracker_store(endpoints.tracker_store, domain)
    assert isinstance(store, MaskingSQLTrackerStore)


def test_the_store_masks_rasa_log_lines_too(domain, db_path):
    """Whatever channel the Rasa process serves, the process that stores conversations masks its logs."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    root = logging.getLogger()
    handler = Collect()
    root.addHandler(handler)
    saved = list(root.filters)
    try:
        make_store(domain, db_path)
        assert any(isinstance(f, MaskingFilter) for f in handler.filters)
        logging.getLogger("rasa.core.processor").warning("Received user message '%s'", f"{CASE_NO} {LAST6}")
    finally:
        root.removeHandler(handler)
        root.filters[:] = saved
    assert lines == [f"Received user message '{CASE_NO} ******'"]


# ---- the window: per-turn cost flat in the length of the conversation (issue 21) ---------------------------------

WINDOWED = "term-window-1"


class Clock:
    """Event timestamps one second apart (the expiry test moves it on by hours)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


async def turn_of(store: MaskingSQLTrackerStore, sender: str, events: list) -> DialogueStateTracker:
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return tracker


def session_start(clock: Clock, slots: dict | None = None) -> list:
    """As Rasa logs it: action_session_start, then the session_started its run created a moment earlier."""
    started = clock()
    events = [ActionExecuted("action_session_start", timestamp=clock()), SessionStarted(timestamp=started)]
    events += [SlotSet(k, v, timestamp=clock()) for k, v in (slots or {}).items()]
    return events + [ActionExecuted("action_listen", timestamp=clock())]


def question(clock: Clock, n: int, intent: str = "ask_temp_relief") -> list:
    """One policy question as Rasa logs it: user message, the answer action, its reply, listen."""
    text = f"第{n}个问题：临时救助怎么申请？"
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return [
        UserUttered(text, parse["intent"], [], parse_data=parse, timestamp=clock()),
        ActionExecuted("action_answer_policy", timestamp=clock()),
        BotUttered(f"答复{n}", timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
    ]


def form_turn(clock: Clock, text: str, slot: str | None, value, next_slot: str | None, *, first: bool = False) -> list:
    """One turn of the pre-check form: the answer, the form (activated on ``first``), the next question."""
    parse = {"text": text, "intent": {"name": "start_precheck" if first else "inform", "confidence": 0.9}}
    events = [UserUttered(text, parse["intent"], [], parse_data=parse, timestamp=clock())]
    if first:
        events.append(ActionExecuted("action_precheck_start", timestamp=clock()))
    if slot:
        events.append(SlotSet(slot, value, timestamp=clock()))
    events.append(ActionExecuted("precheck_form", timestamp=clock()))
    if first:
        events.append(ActiveLoop("precheck_form", timestamp=clock()))
    events.append(SlotSet("requested_slot", next_slot, timestamp=clock()))
    if next_slot is None:
        events.append(ActiveLoop(None, timestamp=clock()))
    else:
        events.append(BotUttered(f"请问{next_slot}？", timestamp=clock()))
        events.append(ActionExecuted("action_listen", timestamp=clock()))
    return events


def stored_rows(db_path: Path, sender: str) -> list[dict]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(r[0]) for r in rows]


def whole(domain: Domain, db_path: Path, sender: str) -> DialogueStateTracker:
    """The tracker Rasa's own SQL store would build: every stored event of the latest session, replayed."""
    store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(db_path))
    tracker = asyncio.run(store.retrieve(sender))
    sealer = SlotSealer.from_secret("test-id-hash-key")
    events = [unseal_event(e.as_dict(), sender_id=sender, sealer=sealer) for e in tracker.events]
    return DialogueStateTracker.from_dict(sender, events, domain.slots)


def comparable(state: dict) -> dict:
    """The tracker state the policies and actions read. Not compared: the events, and the form's
    ``trigger_message`` (the message that opened the form, before the cut; neither Rasa nor rasa_sdk reads it)."""
    state = dict(state)
    for key in ("events", "latest_event_time"):
        state.pop(key, None)
    if state.get("active_loop"):
        state["active_loop"] = {k: v for k, v in state["active_loop"].items() if k != "trigger_message"}
    return state


async def long_conversation(store: MaskingSQLTrackerStore, clock: Clock, questions: int) -> list:
    """A session with a sealed and a masked slot set at the start, then ``questions`` policy questions;
    returns every event written, in order."""
    written = session_start(clock, {"session_started_metadata": {"channel": "terminal"}})
    first = question(clock, 0, "check_status") + [
        SlotSet("id_last6", LAST6, timestamp=clock()),
        SlotSet("town", "接官亭镇", timestamp=clock()),
        SlotSet("handoff_ticket", 17, timestamp=clock()),
    ]
    await turn_of(store, WINDOWED, written + first)
    written += first
    for n in range(1, questions + 1):
        events = question(clock, n)
        await turn_of(store, WINDOWED, events)
        written += events
    return written


@pytest.mark.parametrize(
    ("types", "start"),
    [
        (["user", "action", "bot", "action"] * 5, 4),  # 5 turns of 2 actions: the last 4 turns have the 8 actions
        (["user", "action", "bot", "action"] * 3, 0),  # fewer than 8 actions: no cut
        (["session_started", "action"] + ["action"] * 10, 0),  # no user message: no cut
        # the 8th action from the end is in the middle of a turn: the window starts at that turn's user message
        (["user", "action"] + ["user", "slot", "action", "slot", "action", "user", "action"] + ["action"] * 6, 2),
    ],
)
def test_the_window_starts_at_a_user_message_with_enough_actions_after_it(types, start):
    assert window_start(types, 8) == start


def test_a_long_conversation_hands_rasa_a_window_and_keeps_every_event(domain, db_path):
    clock = Clock()
    store = make_store(domain, db_path)
    written = asyncio.run(long_conversation(store, clock, 120))
    stored = stored_rows(db_path, WINDOWED)
    # every event stored exactly once, in order (the window must not make save skip or repeat any)
    assert [(e["event"], e["timestamp"]) for e in stored] == [(e.type_name, e.timestamp) for e in written]
    tracker = asyncio.run(make_store(domain, db_path).retrieve(WINDOWED))
    assert len(tracker.events) <= WINDOW_EVENTS + 20  # not 486 events
    assert sum(isinstance(e, ActionExecuted) for e in tracker.events) >= WINDOW_ACTIONS
    assert window_events_before(tracker) + len(tracker.events) - len(carried_of(tracker)) == len(written)
    # the state as Rasa would have built it from every event
    full = whole(domain, db_path, WINDOWED)
    assert comparable(tracker.current_state()) == comparable(full.current_state())
    assert tracker.get_slot("id_last6") == LAST6  # sealed before the cut, opened after it
    assert tracker.get_slot("handoff_ticket") == 17  # an open relay ticket
    assert tracker.get_slot("session_started_metadata") == {"channel": "terminal"}
    # what the policies read: MemoizationPolicy's last 5 states (+ the current one) and the rules' few; in fact
    # every state of the window but the carried first one
    states = tracker.past_states(domain)
    assert len(states) > 6 and states[1:] == full.past_states(domain)[-(len(states) - 1) :]
    # the ticket summary still sees the intents before the cut
    assert user_intents([e.as_dict() for e in tracker.events])[:2] == ["check_status", "ask_temp_relief"]
    # the latest user message is in the window: session expiry reads its timestamp
    assert tracker.get_last_event_for(UserUttered).timestamp == full.get_last_event_for(UserUttered).timestamp


def window_events_before(tracker: DialogueStateTracker) -> int:
    return events_before(e.as_dict() for e in tracker.events)


def carried_of(tracker: DialogueStateTracker) -> list:
    events = list(tracker.events)
    marker = next(i for i, e in enumerate(events) if isinstance(e, AgentUttered))
    return events[: marker + 2]  # up to the marker and the action_listen after it


def test_the_window_does_not_grow_with_the_conversation(domain, db_path):
    clock = Clock()
    store = make_store(domain, db_path)
    sizes = {}
    for total in (60, 300):
        asyncio.run(long_conversation(store, clock, total)) if total == 60 else asyncio.run(
            more_questions(store, clock, 61, total)
        )
        tracker = asyncio.run(store.retrieve(WINDOWED))
        sizes[total] = len(json.dumps(tracker.current_state(EventVerbosity.ALL)))  # what the action server gets
    assert abs(sizes[300] - sizes[60]) < 0.15 * sizes[60]


async def more_questions(store: MaskingSQLTrackerStore, clock: Clock, first: int, last: int) -> None:
    for n in range(first, last + 1):
        await turn_of(store, WINDOWED, question(clock, n))


def test_an_open_form_continues_across_the_cut(domain, db_path):
    clock = Clock()
    store = make_store(domain, db_path)

    async def run() -> None:
        await turn_of(store, WINDOWED, session_start(clock) + question(clock, 0))
        await turn_of(store, WINDOWED, form_turn(clock, "我要预审", None, None, "pc_residency", first=True))
        answers = [("pc_residency", "本县户籍"), ("pc_event", "火灾"), ("pc_date", "2026-11-30")]
        slots = [a[0] for a in answers] + ["pc_status", "pc_household_size", "pc_income", "pc_compensation"]
        for i, (slot, value) in enumerate(answers):
            await turn_of(store, WINDOWED, form_turn(clock, value, slot, value, slots[i + 1]))
        for n in range(1, 12):  # questions in the middle of the form (the rule answers, the form asks again)
            await turn_of(store, WINDOWED, question(clock, n)[:3] + [
                ActionExecuted("precheck_form", timestamp=clock()),
                BotUttered("请问pc_status？", timestamp=clock()),
                ActionExecuted("action_listen", timestamp=clock()),
            ])

    asyncio.run(run())
    tracker = asyncio.run(make_store(domain, db_path).retrieve(WINDOWED))
    assert window_events_before(tracker) > 0, "the conversation was not cut"
    assert not any(isinstance(e, UserUttered) and e.text == "火灾" for e in tracker.events)  # answered before the cut
    full = whole(domain, db_path, WINDOWED)
    assert tracker.active_loop_name == full.active_loop_name == "precheck_form"
    assert tracker.get_slot("requested_slot") == "pc_status"
    assert tracker.get_slot("pc_event") == "火灾"
    assert comparable(tracker.current_state()) == comparable(full.current_state())
    states = tracker.past_states(domain)
    assert states[1:] == full.past_states(domain)[-(len(states) - 1) :]  # all but the carried first state
    # the next answer fills the form and ends it; saved after a window, nothing is lost or doubled
    events = form_turn(clock, "临时居住", "pc_status", "临时居住", None)
    for event in events:
        tracker.update(event)
    asyncio.run(make_store(domain, db_path).save(tracker))
    after = asyncio.run(make_store(domain, db_path).retrieve(WINDOWED))
    assert after.active_loop_name is None and after.get_slot("pc_status") == "临时居住"
    assert after.get_slot("pc_residency") == "本县户籍"
    assert stored_rows(db_path, WINDOWED)[-len(events):] == [
        mask_event(e.as_dict(), sender_id=WINDOWED, sealer=SlotSealer.from_secret("test-id-hash-key")) for e in events
    ]


def test_a_form_running_since_before_the_cut_keeps_what_its_rules_read(domain, db_path):
    """A form answered turn after turn since before the cut: Rasa folds its turns into the one that opened it, the
    window into its first form turn; the rest of what the RulePolicy reads is the same."""
    clock = Clock()
    store = make_store(domain, db_path)

    async def run() -> None:
        await turn_of(store, WINDOWED, session_start(clock) + question(clock, 0))
        await turn_of(store, WINDOWED, form_turn(clock, "我要预审", None, None, "pc_income", first=True))
        for i in range(20):
            await turn_of(store, WINDOWED, form_turn(clock, f"{i}000元", "pc_income", f"{i}000", "pc_income"))

    asyncio.run(run())
    tracker = asyncio.run(make_store(domain, db_path).retrieve(WINDOWED))
    full = whole(domain, db_path, WINDOWED)
    assert window_events_before(tracker) > 0
    assert comparable(tracker.current_state()) == comparable(full.current_state())
    last, last_full = tracker.past_states(domain)[-1], full.past_states(domain)[-1]
    assert last["user"]["intent"] == "inform" and last_full["user"]["intent"] == "start_precheck"  # the difference
    assert {k: v for k, v in last.items() if k != "user"} == {k: v for k, v in last_full.items() if k != "user"}
    # the last answer ends the form: the "pre-check finished" rule reads prev_action, active_loop, requested_slot
    # of the last state (the one before is the fold's root: see the module docstring of the store)
    for event in form_turn(clock, "5000元", "pc_income", "5000", None):
        tracker.update(event)
        full.update(event)
    last, last_full = tracker.past_states(domain)[-1], full.past_states(domain)[-1]
    assert last["prev_action"] == last_full["prev_action"] == {"action_name": "precheck_form"}
    assert {k: v for k, v in last.items() if k != "user"} == {k: v for k, v in last_full.items() if k != "user"}
    assert tracker.active_loop_name is None and tracker.get_slot("requested_slot") is None


def test_saving_twice_or_a_copy_appends_each_event_once(domain, db_path):
    clock = Clock()
    store = make_store(domain, db_path)
    written = asyncio.run(long_conversation(store, clock, 40))
    tracker = asyncio.run(store.retrieve(WINDOWED))
    new = question(clock, 41)
    for event in new[:2]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # Rasa saves the same tracker again in some paths
    copy = tracker.copy()  # a copy loses the note of what is stored: the last stored row is found in it
    for event in new[2:]:
        copy.update(event)
    asyncio.run(store.save(copy))
    stored = stored_rows(db_path, WINDOWED)
    assert [(e["event"], e["timestamp"]) for e in stored] == [(e.type_name, e.timestamp) for e in written + new]


def test_the_full_tracker_still_has_every_event_of_every_session(domain, db_path):
    clock = Clock()
    store = make_store(domain, db_path)
    written = asyncio.run(long_conversation(store, clock, 40))
    clock.now += 3 * 3600
    second = session_start(clock) + question(clock, 99)
    asyncio.run(turn_of(store, WINDOWED, second))
    full = asyncio.run(store.retrieve_full_tracker(WINDOWED))
    assert [(e.type_name, e.timestamp) for e in full.events] == [(e.type_name, e.timestamp) for e in written + second]
    assert not any(isinstance(e, AgentUttered) for e in full.events)


def test_a_new_session_after_the_cut_starts_clean_with_the_carried_over_slots(domain, db_path):
    """Session expiry: the window holds the latest user message, so Rasa sees the session expire; the new
    session (action_session_start carries the slots over) replaces the carried state."""
    clock = Clock()
    store = make_store(domain, db_path)
    asyncio.run(long_conversation(store, clock, 40))
    tracker = asyncio.run(store.retrieve(WINDOWED))
    clock.now += 3 * 3600  # 180 minutes later: more than the domain's 120
    assert (clock.now - tracker.get_last_event_for(UserUttered).timestamp) / 60 > 120
    carried = {"id_last6": LAST6, "town": "接官亭镇", "handoff_ticket": 17}
    asyncio.run(turn_of(store, WINDOWED, session_start(clock, carried) + question(clock, 1, "greet")))
    tracker = asyncio.run(make_store(domain, db_path).retrieve(WINDOWED))
    assert not any(isinstance(e, AgentUttered) for e in tracker.events)  # a short new session: no window yet
    assert isinstance(tracker.events[1], SessionStarted)
    assert tracker.get_slot("id_last6") == LAST6 and tracker.get_slot("handoff_ticket") == 17
    asyncio.run(more_questions(store, clock, 2, 40))
    tracker = asyncio.run(make_store(domain, db_path).retrieve(WINDOWED))
    assert window_events_before(tracker) > 0
    assert user_intents([e.as_dict() for e in tracker.events])[0] == "greet"  # this session's intents only
    assert comparable(tracker.current_state()) == comparable(whole(domain, db_path, WINDOWED).current_state())


def test_a_lost_window_row_is_rebuilt_from_the_events(domain, db_path):
    clock = Clock()
    store = make_store(domain, db_path)
    asyncio.run(long_conversation(store, clock, 50))
    before = asyncio.run(store.retrieve(WINDOWED))
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"DELETE FROM {WINDOW_TABLE}")
    after = asyncio.run(store.retrieve(WINDOWED))
    assert comparable(after.current_state()) == comparable(before.current_state())


def test_the_window_table_holds_no_personal_data_in_plain_text(domain, db_path):
    clock = Clock()
    store = make_store(domain, db_path)
    asyncio.run(long_conversation(store, clock, 40))
    asyncio.run(turn_of(store, WINDOWED, [SlotSet("handoff_phone", PHONE, timestamp=clock())]))
    asyncio.run(more_questions(store, clock, 41, 60))
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(f"SELECT carried FROM {WINDOW_TABLE}").fetchall()
    text = json.dumps([json.loads(r[0]) for r in rows], ensure_ascii=False)
    assert SEAL_PREFIX in text and "handoff_phone" in text
    for secret in SECRETS:
        assert secret not in text
    assert asyncio.run(store.retrieve(WINDOWED)).get_slot("handoff_phone") == PHONE


def test_the_window_on_postgresql(domain, monkeypatch):
    """The production profile's tracker store: the same window on PostgreSQL (a schema of its own in the test
    database, as the application's database tests do; TEST_POSTGRES_URL overrides the address)."""
    url = make_url(os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    schema = f"t_{uuid.uuid4().hex[:12]}"
    params = {"host": url.host, "port": url.port or 5432, "dbname": url.database, "user": url.username}
    try:
        admin = psycopg2.connect(connect_timeout=3, password=url.password, **params)
    except psycopg2.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {url.host}:{url.port} is required for this test: {exc}")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE SCHEMA "{schema}"')
    monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)  # Rasa's stores use it as the search_path
    kwargs = {"dialect": "postgresql", "host": url.host, "port": url.port or 5432, "db": url.database,
              "username": url.username, "password": url.password}
    try:
        store = MaskingSQLTrackerStore(domain=domain, sealer=SlotSealer.from_secret("test-id-hash-key"), **kwargs)
        clock = Clock()
        written = asyncio.run(long_conversation(store, clock, 60))
        tracker = asyncio.run(store.retrieve(WINDOWED))
        assert window_events_before(tracker) > 0 and len(tracker.events) <= WINDOW_EVENTS + 20
        plain = asyncio.run(SQLTrackerStore(domain=domain, **kwargs).retrieve(WINDOWED))
        assert [(e.type_name, e.timestamp) for e in plain.events] == [(e.type_name, e.timestamp) for e in written]
        sealer = SlotSealer.from_secret("test-id-hash-key")
        full = DialogueStateTracker.from_dict(
            WINDOWED, [unseal_event(e.as_dict(), sender_id=WINDOWED, sealer=sealer) for e in plain.events],
            domain.slots,
        )
        assert comparable(tracker.current_state()) == comparable(full.current_state())
        assert tracker.get_slot("id_last6") == LAST6
        cursor = admin.cursor()
        cursor.execute(f"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema}' AND tablename = 'events'")
        assert "ix_events_sender_id_id" in {r[0] for r in cursor.fetchall()}
        store.engine.dispose()
    finally:
        admin.cursor().execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def test_sqlite_connections_are_reused_and_the_file_is_in_wal_mode(domain, db_path):
    store = make_store(domain, db_path)
    asyncio.run(conversation(store))
    assert isinstance(store.engine.pool, sa.pool.QueuePool)
    assert store.engine.pool.checkedin() == 1  # one connection served every turn
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    full = MaskingSQLTrackerStore(
        domain=domain, dialect="sqlite", db=str(db_path), sealer=SlotSealer.from_secret("test-id-hash-key"),
        sqlite_synchronous="full",
    )
    with full.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db_path), sqlite_synchronous="sometimes")


def test_a_pooled_store_sees_what_another_process_wrote(domain, db_path):
    """Two stores on one file (two processes, or `lueyang purge` next to Rasa): each keeps its connection open,
    and each turn still reads what the other committed."""
    first, second = make_store(domain, db_path), make_store(domain, db_path)
    asyncio.run(turn(first, [user("低保需要什么条件", "ask_dibao_eligibility"), ActionExecuted("action_listen")]))
    assert len(asyncio.run(second.retrieve(SENDER)).events) == 2
    asyncio.run(turn(second, [user("去哪里办", "ask_where"), ActionExecuted("action_listen")]))
    assert [e.text for e in asyncio.run(first.retrieve(SENDER)).events if isinstance(e, UserUttered)] == [
        "低保需要什么条件",
        "去哪里办",
    ]
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM events WHERE sender_id = ?", (SENDER,))
    assert asyncio.run(first.retrieve(SENDER)) is None


def test_a_carried_state_another_process_stored_first_is_left_alone(domain, db_path):
    """Two processes cut the same window (its row was lost): the second save finds the row the first wrote, keeps
    it and still stores its events; and the read that cut the window wrote nothing (its save does)."""
    clock = Clock()
    store = make_store(domain, db_path)
    asyncio.run(long_conversation(store, clock, 50))
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"DELETE FROM {WINDOW_TABLE}")
    first, second = make_store(domain, db_path), make_store(domain, db_path)
    one, two = asyncio.run(first.retrieve(WINDOWED)), asyncio.run(second.retrieve(WINDOWED))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute(f"SELECT COUNT(*) FROM {WINDOW_TABLE}").fetchone()[0] == 0
    one.update(BotUttered("一", timestamp=clock()))
    two.update(BotUttered("二", timestamp=clock()))
    asyncio.run(first.save(one))
    asyncio.run(second.save(two))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute(f"SELECT COUNT(*) FROM {WINDOW_TABLE}").fetchone()[0] == 1
    assert [e["text"] for e in stored_rows(db_path, WINDOWED)[-2:]] == ["一", "二"]
    after = asyncio.run(make_store(domain, db_path).retrieve(WINDOWED))
    assert comparable(after.current_state()) == comparable(whole(domain, db_path, WINDOWED).current_state())
