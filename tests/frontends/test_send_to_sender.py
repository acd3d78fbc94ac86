"""Proactive messages (issue 7's notifications and staff relay) through the real telegram.Bot."""

from __future__ import annotations

import pytest
from telegram.error import Forbidden

from bot.channels import PermanentDeliveryError
from bot.errors import ConfigurationError
from bot.frontends.core import Button, Reply
from bot.frontends.telegram_delivery import build_bot, send_to_sender, telegram_deliverer
from bot.identity import telegram_sender
from tests.auxil.telegram import FAST_RETRY, TOKEN, FakeBotApi, fake_bot, make_settings


@pytest.fixture
async def bot_and_api():
    api = FakeBotApi()
    bot = fake_bot(api)
    async with bot:
        yield bot, api


async def test_sends_to_the_chat_of_the_sender_id(bot_and_api):
    bot, api = bot_and_api
    messages = await send_to_sender(
        bot, "tg-5005-5005", ["您的案件状态已更新为：已批准。", Reply("是否继续提醒？", (Button("停止提醒", "/cancel"),))]
    )
    assert len(messages) == 2
    first, second = api.of("sendMessage")
    assert first.params["chat_id"] == 5005 and first.params["text"] == "您的案件状态已更新为：已批准。"
    assert second.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/cancel"


async def test_network_error_then_success_delivers_once(bot_and_api):
    bot, api = bot_and_api
    api.fail_next("sendMessage", 502, "Bad Gateway")
    await send_to_sender(bot, "tg-77-77", ["通知"], retry=FAST_RETRY)
    assert [c.params["text"] for c in api.of("sendMessage")] == ["通知", "通知"]  # one failed try, one delivery


async def test_blocked_user_raises_so_an_outbox_can_keep_the_message(bot_and_api):
    bot, api = bot_and_api
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden):
        await send_to_sender(bot, "tg-77-77", ["通知"], retry=FAST_RETRY)
    assert len(api.of("sendMessage")) == 1  # not retried


async def test_other_channels_are_refused(bot_and_api):
    bot, api = bot_and_api
    with pytest.raises(ValueError):
        await send_to_sender(bot, "term-staff", ["通知"])
    assert api.of("sendMessage") == []


async def test_the_channel_deliverer_marks_refusals_that_retrying_cannot_fix(bot_and_api):
    """``telegram_deliverer`` (the Telegram channel in ``bot.channels``): blocked bot and unknown chat are
    permanent; a network failure after the retries is not (the outbox tries again later)."""
    bot, api = bot_and_api
    deliver = telegram_deliverer(bot, retry={"attempts": 1})
    await deliver(telegram_sender(-1001234, 77), ["群里的回复"])
    assert api.of("sendMessage")[-1].params["chat_id"] == -1001234  # a group member's ticket: back to the group
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(PermanentDeliveryError, match="Forbidden"):
        await deliver(telegram_sender(77, 77), ["通知"])
    api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(PermanentDeliveryError):
        await deliver(telegram_sender(78, 78), ["通知"])
    api.fail_next("sendMessage", 502, "Bad Gateway")
    with pytest.raises(Exception) as caught:
        await deliver(telegram_sender(79, 79), ["通知"])
    assert not isinstance(caught.value, PermanentDeliveryError)


def test_build_bot_checks_the_token_and_uses_the_base_url():
    with pytest.raises(ConfigurationError):
        build_bot(make_settings("http://127.0.0.1:1", TELEGRAM_BOT_TOKEN="nope"))
    bot = build_bot(make_settings("http://127.0.0.1:1", TELEGRAM_API_BASE_URL="http://127.0.0.1:8081/bot"))
    assert bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"
