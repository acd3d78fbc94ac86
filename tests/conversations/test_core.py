"""Core conversation behaviour over the real REST channel: menu, small talk, fallback, bad input, security."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rasa


def test_greeting_shows_a_menu_with_buttons(assistant):
    replies = assistant.send(assistant.new_sender(), "你好")
    assert replies, "a greeting must get an answer"
    buttons = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert "/start_precheck" in buttons and "/check_status" in buttons
    assert "社会救助助手" in replies[0]["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("谢谢你哈", "不客气"),
        ("拜拜", "祝您"),
        ("你是真人还是机器人", "机器"),
        ("明天略阳下雨不", "服务范围"),
        ("帮我买张去西安的火车票", "服务范围"),
    ],
)
def test_small_talk_and_out_of_scope(assistant, text, expected):
    assert expected in assistant.texts(assistant.new_sender(), text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "空的"),
        ("   ", "空的"),
        ("😀😀😀👍", "表情"),
        ("hello, can you help me with my benefits?", "中文"),
        ("'; DROP TABLE cases; --", "没能看懂"),
        ("低保" * 2500, "很长"),
    ],
)
def test_bad_input_gets_a_polite_reply_and_never_an_error(assistant, text, expected):
    sender = assistant.new_sender()
    reply = assistant.texts(sender, text)
    assert expected in reply
    # the conversation still works afterwards
    assert "社会救助助手" in assistant.texts(sender, "你好")


def test_request_without_the_secret_is_refused(assistant):
    body = {"sender": "tg-900001-900001", "message": "/mycases"}
    assert assistant.raw_post(body).status_code == 403
    assert assistant.raw_post(body, {"X-Assistant-Secret": "wrong"}).status_code == 403


def test_malformed_requests_are_rejected_cleanly(assistant):
    headers = {"X-Assistant-Secret": assistant.secret}
    assert assistant.raw_post({"message": "你好"}, headers).status_code == 400
    assert assistant.raw_post({"sender": "x", "message": 5}, headers).status_code == 400
