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
import sqlite3
from pathlib import Path

import pytest
from rasa.core.tracker_store import create_tracker_store
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import MaskingFilter, mask_text
from rasa_addons.tracker_store import (
    SEAL_PREFIX,
    SEALED_SLOTS,
    MaskingSQLTrackerStore,
    SlotSealer,
    mask_event,
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
