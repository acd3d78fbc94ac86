"""Rasa side of the domain digest protocol (``rasa_addons.speedups.install_domain_digest``): the first call to an
action server carries the full domain, later ones its digest; an unknown-digest answer resends the call once with
the full domain; every other answer is Rasa's as before. Last, against the real action server (a process of the
app's virtualenv): a form validator called with the digest answers as with the full domain."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot.domain_digest import (
    UNKNOWN_DIGEST_STATUS,
    DomainCache,
    digest_in,
    digest_of,
    unknown_digest_body,
)
from bot.settings import PROJECT_ROOT
from rasa_addons import speedups
from rasa_addons.channels import SecureRestInput
from rasa_addons.speedups import domain_digest, install_domain_digest
from tests.auxil.aiohttp_server import local_webhook

DOMAIN_DICT = {
    "version": "3.1",
    "intents": ["greet", "inform"],
    "slots": {"town": {"type": "text", "mappings": [{"type": "from_text"}]}},
    "responses": {"utter_greet": [{"text": "您好，我是略阳县社会救助助手。"}]},
    "actions": ["action_x"],
}
OK = {"events": [{"event": "slot", "name": "town", "value": "接官亭镇"}], "responses": []}


@pytest.fixture(autouse=True)
def fresh_memory(monkeypatch):
    """Which URL has which domain is process-wide: every test starts with none delivered."""
    install_domain_digest()
    monkeypatch.setattr(speedups, "_DELIVERED", {})
    monkeypatch.delenv("COMPRESS_ACTION_SERVER_REQUEST", raising=False)


class ActionServer:
    """An aiohttp action server that records each call's domain ("full" or the digest) and answers through
    ``answer(call, domain cache)``; by default it follows the protocol (409 for a digest it does not hold)."""

    def __init__(self, answer: Callable[[dict, DomainCache], web.Response] | None = None) -> None:
        self.answer = answer or self.follow_protocol
        self.cache = DomainCache()
        self.seen: list[str] = []
        self._served: Any = None
        self.url = ""

    @staticmethod
    def follow_protocol(call: dict, cache: DomainCache) -> web.Response:
        digest = digest_in(call.get("domain"))
        if digest is not None and cache.get(digest) is None:
            return web.json_response(unknown_digest_body(digest), status=UNKNOWN_DIGEST_STATUS)
        return web.json_response(OK)

    async def webhook(self, request: web.Request) -> web.Response:
        call = await request.json()
        digest = digest_in(call.get("domain"))
        self.seen.append(digest if digest is not None else "full")
        answer = self.answer(call, self.cache)
        if digest is None and answer.status == 200:
            self.cache.put(call["domain"])
        return answer

    async def __aenter__(self) -> ActionServer:
        self._served = local_webhook(self.webhook)
        self.url = await self._served.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._served.__aexit__(*exc)


def tracker(domain: Domain, events: list | None = None) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("digest-test", events or [UserUttered("hi")], slots=domain.slots)


async def call(action: RemoteAction, domain: Domain, events: list | None = None) -> list:
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return await action.run(CollectingOutputChannel(), nlg, tracker(domain, events), domain)


def test_the_first_call_carries_the_domain_and_later_calls_its_digest():
    domain = Domain.from_dict(DOMAIN_DICT)

    async def run() -> tuple[list[str], list[list], DomainCache]:
        async with ActionServer() as server:
            action = RemoteAction("action_x", EndpointConfig(server.url))
            results = [await call(action, domain) for _ in range(3)]
        return server.seen, results, server.cache

    seen, results, cache = asyncio.run(run())
    assert seen == ["full", domain_digest(domain), domain_digest(domain)]
    # the digest Rasa sends is the one the action server computed (DomainCache.put) from the domain it parsed
    assert len(cache) == 1 and domain_digest(domain) in cache
    assert all(r == [SlotSet("town", "接官亭镇")] for r in results)


def test_an_unknown_digest_is_answered_by_one_resend_with_the_full_domain():
    """The action server restarted: the call that carried the digest is sent again with the domain, and its
    result is the action's; later calls carry the digest again."""
    domain = Domain.from_dict(DOMAIN_DICT)

    async def run() -> tuple[list[str], list]:
        async with ActionServer() as server:
            action = RemoteAction("action_x", EndpointConfig(server.url))
            await call(action, domain)
            server.cache = DomainCache()  # the restart
            result = await call(action, domain)
            await call(action, domain)
        return server.seen, result

    seen, result = asyncio.run(run())
    digest = domain_digest(domain)
    assert seen == ["full", digest, "full", digest]
    assert result == [SlotSet("town", "接官亭镇")]


def test_a_rejection_is_rasas_action_execution_rejection_and_other_errors_are_not_resent():
    domain = Domain.from_dict(DOMAIN_DICT)
    answers = {
        "reject": lambda c, _: web.json_response({"action_name": "action_x", "error": "no"}, status=400),
        "conflict": lambda c, _: web.json_response({"error": "something else"}, status=409),
        "broken": lambda c, _: web.json_response({"error": "boom"}, status=500),
    }

    async def run(name: str, delivered_first: bool) -> tuple[type[Exception], list[str]]:
        async with ActionServer() as server:
            action = RemoteAction("action_x", EndpointConfig(server.url))
            if delivered_first:
                await call(action, domain)
            server.answer = answers[name]
            with pytest.raises(RasaException) as raised:
                await call(action, domain)
        return type(raised.value), server.seen

    digest = domain_digest(domain)
    for delivered_first, expected_seen in ((False, ["full"]), (True, ["full", digest])):
        kind, seen = asyncio.run(run("reject", delivered_first))
        assert kind is ActionExecutionRejection and seen == expected_seen
        for name in ("conflict", "broken"):
            kind, seen = asyncio.run(run(name, delivered_first))
            assert kind is RasaException and seen == expected_seen, name


def test_compressed_calls_always_carry_the_full_domain(monkeypatch):
    """rasa_sdk reads deflate bodies on its own path, which does not expand digests."""
    domain = Domain.from_dict(DOMAIN_DICT)
    domains: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        assert request.headers.get("Content-Encoding") == "deflate"
        domains.append((await request.json())["domain"])  # aiohttp's server inflates the body
        return web.json_response(OK)

    async def run() -> None:
        async with local_webhook(webhook) as url:
            action = RemoteAction("action_x", EndpointConfig(url))
            for _ in range(2):
                await call(action, domain)

    monkeypatch.setenv("COMPRESS_ACTION_SERVER_REQUEST", "true")
    asyncio.run(run())
    assert len(domains) == 2 and all(digest_in(d) is None and d["version"] == "3.1" for d in domains)


def test_the_digest_is_computed_once_per_domain_object(monkeypatch):
    computed = []
    monkeypatch.setattr(speedups, "digest_of", lambda d: computed.append(1) or digest_of(d))
    first, second = Domain.from_dict(DOMAIN_DICT), Domain.from_dict(DOMAIN_DICT)
    assert domain_digest(first) == domain_digest(first) == domain_digest(second)
    assert len(computed) == 2  # once for each object
    alive = weakref.ref(second)
    del second
    gc.collect()
    assert alive() is None  # nothing process-wide keeps a Domain alive: its digest goes with it


def test_installed_by_the_channel_and_idempotent():
    SecureRestInput.from_credentials({"secret": "a-test-secret-of-at-least-32-characters"})
    assert getattr(RemoteAction, "_lueyang_domain_digest", False)
    assert install_domain_digest() is False


# -- against the real action server ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def real_action_server(tmp_path):
    """``python -m bot.action_server`` of the app's virtualenv on a spare port (the embedded profile, its own var
    directory)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUEYANG_", "DATABASE_URL", "TRACKER_STORE_URL"))}
    env.update(LUEYANG_VAR_DIR=str(tmp_path), SANIC_HOST="127.0.0.1", ACTION_SERVER_SANIC_WORKERS="1")
    python = PROJECT_ROOT / ".venvs" / "app" / "bin" / "python"
    log = (tmp_path / "actions.log").open("wb")
    proc = subprocess.Popen([str(python), "-m", "bot.action_server", "--port", str(port)], cwd=PROJECT_ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the action server did not start: " + (tmp_path / "actions.log").read_text())
                time.sleep(0.2)  # waiting for the process to listen, not timing anything
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def test_a_form_validator_of_the_real_action_server_gets_the_full_domain_from_its_digest(real_action_server,
                                                                                      monkeypatch):
    """The project's domain as Rasa loads it: the first call carries it, the second only the digest (no resend:
    both sides compute the same digest, across aiohttp's ASCII-escaped JSON and Sanic's parser), and the status
    form's validator fills the case number both times (without the domain it would not: it finds the form's
    slots there)."""
    domain = Domain.load(str(PROJECT_ROOT / "domain"))
    events = [
        ActiveLoop("status_lookup_form"),
        SlotSet("requested_slot", "case_no"),
        UserUttered("LY2024DB00123", intent={"name": "inform", "confidence": 1.0}),
    ]
    sent: list[str] = []
    own_request = aiohttp.ClientSession.request

    def request(self: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> Any:
        body = kwargs.get("json") or {}
        sent.append(digest_in(body.get("domain")) or ("full" if isinstance(body.get("domain"), dict) else "none"))
        return own_request(self, method, url, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "request", request)

    async def run() -> list[list]:
        action = RemoteAction("validate_status_lookup_form", EndpointConfig(real_action_server))
        return [await call(action, domain, events) for _ in range(2)]

    first, second = asyncio.run(run())
    assert sent == ["full", domain_digest(domain)]
    assert SlotSet("case_no", "LY2024DB00123") in first
    assert second == first
