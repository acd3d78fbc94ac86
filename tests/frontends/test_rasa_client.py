"""The Rasa REST client against fake Rasa HTTP servers: secret, failover, stable routing, errors."""

from __future__ import annotations

import socket

import pytest

from bot.errors import RasaUnavailable
from bot.frontends.rasa_client import RasaClient
from bot.settings import Settings
from tests.auxil.rasa import FakeRasa


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_posts_sender_message_metadata_and_secret():
    rasa = FakeRasa(secret="s3cret")
    await rasa.start()
    try:
        async with RasaClient([rasa.url], secret="s3cret", timeout=2) as client:
            replies = await client.send("tg-1-1", "你好", {"channel": "telegram"})
        assert replies == [{"recipient_id": "tg-1-1", "text": "收到（tg-1-1）：你好"}]
        assert rasa.requests == [{"sender": "tg-1-1", "message": "你好", "metadata": {"channel": "telegram"}}]
        assert rasa.headers[0]["x-assistant-secret"] == "s3cret"
    finally:
        await rasa.stop()


async def test_wrong_secret_is_reported_as_unavailable():
    rasa = FakeRasa(secret="right")
    await rasa.start()
    try:
        async with RasaClient([rasa.url], secret="wrong", timeout=2) as client:
            with pytest.raises(RasaUnavailable, match="403"):
                await client.send("tg-1-1", "你好")
    finally:
        await rasa.stop()


async def test_routing_is_stable_and_spreads_senders():
    client = RasaClient(["http://a", "http://b", "http://c"], timeout=1)
    first = {f"tg-{i}-{i}": client.urls_for(f"tg-{i}-{i}")[0] for i in range(60)}
    again = {s: client.urls_for(s)[0] for s in first}
    assert first == again
    assert set(first.values()) == {"http://a", "http://b", "http://c"}
    # every URL appears once in each order
    assert sorted(client.urls_for("term-x")) == ["http://a", "http://b", "http://c"]


async def test_fails_over_when_a_process_is_down_and_remembers_it():
    rasa = FakeRasa()
    await rasa.start()
    down = closed_port_url()
    try:
        async with RasaClient([down, rasa.url], timeout=2) as client:
            # find a sender whose first choice is the dead process
            sender = next(s for s in (f"tg-{i}-{i}" for i in range(100)) if client.urls_for(s)[0] == down)
            replies = await client.send(sender, "你好")
            assert replies[0]["text"] == f"收到（{sender}）：你好"
            # the dead process is now tried last for everybody
            assert client.urls_for(sender)[0] == rasa.url
    finally:
        await rasa.stop()


async def test_all_down_raises():
    async with RasaClient([closed_port_url(), closed_port_url()], timeout=2) as client:
        with pytest.raises(RasaUnavailable, match="no Rasa process"):
            await client.send("tg-1-1", "你好")


async def test_server_error_and_timeout_raise_without_failover():
    a, b = FakeRasa(), FakeRasa()
    await a.start()
    await b.start()
    try:
        a.mode = b.mode = "error"
        async with RasaClient([a.url, b.url], timeout=2) as client:
            with pytest.raises(RasaUnavailable, match="500"):
                await client.send("tg-1-1", "你好")
        assert len(a.requests) + len(b.requests) == 1  # a 500 may have run actions: not sent twice
        a.mode = b.mode = "slow"
        async with RasaClient([a.url, b.url], timeout=0.3) as client:
            with pytest.raises(RasaUnavailable):
                await client.send("tg-1-1", "你好")
        assert len(a.requests) + len(b.requests) == 2  # a timed-out message is not re-sent elsewhere
    finally:
        await a.stop()
        await b.stop()


async def test_unexpected_body_raises():
    rasa = FakeRasa(responder=lambda m, s: {"not": "a list"})
    await rasa.start()
    try:
        async with RasaClient([rasa.url], timeout=2) as client:
            with pytest.raises(RasaUnavailable, match="unexpected"):
                await client.send("tg-1-1", "你好")
    finally:
        await rasa.stop()


def test_from_settings_reads_the_url_list():
    settings = Settings.from_env({"RASA_URL": "http://127.0.0.1:5005, http://127.0.0.1:5006/", "RASA_CHANNEL_SECRET": "x"})
    client = RasaClient.from_settings(settings)
    assert client.urls == ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]
    assert client.secret == "x"
