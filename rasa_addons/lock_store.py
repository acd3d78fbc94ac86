"""Conversation lock on Redis with one round trip to take it and one to give it back (issue 21).

Rasa takes a lock per conversation around every message, so that two messages of the same person are never
processed at once, even by two Rasa processes. Its ``RedisLockStore`` keeps the lock as a JSON document and reads
or writes the whole document six times a message (issue a ticket: read + write; check it: read; finish: read +
write, read again, delete), parsing it each time. The read-modify-write is not atomic: two processes issuing a
ticket at the same moment can both get the same number. A second message of the same conversation waits by
sleeping a whole second between checks.

``TicketRedisLockStore`` keeps Rasa's ticket-lock semantics (tickets served in the order they were issued, each
ticket expires after the lock lifetime, so a crashed holder does not block the conversation for ever) with each
step one Lua script, atomic in Redis:

- the conversation's lock is one hash: field ``next`` (the last ticket number issued) and one field per live ticket
  (its number) holding its expiry in milliseconds on Redis's clock (``TIME``, so the hosts' clocks do not matter);
  the hash expires with its last ticket;
- ``take`` drops expired tickets, issues a ticket (or checks one already issued) and answers whether it is the
  oldest live ticket: an uncontended message takes the lock in one round trip;
- ``give back`` deletes the ticket, and the hash once no ticket is left;
- a waiting message checks again every ``POLL_SECONDS`` (at most the caller's wait time), and fails with Rasa's
  ``LockError`` when its own ticket expired while it waited, as Rasa's store does.

Use it in endpoints.yml as ``lock_store: {type: rasa_addons.lock_store.TicketRedisLockStore, url: ..., port: ...,
db: ..., key_prefix: ...}``, with the keys of Rasa's ``redis`` lock store (``bot.runner`` writes it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02  # a waiting message checks this often (Rasa's store: every second)
_KEY_PART = "ticketlock:"  # keys of their own: never mistaken for Rasa's JSON locks

# KEYS[1]: the conversation's lock hash. ARGV[1]: lifetime in ms. ARGV[2]: the ticket to check, or 0 to issue one.
# Returns {ticket, 1 if it is the oldest live ticket, 0 if not, -1 if it expired}.
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local fields = redis.call('HGETALL', KEYS[1])
local oldest = nil
for i = 1, #fields, 2 do
  if fields[i] ~= 'next' then
    if tonumber(fields[i + 1]) <= now then
      redis.call('HDEL', KEYS[1], fields[i])
    else
      local number = tonumber(fields[i])
      if oldest == nil or number < oldest then oldest = number end
    end
  end
end
local ticket = tonumber(ARGV[2])
local lifetime = tonumber(ARGV[1])
if ticket == 0 then
  ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
  redis.call('HSET', KEYS[1], tostring(ticket), now + lifetime)
  if oldest == nil then oldest = ticket end
  if redis.call('PTTL', KEYS[1]) < lifetime then redis.call('PEXPIRE', KEYS[1], lifetime) end
elseif redis.call('HEXISTS', KEYS[1], tostring(ticket)) == 0 then
  return {ticket, -1}
end
if oldest == ticket then return {ticket, 1} end
return {ticket, 0}
"""

# KEYS[1]: the conversation's lock hash. ARGV[1]: the ticket. Deletes the hash when no ticket is left.
_GIVE_BACK = """
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) <= 1 then redis.call('DEL', KEYS[1]) end
return 1
"""


class TicketRedisLockStore(RedisLockStore):
    """Rasa's Redis ticket lock, one atomic script per step (module docstring). Rasa calls only ``lock``; the
    other ``LockStore`` methods work on the same hash (``get_lock`` reads it as a ``TicketLock``)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # created by Rasa from endpoints.yml
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        kwargs.pop("type", None)
        super().__init__(**kwargs)
        self._take = self.red.register_script(_TAKE)
        self._give_back = self.red.register_script(_GIVE_BACK)

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + _KEY_PART + conversation_id

    def _call_take(self, conversation_id: str, lifetime: float, ticket: int) -> tuple[int, int]:
        lifetime_ms = max(1, int(lifetime * 1000))
        try:
            number, state = self._take(keys=[self._key(conversation_id)], args=[lifetime_ms, ticket])
        except RedisError as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        return int(number), int(state)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock (tickets in the order issued); ``LockError`` when Redis fails or this
        message's ticket expired while it waited."""
        ticket, state = self._call_take(conversation_id, lock_lifetime, 0)
        try:
            while state == 0:
                await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))
                _, state = self._call_take(conversation_id, lock_lifetime, ticket)
            if state < 0:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            yield TicketLock(conversation_id, deque([Ticket(ticket, time.time() + lock_lifetime)]))
        finally:
            self.cleanup(conversation_id, ticket)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._call_take(conversation_id, lock_lifetime, 0)[0]

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        try:
            self._give_back(keys=[self._key(conversation_id)], args=[ticket_number])
        except RedisError:  # the ticket then expires with its lifetime
            logger.exception("lock store: could not give back a ticket of conversation %s", conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        fields = self.red.hgetall(self._key(conversation_id))
        tickets = sorted(
            (int(name), int(expires) / 1000) for name, expires in fields.items() if name not in (b"next", "next")
        )
        if not tickets:
            return None
        return TicketLock(conversation_id, deque(Ticket(number, expires) for number, expires in tickets))

    def delete_lock(self, conversation_id: str) -> None:
        self._log_deletion(conversation_id, bool(self.red.delete(self._key(conversation_id))))

    def save_lock(self, lock: TicketLock) -> None:
        """Write ``lock`` as this store keeps it, replacing what was there (Rasa's generic ``LockStore`` methods;
        ``lock()`` never needs it). Expired tickets are left out; the others keep their expiry, read from this
        host's clock (Rasa's ``TicketLock``), which the scripts compare with Redis's."""
        key = self._key(lock.conversation_id)
        live = {str(t.number): int(t.expires * 1000) for t in lock.tickets if not t.has_expired()}
        with self.red.pipeline() as pipe:  # MULTI/EXEC: no one sees the lock half written
            pipe.delete(key)
            if live:
                pipe.hset(key, mapping={"next": lock.last_issued, **live})
                pipe.pexpireat(key, max(live.values()))
            pipe.execute()


__all__ = ["POLL_SECONDS", "TicketRedisLockStore"]
