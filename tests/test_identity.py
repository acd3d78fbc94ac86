"""Sender ids and staff bindings (``bot.identity``): one module reads and writes them for every channel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.identity import (
    TELEGRAM,
    TERMINAL,
    WEB,
    SenderFormat,
    SenderIdentity,
    binding_forms,
    can_subscribe,
    channel_of,
    is_private,
    is_web_console,
    parse_binding,
    parse_sender,
    register_format,
    registered_format,
    staff_binding,
    subscription_labels,
    telegram_chat_id,
    telegram_sender,
    terminal_sender,
    web_console_sender,
    web_sender,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("sender_id", "channel", "chat", "user", "private", "binding"),
    [
        ("tg-42-42", TELEGRAM, "42", "42", True, "tg-user:42"),
        ("tg--1001234-42", TELEGRAM, "-1001234", "42", False, "tg-user:42"),  # a group chat (negative id)
        ("tg-100-42", TELEGRAM, "100", "42", False, "tg-user:42"),
        ("term-staff", TERMINAL, "staff", "staff", True, "term:staff"),
        ("term-staff-li", TERMINAL, "staff-li", "staff-li", True, "term:staff-li"),
        ("term-张_三", TERMINAL, "张_三", "张_三", True, "term:张_三"),
    ],
)
def test_parse_and_format_round_trip(sender_id, channel, chat, user, private, binding):
    identity = parse_sender(sender_id)
    assert identity == SenderIdentity(channel, chat, user)
    assert str(identity) == identity.sender_id == sender_id
    assert identity.is_private is private and is_private(sender_id) is private
    assert identity.staff_binding == staff_binding(sender_id) == binding
    assert channel_of(sender_id) == channel
    assert parse_binding(binding) == (channel, user)


@pytest.mark.parametrize("sender_id", ["", None, "tg-abc", "tg-1-2-3", "tg-1", "term-", "tg-user:5", "web-x", "x"])
def test_ids_no_channel_writes_are_nobody(sender_id):
    assert parse_sender(sender_id) is None
    assert channel_of(sender_id) is None and staff_binding(sender_id) is None and not is_private(sender_id)
    with pytest.raises(ValueError):
        SenderIdentity.parse(sender_id or "")


def test_constructors_of_the_front_ends():
    assert telegram_sender(-100123, 456).sender_id == "tg--100123-456"
    assert telegram_chat_id(telegram_sender(-100123, 456)) == -100123
    assert terminal_sender("staff").sender_id == "term-staff"
    assert terminal_sender("张 三/../x").sender_id == "term-张_三_x"
    assert terminal_sender("  ").sender_id == "term-local"
    assert len(terminal_sender("x" * 200).chat) == 64
    with pytest.raises(ValueError):
        telegram_chat_id(terminal_sender("staff"))
    with pytest.raises(ValueError):  # a one-part id names one private session
        SenderIdentity(TERMINAL, "a", "b")
    with pytest.raises(ValueError):
        SenderIdentity(TELEGRAM, "abc", "1")
    with pytest.raises(ValueError):
        SenderIdentity("carrier-pigeon", "1", "1")


@pytest.mark.parametrize("binding", ["tg-user:x", "tg-user:", "term:", "wang", "tg-42-42", "fax:12"])
def test_malformed_bindings(binding):
    assert parse_binding(binding) is None


def test_bindings_and_subscriptions_are_described_from_the_registry():
    assert binding_forms() == ["tg-user:<Telegram用户ID>", "term:<名字>", "web:s<工作人员编号>"]
    assert subscription_labels() == ["Telegram"]
    assert can_subscribe("tg-5-5") and can_subscribe("tg--100-5") and not can_subscribe("term-demo")


def test_a_new_channel_is_one_registration():
    kiosk = SenderFormat("kiosk", "kiosk", chat=r"[A-Za-z0-9]{8,64}", binding="kiosk", label="自助机", subscriptions=True)
    with registered_format(kiosk):
        identity = parse_sender("kiosk-abcdef1234")
        assert identity == SenderIdentity("kiosk", "abcdef1234", "abcdef1234") and identity.is_private
        assert identity.staff_binding == "kiosk:abcdef1234"
        assert parse_binding("kiosk:abcdef1234") == ("kiosk", "abcdef1234")
        assert can_subscribe("kiosk-abcdef1234") and subscription_labels() == ["Telegram", "自助机"]
        with pytest.raises(ValueError):  # prefixes and bindings stay unambiguous
            register_format(SenderFormat("kiosk2", "kiosk", chat=r".+"))
    assert parse_sender("kiosk-abcdef1234") is None


def test_web_page_sessions_and_console_logins():
    page = web_sender("0123456789abcdef" * 2)
    assert str(page) == "web-" + "0123456789abcdef" * 2 and page.is_private and not is_web_console(page)
    assert parse_sender(str(page)) == page and channel_of(str(page)) == WEB and not can_subscribe(str(page))
    console = web_console_sender(12)
    assert str(console) == "web-s12" and console.staff_binding == "web:s12" and is_web_console(console)
    assert parse_binding("web:s12") == (WEB, "s12")
    for bad in ("", "ABCDEF" * 6, "0123", "g" * 32, "0123456789abcdef" * 2 + "0"):
        with pytest.raises(ValueError):
            web_sender(bad)
    for other in ("web-s0", "web-s", "web-x12", "web-" + "0" * 31):
        assert parse_sender(other) is None


def test_no_other_module_reads_or_writes_sender_ids():
    """The issue's grep: ``tg-``/``term-`` literals live only in bot/identity.py (tests excepted)."""
    literal = re.compile(r"tg-|term-")
    offenders = []
    for folder in ("bot", "actions", "rasa_addons", "scripts"):
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path == ROOT / "bot" / "identity.py":
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            offenders += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(text.splitlines(), 1)
                          if literal.search(line)]  # fmt: skip
    assert offenders == []
