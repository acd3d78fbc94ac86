from __future__ import annotations

import pytest

from bot.frontends.core import ConversationCore
from bot.frontends.rasa_client import RasaClient
from bot.frontends.telegram_app import build_application
from bot.staff_access import TelegramStaffUsers
from tests.auxil.rasa import FakeRasa
from tests.auxil.telegram import FAST_RETRY, FakeBotApi, RecordingRequest, make_settings


class PendingRecorder:
    def __init__(self) -> None:
        self.stored: list[tuple[str, str, str]] = []
        self.fail_with: Exception | None = None

    def __call__(self, sender_id: str, channel: str, text: str) -> int:
        if self.fail_with is not None:
            raise self.fail_with
        self.stored.append((sender_id, channel, text))
        return len(self.stored)


@pytest.fixture
async def fake_rasa():
    server = FakeRasa()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def pending():
    return PendingRecorder()


@pytest.fixture
def contact():
    return lambda: "如需帮助，请致电测试电话 0916-0000000。"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


class StaffTable:
    """What ``bot.staff_access`` answers about Telegram users, for the command menus; tests change ``users``."""

    def __init__(self) -> None:
        self.users = TelegramStaffUsers(staff=frozenset({424242}), former=frozenset({515151}))

    def __call__(self) -> TelegramStaffUsers:
        return self.users


@pytest.fixture
def staff_users():
    return StaffTable()


@pytest.fixture
async def tg(fake_rasa, pending, contact, clock, staff_users):
    """A real Application with the fake Bot API transport, the real Rasa client and a fake Rasa."""
    api = FakeBotApi()
    settings = make_settings(fake_rasa.url, FLOOD_LIMIT_PER_MINUTE="5", STAFF_TELEGRAM_IDS="424242")
    rasa = RasaClient.from_settings(settings)
    core = ConversationCore(rasa=rasa, contact=contact, pending_store=pending)
    app = build_application(
        settings, core=core, request=RecordingRequest(api), get_updates_request=RecordingRequest(api),
        clock=clock, retry=FAST_RETRY, staff_users=staff_users,
    )
    await app.initialize()
    await app.post_init(app)
    yield app, api
    await app.post_stop(app)  # unregisters the Telegram channel (bot.channels) registered at start-up
    await app.shutdown()
    await rasa.aclose()
