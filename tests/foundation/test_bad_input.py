from __future__ import annotations

import pytest

from bot.conversation.bad_input import MAX_READ_CHARS, classify_bad_input


@pytest.mark.parametrize(
    ("text", "word"),
    [("", "空"), ("\n\t ", "空"), ("😀😀", "表情"), ("？？？", "表情"), ("hi there", "中文"),
     ("'; DROP TABLE cases; --", "看懂"), ("字" * (MAX_READ_CHARS + 1), "很长")],
)
def test_unreadable_messages_get_a_reason(text, word):
    assert word in classify_bad_input(text)


@pytest.mark.parametrize("text", ["低保怎么申请", "LY2023LS00123", "两千五", "3", "我在接官亭 ok 吗"])
def test_readable_messages_pass(text):
    assert classify_bad_input(text) is None
