"""Sending replies to Telegram: inline keyboards, splitting, retries with backoff, proactive messages.

Plain text only (no parse mode): Rasa's texts are sent exactly as written, so characters such as ``<``,
``&`` or ``*`` can never break a message or inject formatting.

``send_to_sender(bot, sender, replies)`` sends proactive messages (status notifications, the staff relay): it
raises ``telegram.error.TelegramError`` when Telegram did not accept a message after the retries, so an outbox can
keep the message and try again later. ``telegram_deliverer(bot)`` is the same as the Telegram channel's deliverer
for ``bot.channels`` (failures that retrying cannot fix become ``PermanentDeliveryError``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.channels import Deliverer, PermanentDeliveryError
from bot.errors import ConfigurationError
from bot.frontends import texts
from bot.frontends.core import Reply
from bot.frontends.splitting import TELEGRAM_LIMIT, split_text
from bot.identity import SenderIdentity, telegram_chat_id

log = logging.getLogger(__name__)

T = TypeVar("T")

CALLBACK_DATA_MAX_BYTES = 64
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_TOKEN_PREFIX = "#k:"


class CallbackPayloads:
    """Maps Rasa button payloads to Telegram callback data (at most 64 bytes).

    Short payloads are used as they are (they survive a restart); longer ones are replaced by a token
    kept in a bounded in-memory table.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._by_token: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES and not payload.startswith(_TOKEN_PREFIX):
            return payload
        token = _TOKEN_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._by_token[token] = payload
        self._by_token.move_to_end(token)
        while len(self._by_token) > self.capacity:
            self._by_token.popitem(last=False)
        return token

    def decode(self, data: str) -> str | None:
        """The payload for callback data, or None when a token is no longer known."""
        if data.startswith(_TOKEN_PREFIX):
            return self._by_token.get(data)
        return data


def keyboard_for(reply: Reply, payloads: CallbackPayloads) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    rows = [[InlineKeyboardButton(b.title[:64] or "·", callback_data=payloads.encode(b.payload))] for b in reply.buttons]
    return InlineKeyboardMarkup(rows)


async def with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> T:
    """Run a Telegram call; on network errors retry with exponential backoff, on RetryAfter wait as told.

    BadRequest, Forbidden and InvalidToken are not retried (trying again cannot help).
    A retried send may, rarely, deliver twice (the first attempt may have reached Telegram before the
    connection broke); a duplicate is preferred to a lost answer.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == attempts:
                raise
            delay = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else float(exc.retry_after)
            log.warning("Telegram asked us to wait %.1f s (attempt %d/%d)", delay, attempt, attempts)
            await sleep(delay)
        except (BadRequest, InvalidToken):
            raise
        except NetworkError as exc:  # includes TimedOut
            if attempt == attempts:
                raise
            delay = min(max_delay, base_delay * 2 ** (attempt - 1))
            log.warning("Telegram network error (%s); retry %d/%d in %.1f s", type(exc).__name__, attempt, attempts, delay)
            await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def send_replies(
    bot: Bot,
    chat_id: int,
    replies: Sequence[Reply],
    *,
    payloads: CallbackPayloads,
    reply_to_message_id: int | None = None,
    retry: dict[str, Any] | None = None,
) -> list[Message]:
    """Send replies in order; each text is split at the 4,096 limit, buttons go under its last part."""
    retry = retry or {}
    reply_parameters = (
        ReplyParameters(message_id=reply_to_message_id, allow_sending_without_reply=True)
        if reply_to_message_id is not None
        else None
    )
    sent: list[Message] = []
    for reply in replies:
        if reply.image:
            try:
                msg = await with_retry(
                    lambda r=reply: bot.send_photo(chat_id=chat_id, photo=r.image, reply_parameters=reply_parameters),
                    **retry,
                )
                sent.append(msg)
            except BadRequest:
                log.warning("Telegram refused an image; sending its address as text")
                sent.append(
                    await with_retry(lambda r=reply: bot.send_message(chat_id=chat_id, text=r.image), **retry)
                )
        if not reply.text and not reply.buttons:
            continue
        chunks = split_text(reply.text or texts.BUTTONS_ONLY, TELEGRAM_LIMIT)
        for i, chunk in enumerate(chunks):
            markup = keyboard_for(reply, payloads) if i == len(chunks) - 1 else None
            msg = await with_retry(
                lambda c=chunk, m=markup: bot.send_message(
                    chat_id=chat_id, text=c, reply_markup=m, reply_parameters=reply_parameters
                ),
                **retry,
            )
            sent.append(msg)
    return sent


async def send_to_sender(
    bot: Bot,
    sender: str | SenderIdentity,
    replies: Sequence[Reply | str],
    *,
    payloads: CallbackPayloads | None = None,
    retry: dict[str, Any] | None = None,
) -> list[Message]:
    """Proactively send replies (or plain strings) to a Telegram conversation (a sender id or identity).

    Raises ValueError for a sender of another channel, and TelegramError (e.g. ``Forbidden`` when the user
    blocked the bot) when Telegram did not accept a message after the retries.
    """
    identity = sender if isinstance(sender, SenderIdentity) else SenderIdentity.parse(sender)
    chat_id = telegram_chat_id(identity)
    items = [r if isinstance(r, Reply) else Reply(str(r)) for r in replies]
    return await send_replies(bot, chat_id, items, payloads=payloads or CallbackPayloads(), retry=retry)


def is_permanent(exc: TelegramError) -> bool:
    """Telegram refused for good: the user blocked the bot, a bad token, a chat or user that does not exist."""
    if isinstance(exc, Forbidden | InvalidToken):
        return True
    if isinstance(exc, BadRequest):
        text = str(exc).lower()
        return "chat not found" in text or "user not found" in text
    return False


def telegram_deliverer(bot: Bot, *, retry: dict[str, Any] | None = None) -> Deliverer:
    """The Telegram channel's deliverer for ``bot.channels`` (registered by whoever owns ``bot`` when it starts)."""

    async def deliver(identity: SenderIdentity, messages: Sequence[str]) -> list[Message]:
        try:
            return await send_to_sender(bot, identity, messages, retry=retry)
        except TelegramError as exc:
            if is_permanent(exc):
                raise PermanentDeliveryError(f"{exc.__class__.__name__}: {exc}") from exc
            raise

    return deliver


def validate_token(token: str) -> None:
    """Refuse a missing or malformed token with a message that says what to do (never echoes the token)."""
    if not token:
        raise ConfigurationError(
            "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and put it in the environment "
            "(or run `lueyang chat` for the terminal front end)."
        )
    if not TOKEN_RE.match(token):
        raise ConfigurationError(
            "TELEGRAM_BOT_TOKEN is malformed: expected the form '<digits>:<at least 30 letters, digits, _ or ->' "
            f"as issued by @BotFather (got {len(token)} characters). Check for quotes, spaces or a cut-off copy."
        )


def build_bot(settings) -> Bot:
    """A plain ``telegram.Bot`` for processes that only send (e.g. an outbox worker)."""
    validate_token(settings.telegram_bot_token)
    kwargs: dict[str, Any] = {}
    if settings.telegram_api_base_url:
        kwargs["base_url"] = settings.telegram_api_base_url
    return Bot(settings.telegram_bot_token, **kwargs)


__all__ = [
    "CallbackPayloads",
    "Forbidden",
    "TelegramError",
    "build_bot",
    "is_permanent",
    "keyboard_for",
    "send_replies",
    "send_to_sender",
    "telegram_deliverer",
    "validate_token",
    "with_retry",
]
