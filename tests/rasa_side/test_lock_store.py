"""The conversation lock on Redis (rasa_addons/lock_store.py) against the real Redis on 127.0.0.1: messages of one
conversation one at a time and in the order they came, other conversations not held up, an expired holder does
not block, two processes (two stores) exclude each other, and a message costs two round trips."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.runner import LOCK_STORE_TYPE
from rasa_addons.lock_store import TicketRedisLockStore

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture()
def prefix() -> str:
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture()
def client():
    red = redis.Redis.from_url(REDIS_URL)
    try:
        red.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is required for this test: {exc}")
    yield red
    red.close()


def make_store(prefix: str) -> TicketRedisLockStore:
    parts = redis.connection.parse_url(REDIS_URL)
    return TicketRedisLockStore(
        endpoint_config=EndpointConfig(
            url=parts.get("host", "127.0.0.1"), type=LOCK_STORE_TYPE, port=parts.get("port", 6379),
            db=parts.get("db", 0), key_prefix=prefix,
        )
    )


def lock_keys(client: redis.Redis, prefix: str) -> list[bytes]:
    return list(client.scan_iter(f"{prefix}*"))


async def hold(store: TicketRedisLockStore, conversation: str, name: str, log: list[str], seconds: float) -> None:
    async with store.lock(conversation):
        log.append(f"{name} in")
        await asyncio.sleep(seconds)
        log.append(f"{name} out")


def test_rasa_builds_it_from_the_endpoint_config(prefix):
    store = LockStore.create(EndpointConfig(url="127.0.0.1", type=LOCK_STORE_TYPE, port=6379, db=14, key_prefix=prefix))
    assert isinstance(store, TicketRedisLockStore)
    assert store.key_prefix.startswith(prefix)


def test_messages_of_one_conversation_run_one_at_a_time_in_the_order_they_came(prefix, client):
    store = make_store(prefix)
    log: list[str] = []

    async def main() -> None:
        tasks = []
        for name in ("a", "b", "c"):
            tasks.append(asyncio.create_task(hold(store, "tg-1", name, log, 0.05)))
            await asyncio.sleep(0.005)  # issued in this order
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert log == ["a in", "a out", "b in", "b out", "c in", "c out"]
    assert lock_keys(client, prefix) == []  # nothing left once every message is done


def test_two_processes_exclude_each_other(prefix):
    first, second = make_store(prefix), make_store(prefix)
    log: list[str] = []

    async def main() -> None:
        one = asyncio.create_task(hold(first, "tg-2", "first", log, 0.05))
        await asyncio.sleep(0.005)
        await asyncio.gather(one, hold(second, "tg-2", "second", log, 0.0))

    asyncio.run(main())
    assert log == ["first in", "first out", "second in", "second out"]


def test_other_conversations_are_not_held_up(prefix):
    store = make_store(prefix)
    log: list[str] = []

    async def main() -> None:
        slow = asyncio.create_task(hold(store, "tg-3", "slow", log, 0.1))
        await asyncio.sleep(0.005)
        await hold(store, "tg-4", "other", log, 0.0)
        await slow

    asyncio.run(main())
    assert log == ["slow in", "other in", "other out", "slow out"]


def test_an_expired_holder_does_not_block_the_conversation(prefix):
    store = make_store(prefix)
    store.issue_ticket("tg-5", lock_lifetime=0.05)  # a process that took the lock and died

    async def main() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with store.lock("tg-5"):
            return loop.time() - started

    waited = asyncio.run(main())
    assert 0.0 < waited < 1.0  # it waited for the dead holder's ticket to expire, not for ever


def test_a_ticket_that_expires_while_waiting_fails_as_rasa_does(prefix):
    store = make_store(prefix)

    async def main() -> None:
        async with store.lock("tg-6"):
            with pytest.raises(LockError):
                async with store.lock("tg-6", lock_lifetime=0.05):
                    pass

    asyncio.run(main())


def test_get_lock_shows_the_live_tickets_in_order(prefix):
    store = make_store(prefix)
    assert store.get_lock("tg-7") is None
    first, second = store.issue_ticket("tg-7"), store.issue_ticket("tg-7")
    lock = store.get_lock("tg-7")
    assert [t.number for t in lock.tickets] == [first, second] and lock.now_serving == first
    assert lock.is_someone_waiting()
    store.cleanup("tg-7", first)
    assert store.get_lock("tg-7").now_serving == second
    store.cleanup("tg-7", second)
    assert store.get_lock("tg-7") is None


def test_a_lock_saved_through_rasas_generic_methods_is_the_one_lock_takes(prefix):
    store = make_store(prefix)
    held = TicketLock("tg-10")
    first = held.issue_ticket(60)
    held.issue_ticket(-1.0)  # already expired when saved: left out
    store.save_lock(held)
    assert [t.number for t in store.get_lock("tg-10").tickets] == [first]

    async def main() -> bool:
        waiting = asyncio.create_task(hold(store, "tg-10", "next", [], 0.0))
        await asyncio.sleep(0.1)
        blocked = not waiting.done()  # the saved ticket holds the conversation
        store.cleanup("tg-10", first)
        await waiting
        return blocked

    assert asyncio.run(main())
    store.save_lock(TicketLock("tg-10"))  # no ticket: no lock
    assert store.get_lock("tg-10") is None


def test_an_uncontended_message_costs_two_round_trips(prefix, monkeypatch):
    store = make_store(prefix)
    calls: list[str] = []
    execute = store.red.execute_command

    def counted(*args, **kwargs):
        calls.append(str(args[0]))
        return execute(*args, **kwargs)

    monkeypatch.setattr(store.red, "execute_command", counted)

    async def main() -> None:
        async with store.lock("tg-8"):
            pass

    asyncio.run(main())
    asyncio.run(main())
    assert len(calls) == 4, calls  # take + give back, twice (EVALSHA; SCRIPT LOAD only if Redis lost the script)


def test_redis_down_is_a_lock_error(prefix):
    store = TicketRedisLockStore(host="127.0.0.1", port=1, key_prefix=prefix)  # nothing listens on port 1

    async def main() -> None:
        async with store.lock("tg-9"):
            pass

    with pytest.raises(LockError):
        asyncio.run(main())
