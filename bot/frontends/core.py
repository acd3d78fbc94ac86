"""The channel-independent conversation core shared by the Telegram and terminal front ends.

It turns what a person typed (or the button they pressed) into what Rasa gets, calls Rasa, and turns
Rasa's answer into channel-neutral ``Reply`` objects. It never raises for a user's message: Rasa being
down or slow gives an apology with a phone number, and the message is stored for staff follow-up.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.cases.pending import store_pending_message
from bot.errors import RasaUnavailable
from bot.frontends import texts
from bot.frontends.contact import contact_text
from bot.privacy import mask_text

log = logging.getLogger(__name__)


# -- replies ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message to show: text, optional buttons (shown under it), optional image URL."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None


def replies_from_rasa(messages: Sequence[dict[str, Any]]) -> list[Reply]:
    """Rasa REST channel messages -> replies. Unknown ``custom`` payloads are shown by their ``text``."""
    out: list[Reply] = []
    for m in messages:
        text = m.get("text") or ""
        custom = m.get("custom")
        if not text and isinstance(custom, dict) and isinstance(custom.get("text"), str):
            text = custom["text"]
        buttons = tuple(
            Button(title=str(b.get("title") or b.get("payload") or ""), payload=str(b.get("payload") or b.get("title")))
            for b in (m.get("buttons") or m.get("quick_replies") or [])
            if isinstance(b, dict) and (b.get("payload") or b.get("title"))
        )
        image = m.get("image") if isinstance(m.get("image"), str) else None
        if text or buttons or image:
            out.append(Reply(text=text, buttons=buttons, image=image))
    return out


# -- commands --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Command:
    """A slash command. ``rasa_text`` is what Rasa gets (None: answered by the front end itself).

    With ``pass_args`` the message carries metadata ``{"command": name, "args": "<rest of the line>"}``.
    """

    name: str
    description: str
    rasa_text: str | None
    staff: bool = False
    pass_args: bool = False
    in_menu: bool = True


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("start", "开始使用", "/greet"),
        Command("help", "使用说明和功能菜单", None),
        Command("precheck", "临时救助预审", "/start_precheck"),
        Command("status", "查询办理进度", "/check_status", pass_args=True),
        Command("human", "联系工作人员", "/request_human"),
        Command("cancel", "取消当前操作", "/cancel"),
        # resident, issue 7 (status notifications)
        Command("unsubscribe", "取消进度提醒", "/cancel", pass_args=True, in_menu=False),
        # staff (issues 4 and 7); identity is checked by the actions from the sender id, never here
        Command("script", "查看答复口径（工作人员）", "/inform", staff=True, pass_args=True),
        Command("mycases", "我的在办案件（工作人员）", "/check_status", staff=True, pass_args=True),
        Command("bind", "绑定工作人员账号（工作人员）", "/inform", staff=True, pass_args=True),
        Command("queue", "待处理的回电工单（工作人员）", "/request_human", staff=True, pass_args=True),
        Command("take", "领取工单（工作人员）", "/request_human", staff=True, pass_args=True),
        Command("reply", "回复居民（工作人员）", "/request_human", staff=True, pass_args=True),
        Command("done", "办结工单（工作人员）", "/request_human", staff=True, pass_args=True),
        # staff (issue 17): log a visit to a 分散供养特困 person; due/overdue visits, history, flags, report
        Command("visit", "登记探访（工作人员）", "/log_visit", staff=True, pass_args=True),
        Command("visits", "探访名单、记录和报表（工作人员）", "/inform", staff=True, pass_args=True),
        # staff (issue 18): record the result of checking a monitoring warning; open tasks, report, 三类人群
        Command("check", "登记核查结果（工作人员）", "/record_check_result", staff=True, pass_args=True),
        Command("tasks", "我的核查任务（工作人员）", "/inform", staff=True, pass_args=True),
    )
}

PUBLIC_MENU = [c for c in COMMANDS.values() if not c.staff and c.in_menu]
STAFF_MENU = PUBLIC_MENU + [c for c in COMMANDS.values() if c.staff and c.in_menu]

_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: str
    addressed_to: str | None  # the @botname suffix, if any


def parse_command(text: str) -> ParsedCommand | None:
    m = _COMMAND_RE.match(text.strip())
    if not m:
        return None
    return ParsedCommand(name=m.group(1).lower(), args=(m.group(3) or "").strip(), addressed_to=m.group(2))


# -- input hygiene ---------------------------------------------------------------------------------------
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def clean_input(text: str) -> str:
    """Remove control and zero-width characters (keeping line breaks and tabs) and surrounding space."""
    kept = []
    for ch in text:
        if ch in "\n\t":
            kept.append(ch)
        elif ch in _INVISIBLE or unicodedata.category(ch) in {"Cc", "Cf", "Cs"}:
            continue
        else:
            kept.append(ch)
    return "".join(kept).strip()


# -- the core --------------------------------------------------------------------------------------------
class RasaSender(Protocol):
    async def send(self, sender_id: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict]: ...


PendingStore = Callable[[str, str, str], Any]


def _default_pending_store(sender_id: str, channel: str, text: str) -> Any:
    return store_pending_message(sender_id, channel, text)


# -- buttons the assistant issued ------------------------------------------------------------------------
class IssuedPayloads:
    """The button payloads the assistant sent to each conversation recently.

    A payload is what Rasa gets when the button is pressed: an intent trigger, possibly with entities
    (``/inform{"id_last6": "..."}``, ``/ask_x{"detail": "..."}``). Callback data arrives from the user's client, so
    a pressed button is accepted only when its payload was issued to that conversation; anything else would be a
    message forged to look like the assistant's own button. Kept in memory, bounded: the last
    ``per_conversation`` payloads of the last ``conversations`` conversations, each for ``ttl`` seconds. After a
    restart older buttons say they have expired (as long payloads' tokens always did); /help gives a new menu.
    """

    def __init__(
        self,
        *,
        per_conversation: int = 64,
        conversations: int = 10_000,
        ttl: float = 7 * 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_conversation = per_conversation
        self.conversations = conversations
        self.ttl = ttl
        self.clock = clock
        self._by_sender: OrderedDict[str, OrderedDict[str, float]] = OrderedDict()

    def remember(self, sender_id: str, payloads: Iterable[str]) -> None:
        payloads = [p for p in payloads if p]
        if not payloads:
            return
        issued = self._by_sender.setdefault(sender_id, OrderedDict())
        self._by_sender.move_to_end(sender_id)
        expires = self.clock() + self.ttl
        for payload in payloads:
            issued[payload] = expires
            issued.move_to_end(payload)
        while len(issued) > self.per_conversation:
            issued.popitem(last=False)
        while len(self._by_sender) > self.conversations:
            self._by_sender.popitem(last=False)

    def issued(self, sender_id: str, payload: str) -> bool:
        expires = self._by_sender.get(sender_id, {}).get(payload)
        return expires is not None and expires >= self.clock()


# a typed line that looks like an intent trigger ("/check_status{...}", "/greet@0.9"): Rasa would take its intent
# and entities as given, so typed text never reaches Rasa in this form
_TRIGGER_LIKE = re.compile(r"^/+\s*([A-Za-z_][A-Za-z0-9_]*)")


def _trigger_name(text: str) -> str | None:
    """``/check_status{"case_no": ...}`` -> ``/check_status`` (None when ``text`` is not an intent trigger)."""
    m = _TRIGGER_LIKE.match(text)
    return "/" + m.group(1) if m else None


# attachments a front end may pass to Rasa (``ConversationCore.handle_attachment``): a photo's reference (Telegram:
# the file_id of its largest size) reaches the visit form (issue 17) as the ``args`` of this trigger
ATTACHMENT_TRIGGER = "/inform"
ATTACHMENT_KINDS = frozenset({"photo"})
MAX_ATTACHMENT_REFERENCE = 256


@dataclass
class ConversationCore:
    """Shared by all channels. ``handle_text``, ``handle_button`` and ``handle_attachment`` never raise for user
    input."""

    rasa: RasaSender
    contact: Callable[[], str] | None = None
    pending_store: PendingStore | None = _default_pending_store
    mask: Callable[[str], str] = mask_text
    max_chars: int = texts.MAX_INPUT_CHARS
    # storing a message must not delay the apology much (RASA_TIMEOUT + this stays below 10 s)
    store_timeout: float = 1.5
    stats: dict[str, int] = field(default_factory=lambda: {"rasa_down": 0, "stored": 0, "store_failed": 0})
    issued: IssuedPayloads = field(default_factory=IssuedPayloads)

    # ---- public API ----
    async def handle_text(
        self, sender_id: str, text: str, *, channel: str, metadata: dict[str, Any] | None = None
    ) -> list[Reply]:
        """What a person typed. Rasa gets a line starting with "/" only for a known command (as its intent
        trigger): an intent trigger typed by hand is answered as an unknown command, and other text behind a
        slash ("/ 你好") is sent without it."""
        text = clean_input(text or "")
        if text.startswith("/"):
            parsed = parse_command(text)
            if parsed is not None:
                return await self._handle_command(sender_id, parsed, channel=channel, metadata=metadata)
            trigger = _trigger_name(text)
            if trigger is not None:
                log.info("%s: typed intent trigger %s refused", sender_id, trigger)
                return [Reply(texts.UNKNOWN_COMMAND.format(command=trigger))]
            text = text.lstrip("/").strip()
        if not text:
            return [Reply(texts.EMPTY_INPUT)]
        notice: list[Reply] = []
        if len(text) > self.max_chars:
            log.info("%s: message of %d chars shortened to %d", sender_id, len(text), self.max_chars)
            text = text[: self.max_chars]
            notice = [Reply(texts.TOO_LONG.format(limit=self.max_chars))]
        return notice + await self._ask_rasa(sender_id, text, channel=channel, metadata=metadata)

    async def handle_button(self, sender_id: str, payload: str, *, channel: str) -> list[Reply]:
        """A pressed button: its payload goes to Rasa unchanged (menu payloads are intent triggers) when the
        assistant issued it to this conversation (``IssuedPayloads``); otherwise the button "has expired"."""
        payload = clean_input(payload or "")
        if not payload or not self.issued.issued(sender_id, payload):
            if payload:
                log.info("%s: button %s not issued to this conversation", sender_id, _trigger_name(payload) or "?")
            return [Reply(texts.BUTTON_EXPIRED)]
        return await self._ask_rasa(sender_id, payload[: self.max_chars], channel=channel, metadata={"button": True})

    async def handle_attachment(
        self,
        sender_id: str,
        kind: str,
        reference: str,
        *,
        channel: str,
        metadata: dict[str, Any] | None = None,
    ) -> list[Reply]:
        """Something that is not text, passed on by a front end (never typed by a user): Rasa gets ``/inform`` with
        metadata ``{"command": kind, "args": reference}`` (a photo: the visit form keeps its reference, outside it
        the assistant answers with ``texts.NON_TEXT``). Kinds not in ``ATTACHMENT_KINDS`` and an empty reference
        are answered here with ``texts.NON_TEXT``."""
        reference = clean_input(reference or "")
        if kind not in ATTACHMENT_KINDS or not reference:
            return [Reply(texts.NON_TEXT)]
        meta = {**(metadata or {}), "command": kind, "args": reference[:MAX_ATTACHMENT_REFERENCE]}
        return await self._ask_rasa(sender_id, ATTACHMENT_TRIGGER, channel=channel, metadata=meta)

    def help_replies(self, sender_id: str | None = None) -> list[Reply]:
        """The help text with the menu; its buttons count as issued to ``sender_id``."""
        replies = [Reply(texts.HELP_TEXT, buttons=tuple(Button(t, p) for t, p in texts.menu_buttons()))]
        if sender_id is not None:
            self._remember_buttons(sender_id, replies)
        return replies

    # ---- internals ----
    async def _handle_command(
        self, sender_id: str, parsed: ParsedCommand, *, channel: str, metadata: dict[str, Any] | None
    ) -> list[Reply]:
        command = COMMANDS.get(parsed.name)
        if command is None:
            log.info("%s: unknown command /%s", sender_id, self.mask(parsed.name))
            return [Reply(texts.UNKNOWN_COMMAND.format(command="/" + parsed.name))]
        if command.rasa_text is None:
            return self.help_replies(sender_id)
        meta = dict(metadata or {})
        if command.pass_args:
            meta.update({"command": command.name, "args": parsed.args[: self.max_chars]})
        return await self._ask_rasa(sender_id, command.rasa_text, channel=channel, metadata=meta)

    async def _ask_rasa(
        self, sender_id: str, text: str, *, channel: str, metadata: dict[str, Any] | None
    ) -> list[Reply]:
        meta = {"channel": channel, **(metadata or {})}
        # INFO: what kind of message and how long, never its words (amounts, reasons, lookup pairs);
        # DEBUG: the words, masked
        kind = _trigger_name(text) or "text"
        command = f" (/{meta['command']})" if meta.get("command") else ""
        log.info("%s -> rasa: %s%s, %d chars", sender_id, kind, command, len(text))
        log.debug("%s -> rasa text: %s", sender_id, self.mask(text))
        try:
            messages = await self.rasa.send(sender_id, text, meta)
        except RasaUnavailable as exc:
            log.warning("%s: Rasa unavailable: %s", sender_id, exc)
            return await self._apology(sender_id, text, channel=channel)
        except Exception:  # a bug in a lower layer must not silence the bot
            log.exception("%s: unexpected error while asking Rasa", sender_id)
            return await self._apology(sender_id, text, channel=channel)
        replies = replies_from_rasa(messages)
        log.info(
            "%s <- rasa: %d replies, %d chars, %d buttons",
            sender_id,
            len(replies),
            sum(len(r.text) for r in replies),
            sum(len(r.buttons) for r in replies),
        )
        for r in replies:
            log.debug("%s <- rasa text: %s", sender_id, self.mask(r.text))
        self._remember_buttons(sender_id, replies)
        if not replies:
            # every message gets at least the fallback, so nothing at all means Rasa could not run an action
            # (action server down, lock store down): a temporary problem, handled like Rasa being down
            log.warning("%s: Rasa answered with no message (action server or lock store problem?)", sender_id)
            return await self._apology(sender_id, text, channel=channel)
        return replies

    def _remember_buttons(self, sender_id: str, replies: Sequence[Reply]) -> None:
        self.issued.remember(sender_id, (b.payload for r in replies for b in r.buttons))

    async def _apology(self, sender_id: str, text: str, *, channel: str) -> list[Reply]:
        self.stats["rasa_down"] += 1
        stored = await self._store_pending(sender_id, channel, text)
        contact = self._contact_text()
        tail = texts.RASA_DOWN_STORED if stored else texts.RASA_DOWN_NOT_STORED
        return [Reply(texts.RASA_DOWN.format(contact=contact) + tail)]

    def _contact_text(self) -> str:
        try:
            if self.contact is not None:
                return self.contact()
            return contact_text()
        except Exception:
            log.exception("contact line failed")
            return texts.CONTACT_TOWNSHIP

    async def _store_pending(self, sender_id: str, channel: str, text: str) -> bool:
        if self.pending_store is None or text.startswith("/"):
            # intent triggers (commands, buttons) are not a message staff could follow up on
            return False
        try:
            result = await asyncio.wait_for(
                asyncio.to_thread(self.pending_store, sender_id, channel, text), timeout=self.store_timeout
            )
            if isinstance(result, Awaitable):
                await asyncio.wait_for(result, timeout=self.store_timeout)
        except asyncio.TimeoutError:
            # the thread may still finish the write; we just do not promise it to the user
            self.stats["store_failed"] += 1
            log.warning("%s: storing the message for follow-up is slow; not waiting for it", sender_id)
            return False
        except Exception as exc:  # DatabaseUnavailable, missing module, anything: never crash the bot
            self.stats["store_failed"] += 1
            log.warning("%s: could not store the message for follow-up: %s", sender_id, type(exc).__name__)
            return False
        self.stats["stored"] += 1
        return True
