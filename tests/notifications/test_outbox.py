"""The outbox and its delivery worker: Telegram failing then recovering (no loss, no duplicates), restart after
a crash, concurrent workers, permanent failures, backoff, and rows of channels this process cannot deliver."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot import channels
from bot.channels import PermanentDeliveryError
from bot.db.base import utcnow
from bot.db.models import OutboxMessage
from bot.db.session import session_scope
from bot.frontends.telegram_delivery import telegram_deliverer
from bot.identity import TELEGRAM, TERMINAL
from bot.notifications import outbox
from bot.notifications.worker import deliver_once, run_forever
from tests.auxil.telegram import FakeBotApi, fake_bot


@pytest.fixture
async def telegram():
    """The Telegram channel registered with a bot on the fake Bot API, as a Telegram process does at start-up."""
    fake = FakeBotApi()
    bot = fake_bot(fake)
    await bot.initialize()
    with channels.registered(TELEGRAM, telegram_deliverer(bot, retry={"attempts": 1})):
        yield fake
    await bot.shutdown()


def enqueue_many(n: int, recipient_base: int = 9000) -> list[int]:
    with session_scope() as s:
        rows = [
            outbox.enqueue(s, f"tg-{recipient_base + i}-{recipient_base + i}", f"消息{i}", kind="status")
            for i in range(n)
        ]
        s.flush()
        return [r.id for r in rows]


def rows() -> list[OutboxMessage]:
    with session_scope() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def make_due() -> None:
    """Time passes: every backoff is over."""
    with session_scope() as s:
        s.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


async def test_telegram_down_then_up_loses_nothing_and_sends_once(db, telegram):
    fake = telegram
    enqueue_many(3)
    fake.down = True
    first = await deliver_once()
    assert (first.sent, first.retried, first.failed) == (0, 3, 0)
    assert all(r.status == "pending" and r.attempts == 1 and r.sent_at is None for r in rows())
    assert all(r.next_attempt_at > utcnow() for r in rows())  # backoff
    # nothing is due during the backoff
    assert (await deliver_once()).claimed == 0
    fake.down = False
    make_due()
    second = await deliver_once()
    assert second.sent == 3
    assert all(r.status == "sent" and r.sent_at is not None and r.claim_token is None for r in rows())
    assert Counter(text for _chat, text in fake.sent) == {"消息0": 1, "消息1": 1, "消息2": 1}
    make_due()
    assert (await deliver_once()).claimed == 0  # sent rows are never sent again
    assert len(fake.sent) == 3


async def test_restart_after_a_crash_loses_nothing(db, telegram):
    fake = telegram
    enqueue_many(2)
    with session_scope() as s:  # a worker claims, then dies before sending
        assert len(outbox.claim(s)) == 2
    assert (await deliver_once()).claimed == 0  # the dead worker's lease still holds
    with session_scope() as s:  # the lease runs out
        s.execute(update(OutboxMessage).values(claimed_at=utcnow() - outbox.LEASE - timedelta(seconds=1)))
    assert (await deliver_once()).sent == 2
    assert sorted(t for _c, t in fake.sent) == ["消息0", "消息1"]


def test_concurrent_claims_never_overlap(db):
    ids = set(enqueue_many(40))
    results: list[list[int]] = []
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            with session_scope() as s:
                results.append([c.id for c in outbox.claim(s, limit=15)])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    claimed = [i for r in results for i in r]
    assert len(claimed) == len(set(claimed))  # no row held by two workers
    assert set(claimed) == ids  # 4 x 15 >= 40: everything due was claimed


async def test_blocked_user_is_not_retried(db, telegram):
    fake = telegram
    enqueue_many(2)
    fake.blocked.add(9000)
    result = await deliver_once()
    assert (result.sent, result.failed) == (1, 1)
    failed = [r for r in rows() if r.status == "failed"]
    assert len(failed) == 1 and "Forbidden" in failed[0].last_error
    make_due()
    assert (await deliver_once()).claimed == 0


async def test_gives_up_after_max_attempts(db):
    enqueue_many(1)

    async def always_down(identity, messages):
        raise ConnectionError("down")

    with channels.registered(TELEGRAM, always_down):
        for _ in range(outbox.MAX_ATTEMPTS):
            make_due()
            await deliver_once()
    (row,) = rows()
    assert row.status == "failed" and row.attempts == outbox.MAX_ATTEMPTS


async def test_rows_of_channels_not_registered_here_wait_for_their_process(db, telegram):
    fake = telegram
    with session_scope() as s:
        outbox.enqueue(s, "term-demo", "你好", kind="relay")
        outbox.enqueue(s, "tg-9000-9000", "通知", kind="status")
    assert (await deliver_once()).sent == 1  # the Telegram process leaves the terminal row alone
    assert fake.sent == [(9000, "通知")]
    (waiting,) = [r for r in rows() if r.recipient == "term-demo"]
    assert waiting.status == "pending" and waiting.attempts == 0 and waiting.claim_token is None

    seen = []

    async def terminal(identity, messages):
        seen.append((identity.sender_id, list(messages)))

    with channels.registered(TERMINAL, terminal):  # the terminal chat's process
        assert (await deliver_once()).sent == 1
    assert seen == [("term-demo", ["你好"])]


async def test_nothing_is_claimed_without_a_registered_channel(db):
    enqueue_many(2)
    assert (await deliver_once()).claimed == 0
    assert all(r.status == "pending" and r.attempts == 0 for r in rows())


async def test_a_recipient_no_channel_can_parse_is_given_up(db, telegram):
    with session_scope() as s:
        outbox.enqueue(s, "tg-not-a-chat", "你好", kind="relay")
    assert (await deliver_once()).failed == 1
    (row,) = rows()
    assert row.status == "failed" and PermanentDeliveryError.__name__ in row.last_error


def test_backoff_grows_and_is_capped():
    assert outbox.backoff(1) == timedelta(seconds=30)
    assert outbox.backoff(2) == timedelta(seconds=60)
    assert outbox.backoff(3) == timedelta(seconds=120)
    assert outbox.backoff(40) == outbox.MAX_DELAY


def test_dedup_key_enqueues_once(db):
    with session_scope() as s:
        assert outbox.enqueue(s, "tg-1-1", "a", kind="status", dedup_key="k1") is not None
        assert outbox.enqueue(s, "tg-1-1", "a", kind="status", dedup_key="k1") is None
    assert len(rows()) == 1


async def test_run_forever_delivers_until_stopped(db):
    enqueue_many(3)
    stop = asyncio.Event()
    seen: list[str] = []

    async def send(identity, messages):
        seen.extend(messages)
        if len(seen) == 3:
            stop.set()

    with channels.registered(TELEGRAM, send):
        await asyncio.wait_for(run_forever(interval=0.01, stop=stop), 10)
    assert sorted(seen) == ["消息0", "消息1", "消息2"]
    assert all(r.status == "sent" for r in rows())
