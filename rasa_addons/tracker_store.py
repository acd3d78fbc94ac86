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
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import install_masking_everywhere, mask_data, mask_text
from bot.settings import get_settings

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


class MaskingSQLTrackerStore(SQLTrackerStore):
    """Rasa's ``SQLTrackerStore`` (SQLite, PostgreSQL) writing ``mask_event`` of every event and opening the
    sealed slots when it reads a conversation back. Also puts the log-masking filter on the Rasa process's log
    handlers (as the input channel does), whichever channel the process serves."""

    def __init__(self, *args: Any, sealer: SlotSealer | None = None, **kwargs: Any) -> None:
        install_masking_everywhere()
        self.sealer = sealer or SlotSealer.from_secret(get_settings().id_hash_key)
        super().__init__(*args, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """``SQLTrackerStore.save`` with every new event masked before it is written."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            for data in masked_events(new_events, sender_id=tracker.sender_id, sealer=self.sealer):
                intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=data["event"],
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        logger.debug("Tracker with sender_id '%s' stored to database (masked)", tracker.sender_id)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """``SQLTrackerStore._retrieve`` with the sealed slot values opened."""
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [
                unseal_event(json.loads(row.data), sender_id=sender_id, sealer=self.sealer) for row in rows
            ]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def _stream_new_events(self, event_broker: EventBroker, new_events: list[Event], sender_id: str) -> None:
        """Events for an event broker, masked like the stored ones."""
        for data in masked_events(new_events, sender_id=sender_id, sealer=self.sealer):
            event_broker.publish({"sender_id": sender_id, **data})


__all__ = [
    "SEALED_SLOTS",
    "MaskingSQLTrackerStore",
    "SlotSealer",
    "mask_event",
    "masked_events",
    "unseal_event",
]
