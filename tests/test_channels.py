"""The channel registry for outgoing delivery (``bot.channels``): nothing registered at import, a deliverer per
channel registered by its front end, ``deliver`` routes by the sender's channel."""

from __future__ import annotations

import pytest

from bot import channels
from bot.channels import ChannelNotRegistered, PermanentDeliveryError
from bot.identity import TELEGRAM, TERMINAL


def recorder(log: list, name: str):
    async def deliver(identity, messages):
        log.append((name, identity.sender_id, list(messages)))

    return deliver


def test_nothing_is_registered_by_importing():
    assert channels.registered_channels() == frozenset()


async def test_deliver_routes_by_the_senders_channel():
    log: list = []
    with channels.registered(TELEGRAM, recorder(log, "tg")), channels.registered(TERMINAL, recorder(log, "term")):
        assert channels.registered_channels() == {TELEGRAM, TERMINAL}
        await channels.deliver("tg--100-5", ["群里"])
        await channels.deliver("term-staff", ["终端"])
    assert log == [("tg", "tg--100-5", ["群里"]), ("term", "term-staff", ["终端"])]
    assert channels.registered_channels() == frozenset()


async def test_unknown_senders_are_permanent_and_missing_channels_are_not():
    with pytest.raises(PermanentDeliveryError):
        await channels.deliver("carrier-pigeon-1", ["?"])
    with pytest.raises(ChannelNotRegistered) as caught:  # e.g. at shutdown: retried later, not given up
        await channels.deliver("tg-5-5", ["?"])
    assert not isinstance(caught.value, PermanentDeliveryError)


async def test_a_nested_registration_gives_the_previous_deliverer_back():
    log: list = []
    first, second = recorder(log, "first"), recorder(log, "second")
    with channels.registered(TELEGRAM, first):
        with channels.registered(TELEGRAM, second):
            await channels.deliver("tg-1-1", ["a"])
        await channels.deliver("tg-1-1", ["b"])
        channels.unregister(TELEGRAM, second)  # not the registered one: no effect
        assert TELEGRAM in channels.registered_channels()
    assert [name for name, _, _ in log] == ["second", "first"]


def test_only_channels_with_a_sender_format_can_register():
    with pytest.raises(ValueError):
        channels.register("carrier-pigeon", recorder([], "x"))
