"""What each web session shows: the resident page's conversation and the staff console's relayed messages.

Kept in memory by the web process, bounded (the last ``per_session`` entries of the last ``sessions`` sessions).
A resident's own words are stored masked (``bot.privacy``), as every text stored outside the case tables; the
assistant's replies come masked from Rasa. ``deliver`` is the web channel's deliverer (``bot.channels``):
proactive messages (a staff reply, a closing notice; a resident's message for the console of the staff member
who took the ticket) are added to the session and fetched by the page's polling (``after``).

A restart empties the transcripts (the conversation itself lives on in Rasa's tracker store): the page then
starts with the menu again. Run one web process per machine (``deploy/systemd/lueyang-web.service``).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.frontends.core import Button, Reply
from bot.identity import SenderIdentity
from bot.privacy import mask_text

ME = "me"  # the person using the page
BOT = "bot"  # the assistant's reply to a message
PUSHED = "pushed"  # a proactive message (staff reply, notification, relayed resident message)


@dataclass(frozen=True)
class Entry:
    seq: int
    who: str  # me | bot | pushed
    text: str
    buttons: tuple[Button, ...] = ()
    at: float = 0.0

    def as_json(self) -> dict:
        return {
            "seq": self.seq,
            "who": self.who,
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
        }


@dataclass
class _Session:
    entries: deque[Entry]
    next_seq: int = 1
    seen: float = field(default=0.0)


class Transcripts:
    def __init__(
        self,
        *,
        per_session: int = 80,
        sessions: int = 5_000,
        idle_seconds: float = 2 * 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.per_session = per_session
        self.sessions = sessions
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._by_sender: OrderedDict[str, _Session] = OrderedDict()

    def _session(self, sender_id: str) -> _Session:
        found = self._by_sender.get(sender_id)
        if found is None:
            found = _Session(deque(maxlen=self.per_session))
            self._by_sender[sender_id] = found
            self._forget_idle()
            while len(self._by_sender) > self.sessions:
                self._by_sender.popitem(last=False)
        self._by_sender.move_to_end(sender_id)
        found.seen = self.clock()
        return found

    def _forget_idle(self) -> None:
        """Sessions not seen for ``idle_seconds`` go (least recently seen first, so the scan stops early)."""
        limit = self.clock() - self.idle_seconds
        while self._by_sender:
            oldest = next(iter(self._by_sender.values()))
            if oldest.seen >= limit or oldest.seen == 0.0:
                break
            self._by_sender.popitem(last=False)

    def add(self, sender_id: str, who: str, text: str, buttons: Sequence[Button] = ()) -> Entry:
        session = self._session(sender_id)
        entry = Entry(session.next_seq, who, mask_text(text) if who == ME else text, tuple(buttons), self.clock())
        session.next_seq += 1
        session.entries.append(entry)
        return entry

    def add_replies(self, sender_id: str, replies: Sequence[Reply], who: str = BOT) -> list[Entry]:
        out = []
        for reply in replies:
            text = reply.text
            if reply.image:  # never an outside resource on the page: the address as text
                text = f"{text}\n{reply.image}".strip()
            out.append(self.add(sender_id, who, text, reply.buttons))
        return out

    def entries(self, sender_id: str) -> list[Entry]:
        found = self._by_sender.get(sender_id)
        return list(found.entries) if found else []

    def after(self, sender_id: str, seq: int) -> list[Entry]:
        return [e for e in self.entries(sender_id) if e.seq > seq]

    def last_seq(self, sender_id: str) -> int:
        found = self._by_sender.get(sender_id)
        return found.next_seq - 1 if found else 0

    def has(self, sender_id: str) -> bool:
        return sender_id in self._by_sender

    def button_title(self, sender_id: str, payload: str) -> str | None:
        """The title of the newest button with ``payload`` shown to this session."""
        for entry in reversed(self.entries(sender_id)):
            for button in entry.buttons:
                if button.payload == payload:
                    return button.title
        return None

    async def deliver(self, identity: SenderIdentity, messages: Sequence[str]) -> None:
        """The web channel's deliverer: the messages wait in the session until its page fetches them."""
        for text in messages:
            self.add(identity.sender_id, PUSHED, str(text))


def current_buttons(entries: Sequence[Entry]) -> set[int]:
    """The entries whose buttons can still be pressed: the assistant's messages since the person last wrote."""
    out: set[int] = set()
    for entry in reversed(entries):
        if entry.who == ME:
            break
        if entry.buttons:
            out.add(entry.seq)
    return out
