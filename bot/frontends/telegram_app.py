"""The Telegram front end: a python-telegram-bot 22 ``Application`` in front of Rasa.

- long polling by default, webhook mode (secret token, listen address, port, path) from settings;
- ``TELEGRAM_API_BASE_URL`` points the bot at a local Bot API server (also used by the tests);
- updates are handled concurrently (one slow conversation never blocks the others), while the messages of
  one conversation are handled in order;
- private chats: every message is answered; groups: only messages addressed to the bot (a command, an
  @mention, or a reply to the bot), with one conversation per member;
- edited messages are not answered again; a photo in a private chat goes to Rasa (``handle_attachment``: the
  visit form keeps it), other non-text messages get a polite explanation;
- a per-user flood limit; AIORateLimiter and retries with backoff towards Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Message, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import channels
from bot.db.session import session_scope
from bot.errors import ConfigurationError, DatabaseUnavailable
from bot.frontends import texts
from bot.frontends.core import PUBLIC_MENU, STAFF_MENU, ConversationCore, Reply, parse_command
from bot.frontends.flood import FloodLimiter
from bot.frontends.logs import configure_frontend_logging
from bot.frontends.rasa_client import RasaClient
from bot.frontends.telegram_delivery import (
    CallbackPayloads,
    send_replies,
    telegram_deliverer,
    validate_token,
    with_retry,
)
from bot.identity import TELEGRAM, telegram_sender
from bot.privacy import mask_text
from bot.settings import Settings
from bot.staff_access import TelegramStaffUsers, telegram_staff_users

log = logging.getLogger(__name__)

WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_ANSWER_SECONDS = 10.0
TYPING_REFRESH_SECONDS = 4.5
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
FRONTEND_KEY = "frontend"
STAFF_MENU_REFRESH_SECONDS = 900.0  # staff bound or deactivated since start-up get (or lose) the menu this late

StaffUsers = Callable[[], TelegramStaffUsers]


def staff_users_from_database(settings: Settings) -> StaffUsers:
    """Who gets the staff command menu: ``bot.staff_access`` over the staff table (raises DatabaseUnavailable)."""

    def read() -> TelegramStaffUsers:
        with session_scope() as session:
            return telegram_staff_users(session, settings)

    return read


def check_settings(settings: Settings) -> None:
    """Everything the Telegram front end needs before it starts."""
    validate_token(settings.telegram_bot_token)
    if not 0 < settings.rasa_timeout < MAX_ANSWER_SECONDS:
        raise ConfigurationError(
            f"RASA_TIMEOUT must be between 0 and {MAX_ANSWER_SECONDS:g} seconds so that users always get an "
            f"answer within {MAX_ANSWER_SECONDS:g} s (got {settings.rasa_timeout:g})"
        )
    if settings.telegram_mode == "webhook":
        if not settings.webhook_url.startswith("https://"):
            raise ConfigurationError("TELEGRAM_WEBHOOK_URL must be set to the public https:// URL of the webhook")
        if not WEBHOOK_SECRET_RE.match(settings.webhook_secret):
            raise ConfigurationError(
                "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode (1-256 characters: letters, digits, _ and -)"
            )


class TelegramFrontend:
    """Handlers and per-process state (flood limiter, per-conversation locks, button payloads)."""

    def __init__(
        self,
        settings: Settings,
        core: ConversationCore,
        *,
        clock: Callable[[], float] = time.monotonic,
        retry: dict[str, Any] | None = None,
        staff_users: StaffUsers | None = None,
    ) -> None:
        self.settings = settings
        self.core = core
        self.staff_users = staff_users or staff_users_from_database(settings)
        self.staff_menu_refresh = STAFF_MENU_REFRESH_SECONDS
        self._staff_menus: dict[int, bool] = {}  # Telegram user -> staff menu set (True) or removed (False)
        self.flood = FloodLimiter(settings.flood_limit_per_minute, 60.0, clock=clock)
        self.payloads = CallbackPayloads()
        self.retry = retry or {}
        self.background: list[Callable[[Application], Awaitable[None]]] = []
        self._background_tasks: list[asyncio.Task] = []
        self._deliverer: channels.Deliverer | None = None
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # -- wiring ------------------------------------------------------------------------------------
    def register(self, app: Application) -> None:
        app.bot_data[FRONTEND_KEY] = self
        new_message = filters.UpdateType.MESSAGE  # edited messages and channel posts are left alone
        app.add_handler(MessageHandler(new_message & filters.TEXT, self.on_text))
        app.add_handler(
            MessageHandler(new_message & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_non_text)
        )
        app.add_handler(CallbackQueryHandler(self.on_callback))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application) -> None:
        await self.set_commands(app.bot)
        self._background_tasks.append(asyncio.create_task(self._refresh_staff_menus_periodically(app.bot)))
        # proactive messages to Telegram senders (outbox: notifications, staff relay) go through this bot
        self._deliverer = telegram_deliverer(app.bot, retry=self.retry)
        channels.register(TELEGRAM, self._deliverer)
        for job in self.background:
            self._background_tasks.append(asyncio.create_task(self._run_job(job, app)))

    async def _run_job(self, job: Callable[[Application], Awaitable[None]], app: Application) -> None:
        try:
            await job(app)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background job %s stopped with an error", getattr(job, "__name__", job))

    async def post_stop(self, app: Application) -> None:
        tasks, self._background_tasks = self._background_tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._deliverer is not None:
            channels.unregister(TELEGRAM, self._deliverer)
            self._deliverer = None

    async def post_shutdown(self, app: Application) -> None:
        close = getattr(self.core.rasa, "aclose", None)
        if close is not None:
            await close()

    async def set_commands(self, bot) -> None:
        """Register the command menus: the public one for everybody, the staff one for staff (``bot.staff_access``:
        the staff table is authoritative, ``STAFF_TELEGRAM_IDS`` only bootstraps users without a record).

        The staff menus are brought up to date every ``staff_menu_refresh`` seconds: staff who bind their account
        with /bind get it, deactivated staff lose it. The commands work either way (typing them is enough; the
        actions decide who is staff).
        """
        public = [BotCommand(c.name, c.description) for c in PUBLIC_MENU]
        try:
            await with_retry(lambda: bot.set_my_commands(public, scope=BotCommandScopeDefault()), **self.retry)
        except TelegramError as exc:  # the bot works without the menu; do not refuse to start
            log.warning("could not register the command menu: %s", exc)
        await self.refresh_staff_menus(bot)

    async def refresh_staff_menus(self, bot) -> None:
        """The staff menu for every staff member's private chat; removed from chats of users no longer staff."""
        try:
            users = await asyncio.to_thread(self.staff_users)
        except (DatabaseUnavailable, SQLAlchemyError) as exc:
            log.warning("staff command menus not updated: the staff table cannot be read (%s)", type(exc).__name__)
            return
        staff = [BotCommand(c.name, c.description) for c in STAFF_MENU]
        for user_id in sorted(users.staff):
            if self._staff_menus.get(user_id) is not True:
                await self._set_staff_menu(
                    user_id, True, lambda u=user_id: bot.set_my_commands(staff, scope=BotCommandScopeChat(chat_id=u))
                )
        shown_before = {u for u, shown in self._staff_menus.items() if shown}
        for user_id in sorted((users.former | shown_before) - users.staff):
            if self._staff_menus.get(user_id) is not False:
                await self._set_staff_menu(
                    user_id, False, lambda u=user_id: bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=u))
                )

    async def _set_staff_menu(self, user_id: int, shown: bool, call: Callable[[], Awaitable[Any]]) -> None:
        try:
            await with_retry(call, **self.retry)
        except TelegramError as exc:  # e.g. a user who never opened a chat with the bot
            log.warning("could not %s the staff menu of user %s: %s", "set" if shown else "remove", user_id, exc)
            return
        self._staff_menus[user_id] = shown

    async def _refresh_staff_menus_periodically(self, bot) -> None:
        while True:
            await asyncio.sleep(self.staff_menu_refresh)
            try:
                await self.refresh_staff_menus(bot)
            except Exception:  # noqa: BLE001 - a failed refresh must not stop the next one
                log.exception("staff command menus: refresh failed")

    # -- helpers -----------------------------------------------------------------------------------
    def _lock(self, sender_id: str) -> asyncio.Lock:
        lock = self._locks.get(sender_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[sender_id] = lock
        return lock

    @contextlib.asynccontextmanager
    async def _typing(self, bot, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" until the block ends (Telegram shows it for about 5 s per call)."""

        async def keep_typing() -> None:
            while True:
                try:
                    await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
                except TelegramError as exc:
                    log.debug("typing indicator failed: %s", exc)
                await asyncio.sleep(TYPING_REFRESH_SECONDS)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _addressed_text(self, message: Message, bot) -> str | None:
        """The text to process, or None when a group message is not meant for the bot."""
        text = message.text or ""
        if message.chat.type == ChatType.PRIVATE:
            return text
        username = (bot.username or "").lower()
        if text.startswith("/"):
            parsed = parse_command(text)
            if parsed is not None:
                if parsed.addressed_to is None or parsed.addressed_to.lower() == username:
                    return text
                return None
        mentioned = False
        for entity, value in message.parse_entities([MessageEntityType.MENTION, MessageEntityType.TEXT_MENTION]).items():
            if entity.type == MessageEntityType.MENTION and value.lower() == "@" + username:
                mentioned = True
                text = text.replace(value, " ")
            elif entity.type == MessageEntityType.TEXT_MENTION and entity.user and entity.user.id == bot.id:
                mentioned = True
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            mentioned = True
        return text if mentioned else None

    async def _flood_ok(self, bot, chat_id: int, user_id: int, reply_to: int | None) -> bool:
        decision = self.flood.check(user_id)
        if decision.allowed:
            return True
        log.info("flood limit reached for user %s", user_id)
        if decision.warn:
            await self._deliver(bot, chat_id, [Reply(texts.FLOOD)], reply_to)
        return False

    async def _deliver(self, bot, chat_id: int, replies: list[Reply], reply_to: int | None) -> None:
        try:
            await send_replies(
                bot, chat_id, replies, payloads=self.payloads, reply_to_message_id=reply_to, retry=self.retry
            )
        except TelegramError as exc:
            log.error("could not deliver %d replies to chat %s: %s", len(replies), chat_id, exc)

    async def _converse(self, bot, chat_id: int, sender_id: str, reply_to: int | None, ask) -> None:
        async with self._lock(sender_id):
            async with self._typing(bot, chat_id):
                replies = await ask()
            await self._deliver(bot, chat_id, replies, reply_to)

    # -- handlers ----------------------------------------------------------------------------------
    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        text = self._addressed_text(message, context.bot)
        if text is None:
            return
        chat_id, user_id = message.chat.id, message.from_user.id
        reply_to = None if message.chat.type == ChatType.PRIVATE else message.message_id
        if not await self._flood_ok(context.bot, chat_id, user_id, reply_to):
            return
        sender_id = telegram_sender(chat_id, user_id).sender_id
        metadata = {"chat_type": str(message.chat.type)}
        await self._converse(
            context.bot,
            chat_id,
            sender_id,
            reply_to,
            lambda: self.core.handle_text(sender_id, text, channel="telegram", metadata=metadata),
        )

    async def on_non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        chat_id, user_id = message.chat.id, message.from_user.id
        reply_to = None
        if message.chat.type != ChatType.PRIVATE:
            replied = message.reply_to_message
            if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
                return  # photos and stickers in a group are not for us
            reply_to = message.message_id
        if not await self._flood_ok(context.bot, chat_id, user_id, reply_to):
            return
        if message.chat.type == ChatType.PRIVATE and message.photo:
            # a photo in a private chat goes to the assistant (the visit form keeps it; elsewhere it explains)
            largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
            sender_id = telegram_sender(chat_id, user_id).sender_id
            metadata = {"chat_type": str(message.chat.type)}
            await self._converse(
                context.bot,
                chat_id,
                sender_id,
                reply_to,
                lambda: self.core.handle_attachment(
                    sender_id, "photo", largest.file_id, channel="telegram", metadata=metadata
                ),
            )
            return
        await self._deliver(context.bot, chat_id, [Reply(texts.NON_TEXT)], reply_to)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message if isinstance(query.message, Message) else None
        user_id = query.from_user.id
        if message is None:  # too old: Telegram no longer gives us the message
            await self._answer(query, texts.BUTTON_EXPIRED)
            return
        chat_id = message.chat.id
        origin = message.reply_to_message
        group = message.chat.type != ChatType.PRIVATE
        if group and origin is not None and origin.from_user is not None and origin.from_user.id != user_id:
            await self._answer(query, texts.BUTTON_NOT_YOURS)
            return
        await self._answer(query, None)
        try:  # the choice is made: take the keyboard away so it cannot be pressed twice
            await with_retry(lambda: query.edit_message_reply_markup(reply_markup=None), **self.retry)
        except BadRequest as exc:
            log.debug("could not remove the keyboard: %s", exc)
        except TelegramError as exc:
            log.warning("could not remove the keyboard: %s", exc)
        reply_to = origin.message_id if group and origin is not None else None
        payload = self.payloads.decode(query.data or "")
        if payload is None:
            await self._deliver(context.bot, chat_id, [Reply(texts.BUTTON_EXPIRED)], reply_to)
            return
        if not await self._flood_ok(context.bot, chat_id, user_id, reply_to):
            return
        sender_id = telegram_sender(chat_id, user_id).sender_id
        await self._converse(
            context.bot,
            chat_id,
            sender_id,
            reply_to,
            lambda: self.core.handle_button(sender_id, payload, channel="telegram"),
        )

    async def _answer(self, query, text: str | None) -> None:
        try:
            await with_retry(lambda: query.answer(text=text), **self.retry)
        except TelegramError as exc:
            log.debug("could not answer the callback query: %s", exc)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        err = context.error
        log.error("error while handling an update: %s", mask_text(f"{type(err).__name__}: {err}"))


def build_application(
    settings: Settings,
    *,
    core: ConversationCore | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Callable[[], float] = time.monotonic,
    retry: dict[str, Any] | None = None,
    rate_limiter: bool = True,
    background: Sequence[Callable[[Application], Awaitable[None]]] = (),
    staff_users: StaffUsers | None = None,
) -> Application:
    """The configured Application (not started). Raises ConfigurationError for bad settings.

    ``background``: coroutine functions taking the application, started after start-up and cancelled at
    stop (e.g. the outbox worker: at start-up the application registers its bot as the Telegram channel's
    deliverer in ``bot.channels``). ``staff_users``: who gets the staff menu (default: the staff table).
    """
    check_settings(settings)
    if core is None:
        core = ConversationCore(rasa=RasaClient.from_settings(settings))
    frontend = TelegramFrontend(settings, core, clock=clock, retry=retry, staff_users=staff_users)
    frontend.background.extend(background)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .concurrent_updates(True)
        .post_init(frontend.post_init)
        .post_stop(frontend.post_stop)
        .post_shutdown(frontend.post_shutdown)
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    app = builder.build()
    frontend.register(app)
    return app


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for ``run_webhook``/``start_webhook``: Telegram must send the secret token with every update
    (PTB answers 403 otherwise); TLS is terminated by the reverse proxy in front of ``listen:port``."""
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": settings.webhook_path,
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def run_telegram(settings: Settings, *, background: Sequence[Callable[[Application], Awaitable[None]]] = ()) -> int:
    """Run the bot until interrupted. Returns an exit code (2 for bad configuration)."""
    configure_frontend_logging(settings)
    try:
        app = build_application(settings, background=background)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if settings.telegram_mode == "webhook":
        log.info("Telegram webhook on %s:%s/%s", settings.webhook_listen, settings.webhook_port, settings.webhook_path)
        app.run_webhook(**webhook_options(settings))
    else:
        log.info("Telegram long polling")
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
