"""Property tests for message handling: the front-end conversation core and the bad-input guard.

Whatever a person types (control characters, emoji, huge messages, fake commands) and whatever happens to
Rasa (answers, nothing, errors), the core answers with at least one reply and never raises.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.bad_input import MAX_READ_CHARS, classify_bad_input
from bot.errors import RasaUnavailable
from bot.frontends import texts
from bot.frontends.core import (
    COMMANDS,
    ConversationCore,
    Reply,
    clean_input,
    parse_command,
    replies_from_rasa,
)
from tests.properties.strategies import any_text, chatty_text

CJK = re.compile(r"[\u4e00-\u9fff]")
CONTACT = "请致电 0916-0000000。"

commands = st.builds(
    lambda name, suffix, args: f"/{name}{suffix} {args}",
    st.one_of(st.sampled_from(sorted(COMMANDS)), st.from_regex(r"[A-Za-z0-9_]{1,40}", fullmatch=True)),
    st.sampled_from(["", "@LueyangBot", "@x"]),
    chatty_text,
)
user_text = st.one_of(any_text, chatty_text, commands, st.builds(lambda c, n: c * n, st.text(min_size=1, max_size=5), st.integers(400, 2100)))

button = st.fixed_dictionaries(
    {}, optional={"title": st.one_of(st.none(), st.text(max_size=20)), "payload": st.one_of(st.none(), st.text(max_size=20))}
)
rasa_message = st.fixed_dictionaries(
    {"recipient_id": st.text(max_size=10)},
    optional={
        "text": st.one_of(st.none(), st.text(max_size=200)),
        "buttons": st.lists(button, max_size=4),
        "quick_replies": st.lists(button, max_size=2),
        "image": st.one_of(st.none(), st.text(max_size=30)),
        "custom": st.one_of(st.none(), st.dictionaries(st.sampled_from(["text", "kind"]), st.text(max_size=20))),
    },
)
rasa_outcome = st.one_of(
    st.lists(rasa_message, max_size=5),
    st.sampled_from([RasaUnavailable("down"), RuntimeError("bug in a lower layer"), TimeoutError()]),
)


class ScriptedRasa:
    def __init__(self, outcome) -> None:
        self.outcome = outcome
        self.sent: list[tuple[str, str, dict]] = []

    async def send(self, sender_id, message, metadata=None):
        self.sent.append((sender_id, message, dict(metadata or {})))
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def _core(rasa: ScriptedRasa, stored: list) -> ConversationCore:
    return ConversationCore(rasa=rasa, contact=lambda: CONTACT, pending_store=lambda s, c, t: stored.append(t) or 1)


def _no_controls(text: str) -> bool:
    return not any(
        ch not in "\n\t" and unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in text
    )


@given(any_text)
def test_clean_input_is_idempotent_and_strips_controls(text):
    cleaned = clean_input(text)
    assert _no_controls(cleaned)
    assert cleaned == cleaned.strip()
    assert clean_input(cleaned) == cleaned


@given(st.one_of(any_text, commands))
def test_parse_command_never_crashes(text):
    parsed = parse_command(text)
    if parsed is not None:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", parsed.name)
        assert parsed.args == parsed.args.strip()


@given(user_text, rasa_outcome, st.sampled_from(["telegram", "terminal"]))
def test_handle_text_always_answers_and_never_raises(text, outcome, channel):
    rasa, stored = ScriptedRasa(outcome), []
    replies = asyncio.run(_core(rasa, stored).handle_text("tg-1-2", text, channel=channel))
    assert replies and all(isinstance(r, Reply) for r in replies)
    assert all(isinstance(r.text, str) for r in replies)
    assert any(r.text or r.buttons or r.image for r in replies)
    for sender, sent, meta in rasa.sent:
        assert sender == "tg-1-2"
        assert _no_controls(sent) and sent == sent.strip() and 0 < len(sent) <= texts.MAX_INPUT_CHARS
        assert meta["channel"] == channel
        if "args" in meta:
            assert len(meta["args"]) <= texts.MAX_INPUT_CHARS
    parsed = parse_command(clean_input(text)) if clean_input(text).startswith("/") else None
    if parsed is not None and parsed.name not in COMMANDS:
        assert rasa.sent == []  # unknown commands are answered by the front end, never reach Rasa
    if rasa.sent and isinstance(outcome, BaseException):
        assert CONTACT in replies[-1].text  # Rasa trouble: an apology with a number to call


@given(st.one_of(any_text, chatty_text), rasa_outcome)
def test_buttons_never_raise(payload, outcome):
    rasa = ScriptedRasa(outcome)
    replies = asyncio.run(_core(rasa, []).handle_button("term-x", payload, channel="terminal"))
    assert replies and all(isinstance(r.text, str) for r in replies)
    for _, sent, meta in rasa.sent:
        assert meta.get("button") is True and len(sent) <= texts.MAX_INPUT_CHARS


@given(st.lists(rasa_message, max_size=6))
def test_rasa_messages_become_replies_without_losing_text(messages):
    replies = replies_from_rasa(messages)
    for r in replies:
        assert isinstance(r.text, str)
        assert all(isinstance(b.title, str) and isinstance(b.payload, str) for b in r.buttons)
    assert len(replies) <= len(messages)
    shown = "\n".join(r.text for r in replies)
    for m in messages:
        if m.get("text"):
            assert m["text"] in shown


# -- the bad-input guard (runs in the fallback action) ----------------------------------------------------------
@given(st.one_of(any_text, chatty_text, st.none()))
def test_bad_input_never_crashes_and_answers_in_chinese(text):
    reason = classify_bad_input(text)
    assert reason is None or (isinstance(reason, str) and CJK.search(reason))


@given(st.text(st.sampled_from(" \t\n\u3000"), max_size=20))
def test_blank_messages_get_a_reason(text):
    assert classify_bad_input(text)


@given(st.text(st.sampled_from("!?。，…👍😀🙏❤️…—～·"), min_size=1, max_size=30))
def test_symbol_only_messages_get_a_reason(text):
    assert classify_bad_input(text)


@given(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=MAX_READ_CHARS))
def test_plain_chinese_is_left_to_the_nlu(text):
    assert classify_bad_input(text) is None


@given(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=40), st.integers(1, 900))
def test_huge_messages_get_a_reason_with_the_limit(chunk, extra):
    text = (chunk * (MAX_READ_CHARS // len(chunk) + 1))[:MAX_READ_CHARS] + chunk[0] * extra
    reason = classify_bad_input(text)
    assert reason and str(MAX_READ_CHARS) in reason
