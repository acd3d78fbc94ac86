"""Rasa's SQL tracker store with personal data masked before anything is written (issue 14, item 6).

Rasa keeps every event of a conversation in its tracker store (table ``events``): the messages as typed, their
entities, the front end's metadata (``/status`` arguments), slot values, the assistant's replies. Without this
module a resident's full ID number, phone number and lookup pair (case number + last six of the ID) would sit
there in plain text for as long as the conversation is kept.

What is written (``mask_event``, a function over one serialised event, so another store can reuse it):

- text of every event (user messages, bot replies, end-to-end action texts): ``bot.privacy.mask_text``;
- ``parse_data`` of user messages: its text, entities and metadata masked (intent names and confidences stay,
  so ``bot.audit.unanswered`` still works on the stored events); the event's own metadata and entities, bot
  ``data`` (buttons, custom payloads): ``bot.privacy.mask_data``;
- slot values:
  * the slots in ``SEALED_SLOTS`` are **sealed**: AES-256-GCM with a key derived from ``ID_HASH_KEY``, bound to
    the conversation and the slot name (``SlotSealer``). These are the personal values a later turn needs
    exactly as given, and Rasa reloads the tracker from this store at the start of every turn:
    ``id_last6`` (the status form takes the case number and the last six in either order, e.g.
    ``/status 12345X`` then the case number: ``action_case_lookup`` verifies the pair on the later turn),
    ``id_number`` (a full ID in one message, the lookup on a later one derives the last six from it) and
    ``handoff_phone`` (the request form asks for the phone before the preferred time; the ticket, written on
    the later turn, needs the number so staff can call back). A keyed hash would not do: the lookup checks the
    last six against a hash bound to the applicant (``bot.cases.identity.last6_hash``) and staff need the phone
    itself. The actions clear these slots once used, so a sealed value lives in the current state only until
    then; whoever reads the database without the key sees ``sealed:v1:…``.
  * the pre-check's answers as its validation parsed them (``pc_*`` slots with a value that is not a string,
    e.g. ``{"yuan": "150000", "period": "month"}``) are kept: later turns compute the result from them, and a
    six-digit amount would look like an ID fragment to ``mask_text``. The raw text these slots hold before
    validation is a string, so it is masked.
  * every other slot value is masked with ``mask_data`` (strings at any depth): raw user text from
    ``from_text``/``from_entity`` mappings (topics, times, the ``phone`` entity), and Rasa's own
    ``session_started_metadata``, a copy of the first message's metadata (``/status`` arguments).

Within a turn nothing changes: Rasa runs the turn on the tracker in memory (unmasked) and writes only the new
events at the end. ``retrieve`` unseals the sealed slots, so actions see them as they were given; a value that
cannot be unsealed (another key) becomes ``None``, and the form simply asks again.
Events published to an event broker (none is configured) are masked the same way.

Per-turn cost (issue 21). Rasa's SQL store reads every event of the conversation session on every turn, replays
it, the policies featurise it and the action server receives all of it: a turn after 150 others cost four times
the first. This store keeps every event in ``events`` (the audit trail, ``bot.audit.unanswered``, Rasa's HTTP
API), but ``retrieve`` hands Rasa a *window*:

- the carried state as of the cut (``carried_state``): a ``SlotSet`` for every slot not at its initial value
  (sealed ones stay sealed in the database), the active form with its flags, a pause, a marker event
  (``bot.conversation.window``: how many events were left out and the user intents among them, for the ticket
  summary) and an ``action_listen``;
- then the session's events from a user message on, at least ``WINDOW_ACTIONS`` actions; once there are more
  than ``WINDOW_EVENTS`` events after the cut, the cut moves forward (``window_start``).

The carried state is stored per conversation in ``tracker_windows`` (``upto_id``: the last ``events`` row it
covers, ``session_ts``: its session), so a turn reads that row and the rows after it: a bounded number. It is a
cache: when missing or from an older session it is rebuilt from the events (Rasa's session rule: the rows from
the latest ``session_started`` on, by timestamp). When a read cuts the window further, the new carried state is
written by that turn's ``save``, in the transaction of its events (one commit a turn; insert-if-absent or
update-if-unchanged, so two processes never fail on each other). The per-turn statements use SQLAlchemy Core, not
the ORM (the ORM's unit of work was about half of the store's CPU per turn). ``save`` appends the events the
tracker got since it was read:
the store notes on each tracker how many events it read (Rasa's own rule, counting the session's rows, would
skip or repeat events of a window); ``retrieve_full_tracker`` still returns every event of every session.

What the dialogue still sees: the slots, the form and its requested slot, the latest message and action, and the
last ``WINDOW_ACTIONS`` or more actions with their states: MemoizationPolicy reads the states before the last 5
(config.yml ``max_history: 5``), the longest rule 3 actions after its intent; ``UserUtteranceReverted`` (the
fallback) rewinds one turn. Every state of the window but its first (the carried one) equals the state
of the whole session at the same place (tests/rasa_side/test_tracker_store.py). What can differ: a story or
rule longer than the window, a ``conversation_start`` rule (none here), and a form opened before the cut that
has run without interruption since: Rasa folds such a form's turns into the turn that opened it, so its states
show the opening message (e.g. ``start_precheck``); the window folds them into its first form turn (``inform``).
Rules do not read the user's message in a form's later steps, and the form's own turns are the RulePolicy's
(active loop, requested slot, rejection: all carried), so only a memorised story spanning such a form could
notice; the conversation tests run forms across the cut. Session expiry reads the latest user message, which
the window always holds.

Use it in endpoints.yml as ``tracker_store: {type: rasa_addons.tracker_store.MaskingSQLTrackerStore, dialect:
sqlite | postgresql, ...}`` with the same keys as Rasa's ``SQL`` store (``bot.runner`` writes it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    AgentUttered,
    ConversationPaused,
    Event,
    LoopInterrupted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import declarative_base

from bot.conversation.window import WINDOW_TABLE, events_before, marker_data, user_intents, window_info
from bot.privacy import install_masking_everywhere, mask_data, mask_text
from bot.settings import get_settings
from rasa_addons.speedups import install_speedups

logger = logging.getLogger(__name__)

# personal values a later turn needs exactly as given (see the module docstring for why each one)
SEALED_SLOTS = frozenset({"id_last6", "id_number", "handoff_phone"})
SEAL_PREFIX = "sealed:v1:"
# slots holding the pre-check's parsed answers (kept when they are not raw text; see the module docstring)
PARSED_SLOT_PREFIX = "pc_"
_KEY_LABEL = b"lueyang tracker-store slot seal v1"
_NONCE_BYTES = 12

_TEXT_KEYS = ("text", "action_text")
_DATA_KEYS = ("metadata", "data", "entities")


class SlotSealer:
    """Seals slot values for the tracker store: AES-256-GCM, the conversation and the slot as associated data
    (a sealed value copied to another conversation or slot does not open)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the slot seal key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_secret(cls, secret: str) -> SlotSealer:
        """Derive the key from a secret (``ID_HASH_KEY``): HMAC-SHA256 with a label of its own, so the seal
        key is never the key of the ID hashes, and no second secret has to be deployed."""
        return cls(hmac.new(secret.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest())

    @staticmethod
    def is_sealed(value: Any) -> bool:
        return isinstance(value, str) and value.startswith(SEAL_PREFIX)

    @staticmethod
    def _context(sender_id: str, slot: str) -> bytes:
        return f"{sender_id}\x00{slot}".encode()

    def seal(self, sender_id: str, slot: str, value: Any) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps(value, ensure_ascii=False).encode("utf-8")
        sealed = self._aead.encrypt(nonce, plain, self._context(sender_id, slot))
        return SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def unseal(self, sender_id: str, slot: str, token: str) -> Any:
        """The sealed value, or None when it cannot be opened (other key, other conversation, damaged)."""
        try:
            raw = base64.urlsafe_b64decode(token[len(SEAL_PREFIX) :].encode("ascii"))
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self._context(sender_id, slot))
            return json.loads(plain.decode("utf-8"))
        except (InvalidTag, ValueError, UnicodeError):
            logger.warning("tracker store: a sealed value of slot %s could not be opened; treated as empty", slot)
            return None


def _mask_slot_value(name: str, value: Any) -> Any:
    if name.startswith(PARSED_SLOT_PREFIX) and not isinstance(value, str):
        return value
    return mask_data(value)


def mask_event(data: Mapping[str, Any], *, sender_id: str, sealer: SlotSealer) -> dict[str, Any]:
    """A copy of one serialised event (``Event.as_dict()``) as it may be stored: texts masked, metadata and
    entities masked, slot values sealed (``SEALED_SLOTS``) or masked (see the module docstring)."""
    out = dict(data)
    for key in _TEXT_KEYS:
        if isinstance(out.get(key), str):
            out[key] = mask_text(out[key])
    for key in _DATA_KEYS:
        if out.get(key) is not None:
            out[key] = mask_data(out[key])
    parse = out.get("parse_data")
    if isinstance(parse, Mapping):
        parse = dict(parse)
        if isinstance(parse.get("text"), str):
            parse["text"] = mask_text(parse["text"])
        for key in ("entities", "metadata"):
            if parse.get(key) is not None:
                parse[key] = mask_data(parse[key])
        out["parse_data"] = parse
    if out.get("event") == "slot":
        name, value = str(out.get("name")), out.get("value")
        if value is None or sealer.is_sealed(value):
            pass
        elif name in SEALED_SLOTS:
            out["value"] = sealer.seal(sender_id, name, value)
        else:
            out["value"] = _mask_slot_value(name, value)
    return out


def unseal_event(data: Mapping[str, Any], *, sender_id: str, sealer: SlotSealer) -> dict[str, Any]:
    """A stored event as the dialogue uses it: sealed slot values opened (everything else stays masked)."""
    if data.get("event") != "slot" or not sealer.is_sealed(data.get("value")):
        return dict(data)
    return {**data, "value": sealer.unseal(sender_id, str(data.get("name")), data["value"])}


def masked_events(events: Iterable[Event], *, sender_id: str, sealer: SlotSealer) -> list[dict[str, Any]]:
    """``mask_event`` over Rasa events (what a store writes for them)."""
    return [mask_event(event.as_dict(), sender_id=sender_id, sealer=sealer) for event in events]


# ---- the window Rasa gets (module docstring, "Per-turn cost") ----------------------------------------------------

# At least this many actions (ActionExecuted events) in the window, which starts at a user message: more than the
# states MemoizationPolicy reads (max_history 5 in config.yml: the states before the last 5 actions) plus the
# current one, and more than the longest rule (3 actions after its intent, nlu_data/rules); about 4 turns.
WINDOW_ACTIONS = 8
# The window is cut again once it holds more events than this (a policy question is 4-6 events).
WINDOW_EVENTS = 36
_SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
_STORED_ATTR = "_lueyang_events_in_store"  # on a tracker: how many of its events are in the database
_PENDING_ATTR = "_lueyang_window_to_store"  # on a tracker: the carried state its read computed, for ``save``
# the databases the store runs on (bot.runner writes no other), with their insert-if-absent
_WINDOW_INSERT = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}
_EVENTS_INDEX = "ix_events_sender_id_id"  # PostgreSQL: the window's rows by (sender, id), not all the sender's

_WINDOW_METADATA = sa.MetaData()
_WindowBase = declarative_base(metadata=_WINDOW_METADATA)


class _WindowRow(_WindowBase):  # type: ignore[misc,valid-type]
    """Per conversation: the state carried into the window, as of event row ``upto_id`` of the session that
    started at ``session_ts`` (masked and sealed like the events; a cache: it can always be rebuilt)."""

    __tablename__ = WINDOW_TABLE
    sender_id = sa.Column(sa.String(255), primary_key=True)
    session_ts = sa.Column(sa.Float)  # timestamp of the session's session_started event (None: no session yet)
    upto_id = sa.Column(sa.Integer, nullable=False)  # the last events row folded into ``carried``
    upto_ts = sa.Column(sa.Float)  # its timestamp (``lueyang purge`` deletes rows older than the retention)
    carried = sa.Column(sa.Text, nullable=False)  # JSON list of serialised events



def window_start(types: Sequence[str], min_actions: int) -> int:
    """Index of the first event of the window among events of these types: the latest user message that leaves
    at least ``min_actions`` actions from it to the end; 0 (no cut) when there is none."""
    actions = 0
    for index in range(len(types) - 1, -1, -1):
        if types[index] == ActionExecuted.type_name:
            actions += 1
        if actions >= min_actions and types[index] == UserUttered.type_name:
            return index
    return 0


def carried_state(
    tracker: DialogueStateTracker, events_before_window: int, intents: list[str], *, timestamp: float | None
) -> list[Event]:
    """Events that put a fresh tracker in ``tracker``'s state: every slot that is not at its initial value, the
    active form with its flags, a pause, the window marker (``bot.conversation.window``), and an ``action_listen``
    (the window starts at a user message, which in the whole conversation follows one)."""
    events: list[Event] = [
        SlotSet(name, slot.value, timestamp=timestamp)
        for name, slot in tracker.slots.items()
        if slot.value != slot.initial_value
    ]
    loop = tracker.active_loop
    if loop is not None and loop.name:
        events.append(ActiveLoop(loop.name, timestamp=timestamp))
        if loop.rejected:
            events.append(ActionExecutionRejected(loop.name, timestamp=timestamp))
        if loop.is_interrupted:
            events.append(LoopInterrupted(True, timestamp=timestamp))
    if tracker.is_paused():
        events.append(ConversationPaused(timestamp=timestamp))
    events.append(AgentUttered(None, marker_data(events_before_window, intents), timestamp=timestamp))
    events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=timestamp))
    return events


def _remember_stored(tracker: DialogueStateTracker) -> None:
    setattr(tracker, _STORED_ATTR, len(tracker.events))


class MaskingSQLTrackerStore(SQLTrackerStore):
    """Rasa's ``SQLTrackerStore`` (SQLite, PostgreSQL) writing ``mask_event`` of every event and opening the
    sealed slots when it reads a conversation back; Rasa gets the session's last turns with the state carried in
    (the module docstring, "Per-turn cost"). Also puts the log-masking filter on the Rasa process's log handlers
    (as the input channel does), whichever channel the process serves.

    ``window_actions`` / ``window_events`` (endpoints.yml keys, defaults ``WINDOW_ACTIONS`` / ``WINDOW_EVENTS``):
    the window keeps at least that many actions, and is cut again once it holds more than that many events.
    ``sqlite_synchronous`` (SQLite only, default ``NORMAL``): see ``_tune_sqlite``.
    """

    def __init__(
        self,
        *args: Any,
        sealer: SlotSealer | None = None,
        window_actions: int = WINDOW_ACTIONS,
        window_events: int = WINDOW_EVENTS,
        sqlite_synchronous: str = "NORMAL",
        **kwargs: Any,
    ) -> None:
        install_masking_everywhere()
        install_speedups()  # Rasa reads every stored event through Event.resolve_by_type
        self.sealer = sealer or SlotSealer.from_secret(get_settings().id_hash_key)
        self.window_actions = int(window_actions)
        self.window_events = int(window_events)
        if self.window_actions < 1 or self.window_events < 1:
            raise ValueError("window_actions and window_events must be positive")
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name not in _WINDOW_INSERT:
            raise ValueError(f"the masking tracker store runs on sqlite or postgresql, not {self.engine.dialect.name}")
        self._tune_sqlite(sqlite_synchronous)
        self._create_window_table()

    def _tune_sqlite(self, synchronous: str) -> None:
        """SQLite only (the embedded profile; issue 21): connections kept open between turns, and a write-ahead log.

        - SQLAlchemy 1.4 gives a file database a ``NullPool``: every ``session_scope`` (two or three a turn) opened
          the file and read its schema again. A ``QueuePool`` (SQLAlchemy 2.0's default for SQLite files) reuses
          them; every statement still reads the file as it is, so rows other processes write (``lueyang purge``)
          are seen as before.
        - ``journal_mode=WAL``, ``synchronous`` (endpoints.yml key ``sqlite_synchronous``, default ``NORMAL``):
          in the default rollback-journal mode every commit (one or two a turn) waits for several fsyncs, the
          largest part of ``save``. In WAL mode with ``NORMAL`` a commit appends to the log without an fsync; the
          database stays consistent after any crash, and a turn committed in the last moment before a power
          failure or an OS crash (not a crash of Rasa) can be lost. ``FULL`` keeps one fsync per commit.
        """
        engine = self.engine
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return
        if synchronous.upper() not in _SQLITE_SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous must be one of {', '.join(_SQLITE_SYNCHRONOUS)}")
        if isinstance(engine.pool, sa.pool.NullPool):
            self.engine = sa.create_engine(
                engine.url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
            )
            engine.dispose()
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        level = synchronous.upper()

        @sa.event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                try:
                    cursor.execute("PRAGMA journal_mode=WAL")  # persistent: a no-op once the file is in WAL mode
                except sqlite3.OperationalError as error:  # another process holds a lock right now: next time
                    logger.warning("tracker store: could not switch SQLite to WAL mode (%s)", error)
                cursor.execute(f"PRAGMA synchronous={level}")
            finally:
                cursor.close()

        self.engine.dispose()  # connections opened so far (table creation) get the pragmas when reopened

    def _create_window_table(self) -> None:
        try:
            _WINDOW_METADATA.create_all(self.engine)
            if self.engine.dialect.name == "postgresql":  # SQLite's sender_id index already ends with the row id
                with self.engine.begin() as conn:
                    conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {_EVENTS_INDEX} ON events (sender_id, id)"))
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as error:
            # several Rasa processes start at once: one of them creates it (PostgreSQL reports the loser's
            # CREATE TABLE as a unique violation in pg_type)
            logger.warning("tracker store: could not create the window table or index (%s)", error)

    # ---- writing -------------------------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events this tracker got since it was read (or last saved), masked, and the carried state of
        a window its read cut (``_window``), in one transaction."""
        with self.session_scope() as session:
            new_events = self._new_events(session, tracker)
            if self.event_broker is not None and new_events:
                await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
            rows = [
                {
                    "sender_id": tracker.sender_id,
                    "type_name": data["event"],
                    "timestamp": data.get("timestamp"),
                    "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
                for data in masked_events(new_events, sender_id=tracker.sender_id, sealer=self.sealer)
            ]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            pending = getattr(tracker, _PENDING_ATTR, None)
            if pending is not None:
                self._write_window(session, tracker.sender_id, *pending)
            session.commit()
        _remember_stored(tracker)
        setattr(tracker, _PENDING_ATTR, None)
        logger.debug("Tracker with sender_id '%s' stored to database (masked)", tracker.sender_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """The events ``save`` would append, to the event broker (``save`` does this itself)."""
        if self.event_broker is None:
            return
        with self.session_scope() as session:
            new_events = self._new_events(session, tracker)
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        return iter(self._new_events(session, tracker))

    def _new_events(self, session: Any, tracker: DialogueStateTracker) -> list[Event]:
        """The events of ``tracker`` that are not in the database yet.

        Rasa's own rule (count the session's rows, skip that many events of the tracker) is wrong for a tracker
        that holds a window: it has fewer events than the database. This store remembers on every tracker it
        reads or saves how many events it had then; a tracker it did not read is a whole session (one Rasa
        built from events, a new conversation) and gets Rasa's rule. A window tracker that lost the note (a copy)
        is matched against the last stored row.
        """
        events = list(tracker.events)
        stored = getattr(tracker, _STORED_ATTR, None)
        if isinstance(stored, int) and 0 <= stored <= len(events):
            return events[stored:]
        if any(isinstance(e, AgentUttered) and window_info(e.as_dict()) for e in events):
            last = (
                session.query(self.SQLEvent.type_name, self.SQLEvent.timestamp)
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .order_by(self.SQLEvent.id.desc())
                .first()
            )
            if last is not None:
                for index in range(len(events) - 1, -1, -1):
                    if events[index].type_name == last.type_name and events[index].timestamp == last.timestamp:
                        return events[index + 1 :]
                return [e for e in events if e.timestamp > last.timestamp]
        return list(super()._additional_events(session, tracker))

    # ---- reading -------------------------------------------------------------------------------------------

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """The current session's window (module docstring), or every event of every session
        (``retrieve_full_tracker``: Rasa's HTTP API, exports); sealed slot values opened."""
        pending = None
        with self.session_scope() as session:
            if fetch_events_from_all_sessions:
                rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=True).all()
                stored = [json.loads(row.data) for row in rows]
            else:
                stored, pending = self._window(session, sender_id)
        if not (self.domain and stored):
            return None
        events = [unseal_event(data, sender_id=sender_id, sealer=self.sealer) for data in stored]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        _remember_stored(tracker)
        setattr(tracker, _PENDING_ATTR, pending)
        return tracker

    def _window(self, session: Any, sender_id: str) -> tuple[list[dict[str, Any]], tuple | None]:
        """Stored events (masked, sealed) of the current session's window: the carried state, then the rows; and
        the carried state to store when this read cut the window further (``save`` writes it: no second commit).
        Core statements, not the ORM: this runs on every turn."""
        events, windows = self.SQLEvent.__table__, _WindowRow.__table__
        columns = (events.c.id, events.c.type_name, events.c.timestamp, events.c.data)
        carried: list[dict[str, Any]] = []
        rows: list[Any] = []
        saved = session.execute(
            sa.select(windows.c.session_ts, windows.c.upto_id, windows.c.carried).where(
                windows.c.sender_id == sender_id
            )
        ).first()
        if saved is not None:
            rows = session.execute(
                sa.select(*columns)
                .where(events.c.sender_id == sender_id, events.c.id > saved.upto_id)
                .order_by(events.c.id)
            ).all()
            starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
            if starts:  # a new session began after the cut: Rasa's rule, rows from its start on
                session_ts: float | None = max(starts)
                rows = [row for row in rows if row.timestamp is not None and row.timestamp >= session_ts]
            else:
                session_ts = saved.session_ts
                carried = json.loads(saved.carried)
        if saved is None or not rows:
            latest_start = (
                sa.select(sa.func.max(events.c.timestamp))
                .where(events.c.sender_id == sender_id, events.c.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            rows = session.execute(  # Rasa's rule (``_event_query``): the rows from the latest session start on
                sa.select(*columns)
                .where(
                    events.c.sender_id == sender_id,
                    sa.or_(events.c.timestamp >= latest_start, latest_start.is_(None)),
                )
                .order_by(events.c.id)
            ).all()
            starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
            session_ts = max(starts) if starts else None
            carried = []
        stored = [json.loads(row.data) for row in rows]
        pending = None
        if len(rows) > self.window_events:
            cut = window_start([row.type_name for row in rows], self.window_actions)
            if cut > 0:
                carried = self._fold(sender_id, carried, stored[:cut], timestamp=rows[cut - 1].timestamp)
                last = rows[cut - 1]
                pending = (saved.upto_id if saved is not None else None, session_ts, last.id, last.timestamp, carried)
                stored = stored[cut:]
        return carried + stored, pending

    def _fold(
        self, sender_id: str, carried: list[dict[str, Any]], folded: list[dict[str, Any]], *, timestamp: float
    ) -> list[dict[str, Any]]:
        """The carried events for the state after ``carried`` + ``folded`` (stored form: still masked/sealed)."""
        before = carried + folded
        tracker = DialogueStateTracker.from_dict(sender_id, before, self.domain.slots)
        total = events_before(carried) + len(folded)
        events = carried_state(tracker, total, user_intents(before), timestamp=timestamp)
        return [mask_event(e.as_dict(), sender_id=sender_id, sealer=self.sealer) for e in events]

    def _write_window(
        self, session: Any, sender_id: str, previous_upto: int | None, session_ts: float | None, upto_id: int,
        upto_ts: float | None, carried: list[dict[str, Any]],
    ) -> None:
        """Store the carried state as of row ``upto_id`` (a cache: any version of it is right for its ``upto_id``,
        so a row another process wrote first is left alone: insert-if-absent, update-if-unchanged)."""
        windows = _WindowRow.__table__
        values = {"session_ts": session_ts, "upto_id": upto_id, "upto_ts": upto_ts, "carried": json.dumps(carried)}
        if previous_upto is None:
            insert = _WINDOW_INSERT[self.engine.dialect.name]
            session.execute(insert(windows).values(sender_id=sender_id, **values).on_conflict_do_nothing())
        else:
            session.execute(
                windows.update()
                .where(windows.c.sender_id == sender_id, windows.c.upto_id == previous_upto)
                .values(**values)
            )

    async def _stream_new_events(self, event_broker: EventBroker, new_events: list[Event], sender_id: str) -> None:
        """Events for an event broker, masked like the stored ones."""
        for data in masked_events(new_events, sender_id=sender_id, sealer=self.sealer):
            event_broker.publish({"sender_id": sender_id, **data})


__all__ = [
    "SEALED_SLOTS",
    "WINDOW_ACTIONS",
    "WINDOW_EVENTS",
    "WINDOW_TABLE",
    "carried_state",
    "window_start",
    "MaskingSQLTrackerStore",
    "SlotSealer",
    "mask_event",
    "masked_events",
    "unseal_event",
]
