"""Plain functions of the web channel: signed cookies, CSRF tokens, the signing key, console logins, transcripts,
password hashes and the server's settings check."""

from __future__ import annotations

import asyncio
import re
import stat
from pathlib import Path

import pytest

from bot.db.session import session_scope
from bot.errors import ConfigurationError, InputError
from bot.frontends.core import Button, Reply
from bot.frontends.web import app as web_app
from bot.frontends.web.accounts import MIN_PASSWORD_CHARS, authenticate, check_password_rules, hasher
from bot.frontends.web.server import check_web_settings, web_address
from bot.frontends.web.sessions import (
    SECRET_FILE,
    Signer,
    StaffLogins,
    load_secret,
    new_conversation,
    same_token,
)
from bot.frontends.web.transcript import BOT, ME, PUSHED, Transcripts, current_buttons
from bot.identity import web_console_sender, web_sender
from bot.settings import Settings
from tests.web.conftest import PASSWORD

LONG = "s" * 40


def production(**env: str) -> Settings:
    base = {
        "LUEYANG_PROFILE": "production",
        "DATABASE_URL": "postgresql://app:pw@127.0.0.1:5432/lueyang_cases",
        "RASA_CHANNEL_SECRET": "c" * 43,
        "ID_HASH_KEY": "k" * 43,
    }
    return Settings.from_env({**base, **env})


# -- cookies and tokens -----------------------------------------------------------------------------------
def test_a_chat_cookie_names_its_conversation_and_cannot_be_forged():
    signer = Signer(b"k" * 40)
    identity = new_conversation()
    cookie = signer.chat_cookie(identity.chat)
    assert signer.conversation_of(cookie) == identity
    conversation, _, signature = cookie.partition(".")
    other = new_conversation().chat
    for forged in (f"{other}.{signature}", f"{conversation}.{'0' * 40}", conversation, "", None, "x.y.z",
                   f"{conversation.upper()}.{signature}"):  # fmt: skip
        assert signer.conversation_of(forged) is None, forged
    assert Signer(b"another key" * 4).conversation_of(cookie) is None


def test_csrf_tokens_differ_per_session_and_purpose():
    signer = Signer(b"k" * 40)
    a, b = new_conversation(), new_conversation()
    assert signer.chat_csrf(a) != signer.chat_csrf(b)
    assert signer.chat_csrf(a) != signer.chat_cookie(a.chat).partition(".")[2]  # not the cookie's signature
    assert same_token(signer.chat_csrf(a), signer.chat_csrf(a))
    assert not same_token(signer.chat_csrf(a), None) and not same_token(signer.chat_csrf(a), "")
    with pytest.raises(ValueError):
        Signer(b"")


def test_page_sessions_are_random_web_senders():
    ids = {new_conversation().sender_id for _ in range(50)}
    assert len(ids) == 50 and all(i.startswith("web-") and len(i) == 36 for i in ids)
    assert web_sender(next(iter(ids))[4:]).channel == "web"


def test_the_signing_key(tmp_path):
    assert load_secret(Settings.from_env({"WEB_SECRET": LONG})) == LONG.encode()
    embedded = Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)})
    key = load_secret(embedded)
    path = tmp_path / SECRET_FILE
    assert len(key) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(embedded) == key  # kept: sessions survive a restart
    path.write_text("short")
    with pytest.raises(ConfigurationError):
        load_secret(embedded)


@pytest.mark.parametrize("secret", ["", "CHANGE-ME" + "x" * 40, "too-short"])
def test_production_refuses_a_weak_signing_key(secret):
    with pytest.raises(ConfigurationError, match="WEB_SECRET"):
        load_secret(production(WEB_SECRET=secret))


def test_console_logins_expire_and_end():
    now = [1000.0]
    logins = StaffLogins(hours=1, limit=3, clock=lambda: now[0])
    first = logins.start(7, "王经办")
    assert logins.get(first.token) is first and first.sender == web_console_sender(7)
    assert logins.get("nope") is None and logins.get(None) is None
    now[0] += 3601
    assert logins.get(first.token) is None
    a, b = logins.start(7, "王经办"), logins.start(8, "李经办")
    assert logins.end_all(7) == 1 and logins.get(a.token) is None and logins.get(b.token) is b
    for _ in range(5):
        logins.start(9, "赵热线")
    assert logins.get(b.token) is None  # bounded: the oldest went first


# -- transcripts ------------------------------------------------------------------------------------------
def test_transcripts_mask_the_residents_words_and_keep_order():
    store = Transcripts(per_session=4)
    sender = new_conversation().sender_id
    store.add(sender, ME, "身份证610524199001011234，电话13912345678")
    store.add_replies(sender, [Reply("好的", buttons=(Button("低保", "/ask_dibao"),)), Reply("", image="/x.png")])
    texts = [e.text for e in store.entries(sender)]
    assert "610524199001011234" not in texts[0] and "13912345678" not in texts[0]
    assert texts[1:] == ["好的", "/x.png"]
    assert store.button_title(sender, "/ask_dibao") == "低保" and store.button_title(sender, "/other") is None
    for n in range(5):
        store.add(sender, BOT, f"回复{n}")
    assert [e.seq for e in store.entries(sender)] == [5, 6, 7, 8] and store.last_seq(sender) == 8
    assert [e.text for e in store.after(sender, 7)] == ["回复4"]
    assert store.entries("web-" + "0" * 32) == [] and store.last_seq("web-" + "0" * 32) == 0


def test_only_the_newest_buttons_can_be_pressed():
    store = Transcripts()
    sender = new_conversation().sender_id
    store.add_replies(sender, [Reply("菜单", buttons=(Button("a", "/a"),))])
    store.add(sender, ME, "你好")
    store.add_replies(sender, [Reply("回答", buttons=(Button("b", "/b"),)), Reply("还有", buttons=(Button("c", "/c"),))])
    assert current_buttons(store.entries(sender)) == {3, 4}


def test_the_deliverer_stores_proactive_messages():
    store = Transcripts()
    identity = new_conversation()
    asyncio.run(store.deliver(identity, ["【工作人员回复】您好", "第二条"]))
    assert [(e.who, e.text) for e in store.entries(identity.sender_id)] == [(PUSHED, "【工作人员回复】您好"), (PUSHED, "第二条")]


# -- passwords --------------------------------------------------------------------------------------------
def test_password_rules_and_hashes():
    for bad in ("", "short", " " * 12, "x" * 300):
        with pytest.raises(InputError):
            check_password_rules(bad)
    assert check_password_rules("x" * MIN_PASSWORD_CHARS)
    hashed = hasher().hash(PASSWORD)
    assert hashed.startswith("$argon2id$") and hasher().verify(hashed, PASSWORD)


def test_authenticate_unknown_names_and_ambiguous_names(db, accounts):
    with session_scope() as s:
        assert authenticate(s, "王经办", PASSWORD).outcome == "ok"
        assert authenticate(s, "王经办", PASSWORD + "x").outcome == "invalid"
        assert authenticate(s, "nobody", PASSWORD).outcome == "invalid"
        assert authenticate(s, f"#{accounts['wang']}", PASSWORD).staff_id == accounts["wang"]
        assert authenticate(s, "#99999", PASSWORD).outcome == "invalid"


# -- the server -------------------------------------------------------------------------------------------
def test_web_address():
    assert web_address(Settings.from_env({"WEB_PORT": "8090"})) == "http://127.0.0.1:8090/"
    assert web_address(Settings.from_env({"WEB_LISTEN": "0.0.0.0"})) == "http://127.0.0.1:8080/"
    assert web_address(Settings.from_env({"WEB_PUBLIC_URL": "https://zhushou.example.gov.cn/"})) == (
        "https://zhushou.example.gov.cn/"
    )


def test_production_needs_https_and_a_secret(tmp_path):
    with pytest.raises(ConfigurationError, match="WEB_PUBLIC_URL"):
        check_web_settings(production(WEB_SECRET=LONG))
    with pytest.raises(ConfigurationError, match="WEB_PUBLIC_URL"):
        check_web_settings(production(WEB_SECRET=LONG, WEB_PUBLIC_URL="http://zhushou.example.gov.cn"))
    with pytest.raises(ConfigurationError, match="WEB_SECRET"):
        check_web_settings(production(WEB_PUBLIC_URL="https://zhushou.example.gov.cn"))
    ok = production(WEB_SECRET=LONG, WEB_PUBLIC_URL="https://zhushou.example.gov.cn")
    assert check_web_settings(ok) == LONG.encode()
    assert check_web_settings(Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)}))  # embedded: a kept key


# -- contrast ---------------------------------------------------------------------------------------------
def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_have_a_contrast_of_at_least_4_5_to_1():
    css = (Path(web_app.__file__).parent / "static" / "web.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))
    pairs = [  # (text, background) as the stylesheet uses them
        ("ink", "card"), ("ink", "bg"), ("ink", "me"), ("ink", "pushed"), ("muted", "bg"), ("muted", "card"),
        ("brand", "card"), ("brand", "bg"), ("brand-ink", "brand"),
    ]  # fmt: skip
    for text, background in pairs:
        assert contrast(var[text], var[background]) >= 4.5, (text, background)
    assert contrast(var["alert"], "#fdecea") >= 4.5 and contrast(var["ok"], "#e7f5ec") >= 4.5
    assert contrast(var["focus"], var["card"]) >= 3  # the focus ring (a non-text contrast)


def test_transcripts_are_bounded_and_forget_idle_sessions():
    now = [1000.0]
    store = Transcripts(sessions=3, idle_seconds=100, clock=lambda: now[0])
    senders = [new_conversation().sender_id for _ in range(5)]
    for sender in senders[:4]:
        store.add(sender, ME, "你好")
    assert [store.has(s) for s in senders[:4]] == [False, True, True, True]  # at most three
    now[0] += 50
    store.add(senders[1], ME, "还在")
    now[0] += 60  # senders 2 and 3 idle for 110 s, sender 1 for 60 s
    store.add(senders[4], ME, "新来的")
    assert [store.has(s) for s in senders] == [False, True, False, False, True]
