"""The domain digest protocol (``bot.domain_digest``) and its action-server side (``bot.action_server``): a call
that carries the digest of a domain the server holds runs exactly as one with the full domain; an unknown digest
gets the 409 answer Rasa resends on; the digest is the same whatever the key order or JSON escapes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import yaml
from rasa_sdk import endpoint
from rasa_sdk.forms import FormValidationAction
from sanic import Sanic

from bot.action_server import create_app
from bot.domain_digest import (
    DIGEST_KEY,
    UNKNOWN_DIGEST_STATUS,
    DomainCache,
    canonical_json,
    digest_in,
    digest_of,
    is_unknown_digest_answer,
    marker,
    unknown_digest_body,
)
from bot.settings import PROJECT_ROOT

DOMAIN = {"version": "3.1", "slots": {"town": {"type": "text"}}, "responses": {"utter_greet": [{"text": "您好"}]}}


# -- the protocol ------------------------------------------------------------------------------------------------
def test_the_digest_is_the_sha256_of_the_canonical_json():
    text = canonical_json(DOMAIN)
    assert "您好".encode() in text and b" " not in text  # no ASCII escapes, no spaces
    assert text.index(b'"responses"') < text.index(b'"slots"') < text.index(b'"version"')  # sorted keys
    assert digest_of(DOMAIN) == hashlib.sha256(text).hexdigest()


def test_the_digest_does_not_depend_on_key_order_or_the_senders_json_escapes():
    """Rasa's aiohttp sends ASCII-escaped JSON in its own key order; the action server hashes what it parsed."""
    reordered = {"responses": DOMAIN["responses"], "version": "3.1", "slots": {"town": {"type": "text"}}}
    as_sent = json.dumps(reordered)  # ensure_ascii=True, like aiohttp
    assert "\\u60a8" in as_sent
    assert digest_of(json.loads(as_sent)) == digest_of(DOMAIN)
    assert digest_of({**DOMAIN, "version": "3.2"}) != digest_of(DOMAIN)


def test_a_marker_is_told_from_a_full_domain():
    digest = digest_of(DOMAIN)
    assert marker(digest) == {DIGEST_KEY: digest} and digest_in(marker(digest)) == digest
    for not_a_marker in (DOMAIN, {}, None, {DIGEST_KEY: 7}, {DIGEST_KEY: digest, "slots": {}}, [digest]):
        assert digest_in(not_a_marker) is None


def test_only_the_unknown_digest_answer_is_recognised():
    body = json.dumps(unknown_digest_body("ab" * 32)).encode()
    assert is_unknown_digest_answer(UNKNOWN_DIGEST_STATUS, body)
    assert is_unknown_digest_answer(409, body.decode())
    assert not is_unknown_digest_answer(400, body)
    assert not is_unknown_digest_answer(409, b'{"error": "conflict"}')
    assert not is_unknown_digest_answer(409, b"not json")
    assert not is_unknown_digest_answer(409, b"[]")
    assert not is_unknown_digest_answer(409, None)


def test_the_cache_keeps_the_most_recently_used_domains():
    cache = DomainCache(size=2)
    first, second, third = ({**DOMAIN, "version": v} for v in ("1", "2", "3"))
    d1, d2 = cache.put(first), cache.put(second)
    assert d1 == digest_of(first) and cache.get(d1) is first  # the stored object itself; d1 is now the newest
    d3 = cache.put(third)
    assert len(cache) == 2 and d1 in cache and d3 in cache and d2 not in cache and cache.get(d2) is None
    assert cache.put(third) == d3 and len(cache) == 2
    with pytest.raises(ValueError):
        DomainCache(size=0)


# -- the real action server --------------------------------------------------------------------------------------
def project_domain() -> dict:
    """The project's domain files merged (the parts rasa_sdk reads: forms, slots, responses)."""
    merged: dict = {}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged


def status_call(domain: object) -> dict:
    """A call of the status form's validator: the case number typed while it is asked for (no database needed:
    the sender id is not a channel's, so neither staff nor a group chat)."""
    return {
        "next_action": "validate_status_lookup_form",
        "sender_id": "digest-e2e",
        "version": "3.6.2",
        "domain": domain,
        "tracker": {
            "sender_id": "digest-e2e",
            "slots": {"requested_slot": "case_no"},
            "latest_message": {"text": "LY2024DB00123", "intent": {"name": "inform"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "status_lookup_form"},
            "latest_action_name": "action_listen",
        },
    }


CASE_NO_SET = [{"event": "slot", "timestamp": None, "name": "case_no", "value": "LY2024DB00123"}]


@pytest.fixture()
def sanic_test_mode(monkeypatch):
    """Several apps in one process: rasa_sdk names every app "rasa_sdk", and Sanic rewrites its protocol's methods
    at each start (test mode keeps the originals)."""
    monkeypatch.setattr(Sanic, "_app_registry", {})
    monkeypatch.setattr(Sanic, "test_mode", True)


@contextlib.asynccontextmanager
async def serving(app: Sanic) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` on a real socket of the loopback, and a client for it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.start_serving()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=30) as client:
            yield client
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture()
async def action_server(sanic_test_mode):
    cache = DomainCache()
    async with serving(create_app(cache)) as client:
        yield client, cache


async def test_a_form_validator_called_with_a_digest_receives_the_full_domain(action_server, monkeypatch):
    client, cache = action_server
    domain = project_domain()
    digest = digest_of(domain)
    received: list[dict] = []
    own_domain_slots = FormValidationAction.domain_slots

    def domain_slots(self, domain):
        received.append(domain)
        return own_domain_slots(self, domain)

    monkeypatch.setattr(FormValidationAction, "domain_slots", domain_slots)

    # the server does not know the digest yet: the unknown-digest answer, and no action ran
    answer = await client.post("/webhook", json=status_call(marker(digest)))
    assert answer.status_code == UNKNOWN_DIGEST_STATUS
    assert is_unknown_digest_answer(answer.status_code, answer.content) and answer.json()[DIGEST_KEY] == digest
    assert received == []

    # the full domain, sent as aiohttp sends it (ASCII escapes): the validator fills the slot; the domain is kept
    full = await client.post("/webhook", content=json.dumps(status_call(domain)),
                             headers={"Content-Type": "application/json"})
    assert full.status_code == 200 and full.json()["events"] == CASE_NO_SET
    assert digest in cache and cache.get(digest) == domain

    # the digest: the validator receives the cached full domain (request.json was expanded in place)
    received.clear()
    short = await client.post("/webhook", json=status_call(marker(digest)))
    assert short.status_code == 200 and short.json() == full.json()
    assert received and all(d is cache.get(digest) for d in received)
    assert digest_of(cache.get(digest)) == digest  # the actions did not change the shared domain

    # control: without the domain the validator does not fill the slot (what an unexpanded marker would give)
    bare = await client.post("/webhook", json=status_call({}))
    assert bare.status_code == 200 and bare.json()["events"] == []


async def test_deflate_bodies_and_other_requests_get_rasa_sdks_own_answers(action_server):
    client, cache = action_server
    domain = project_domain()
    body = zlib.compress(json.dumps(status_call(domain)).encode())
    answer = await client.post("/webhook", content=body, headers={"Content-Encoding": "deflate"})
    assert answer.status_code == 200 and answer.json()["events"] == CASE_NO_SET
    assert len(cache) == 0  # the compressed path is rasa_sdk's own: nothing stored
    odd = [b"{not json", b"[1, 2]", b"", json.dumps({"next_action": "no_such_action", "version": "3.6.2"}).encode()]
    async with serving(endpoint.create_app("actions", cors_origins=None)) as plain:
        for content in odd:
            ours, theirs = await client.post("/webhook", content=content), await plain.post("/webhook", content=content)
            assert ours.status_code == theirs.status_code, content
        assert (await client.get("/health")).json() == (await plain.get("/health")).json()
        assert (await client.get("/actions")).json() == (await plain.get("/actions")).json()
