"""End to end over real HTTP: python-telegram-bot's own HTTPX transport polls a local fake Bot API server
(given as TELEGRAM_API_BASE_URL), and the real Rasa client talks to a fake Rasa HTTP server."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx

from bot import channels
from bot.frontends.telegram_app import build_application, webhook_options
from bot.identity import TELEGRAM
from tests.auxil.telegram import (
    FAST_RETRY,
    TOKEN,
    FakeTelegramServer,
    bot_message,
    callback_update,
    make_settings,
    message_update,
)

USER = 5150


async def test_long_polling_message_button_and_network_error(fake_rasa):
    server = FakeTelegramServer()
    await server.start()
    api = server.api
    settings = make_settings(fake_rasa.url, TELEGRAM_API_BASE_URL=server.base_url)
    app = build_application(settings, retry=FAST_RETRY)  # default HTTPX transport, Rasa client from settings
    try:
        async with app:
            await app.post_init(app)
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=["message", "callback_query"])

            # the first answer fails once with 502 Bad Gateway: retried, then delivered
            api.fail_next("sendMessage", 502, "Bad Gateway")
            api.push_update(message_update(USER, USER, "/start"))
            await api.wait_for(lambda a: len(a.of("sendMessage")) == 2)
            delivered = api.of("sendMessage")[-1]
            assert delivered.params["text"].startswith("您好！我是略阳县社会救助助手")
            data = delivered.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

            shown = bot_message(USER, delivered.params["text"], reply_markup=delivered.params["reply_markup"])
            api.push_update(callback_update(USER, USER, data, shown))
            await api.wait_for(lambda a: len(a.of("sendMessage")) == 3)

            await app.updater.stop()
            await app.stop()
            await app.post_stop(app)
        await app.post_shutdown(app)
    finally:
        await server.stop()

    assert fake_rasa.messages() == ["/greet", "/ask_dibao_eligibility"]
    assert {r["sender"] for r in fake_rasa.requests} == {f"tg-{USER}-{USER}"}
    assert api.of("answerCallbackQuery") and api.of("editMessageReplyMarkup")
    assert api.sent_texts()[-1].startswith("低保的条件是")
    assert api.of("setMyCommands")
    # every request went to the configured base URL with the token in the path
    assert server.paths and all(p.startswith(f"/bot{TOKEN}/") for p in server.paths)


async def test_polling_serves_others_while_one_conversation_waits_for_rasa(fake_rasa):
    """Updates are handled concurrently by the running application (not only when tests gather them)."""
    server = FakeTelegramServer()
    await server.start()
    api = server.api
    slow_user, quick_user = 6001, 6002
    settings = make_settings(fake_rasa.url, TELEGRAM_API_BASE_URL=server.base_url, RASA_TIMEOUT="5")
    app = build_application(settings, retry=FAST_RETRY)
    try:
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            fake_rasa.mode = "slow"
            api.push_update(message_update(slow_user, slow_user, "慢的问题"))
            await fake_rasa.received.wait()  # the slow user's message is now hanging inside Rasa
            fake_rasa.mode = "ok"
            api.push_update(message_update(quick_user, quick_user, "快的问题"))
            await api.wait_for(lambda a: a.sent_texts(quick_user))
            assert api.sent_texts(slow_user) == []  # still waiting, yet the other user got an answer
            fake_rasa.release.set()
            await api.wait_for(lambda a: a.sent_texts(slow_user))
            await app.updater.stop()
            await app.stop()
        await app.post_shutdown(app)
    finally:
        await server.stop()
    assert api.sent_texts(quick_user) == [f"收到（tg-{quick_user}-{quick_user}）：快的问题"]
    assert api.sent_texts(slow_user) == [f"收到（tg-{slow_user}-{slow_user}）：慢的问题"]


async def test_webhook_mode_accepts_updates_only_with_the_secret(fake_rasa):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = FakeTelegramServer()
    await server.start()
    api = server.api
    settings = make_settings(
        fake_rasa.url,
        TELEGRAM_API_BASE_URL=server.base_url,
        TELEGRAM_MODE="webhook",
        TELEGRAM_WEBHOOK_PORT=str(port),
        TELEGRAM_WEBHOOK_PATH="tg-hook",
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg-hook",
        TELEGRAM_WEBHOOK_SECRET="webhook_secret_1",
    )
    app = build_application(settings, retry=FAST_RETRY)
    update = message_update(USER, USER, "你好")
    try:
        async with app:
            await app.start()
            await app.updater.start_webhook(**webhook_options(settings))
            [set_webhook] = api.of("setWebhook")
            assert set_webhook.params["url"] == "https://bot.example.org/tg-hook"
            assert set_webhook.params["secret_token"] == "webhook_secret_1"
            async with httpx.AsyncClient(trust_env=False) as client:
                url = f"http://127.0.0.1:{port}/tg-hook"
                body = json.dumps(update)
                refused = await client.post(url, content=body, headers={"Content-Type": "application/json"})
                accepted = await client.post(url, content=body, headers={
                    "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "webhook_secret_1"})
            assert refused.status_code == 403 and accepted.status_code == 200
            await api.wait_for(lambda a: a.sent_texts(USER))
            await app.updater.stop()
            await app.stop()
    finally:
        await server.stop()
    assert fake_rasa.messages() == ["你好"]
    assert api.sent_texts(USER) == [f"收到（tg-{USER}-{USER}）：你好"]


async def test_background_jobs_run_with_the_bot_and_stop_with_it(fake_rasa):
    """E.g. the notification outbox worker: started after start-up, when the app's bot is already the Telegram
    channel's deliverer (``bot.channels``); cancelled at stop, when the channel is unregistered again."""
    server = FakeTelegramServer()
    await server.start()
    api = server.api
    cancelled = asyncio.Event()

    async def outbox_worker(app) -> None:
        await channels.deliver("tg-808-808", ["您关注的案件状态已更新。"])
        try:
            await asyncio.Event().wait()  # runs until the bot stops
        finally:
            cancelled.set()

    settings = make_settings(fake_rasa.url, TELEGRAM_API_BASE_URL=server.base_url)
    app = build_application(settings, retry=FAST_RETRY, background=[outbox_worker])
    try:
        async with app:
            await app.post_init(app)
            await app.start()
            await api.wait_for(lambda a: a.sent_texts(808))
            await app.stop()
            await app.post_stop(app)
            assert TELEGRAM not in channels.registered_channels()
    finally:
        await server.stop()
    assert cancelled.is_set()
    assert api.sent_texts(808) == ["您关注的案件状态已更新。"]
