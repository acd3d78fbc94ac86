"""Texts of the channel-independent conversation helpers: the main menu's service buttons, the fallback and the
replies to unreadable input. Standard library only (``rasa_addons.guards`` imports ``bot.conversation`` inside
Rasa)."""

from __future__ import annotations

# the main menu's buttons that are not about one programme; the programmes listed in the registry's "main" menu
# are placed among them (bot/programmes.py)
MAIN_MENU_SERVICES: tuple[tuple[str, str], ...] = (
    ("临时救助预审", "/start_precheck"),
    ("查询申请进度", "/check_status"),
    ("联系工作人员", "/request_human"),
)

FALLBACK_TEXT = (
    "抱歉，我没太看懂您的意思。您可以换个说法，或者从下面选一项。"
    "我能回答低保、特困供养、临时救助等政策问题，帮您做临时救助预审，查询申请进度。"
)

# replies to input the NLU cannot read, by bot.conversation.bad_input's kind ("long": too_long)
BAD_INPUT = {
    "empty": "您发来的消息是空的。请直接用文字告诉我您想了解什么，比如“低保怎么申请”。",
    "code": "抱歉，我没能看懂这条消息。请用中文描述您的问题，比如“我的申请到哪一步了”。",
    "symbols": "我看到了表情或符号，但看不懂具体意思。请用文字告诉我您想了解什么。",
    "latin": (
        "抱歉，我目前只能用中文交流（I can only answer in Chinese）。"
        "请用中文提问，或者拨打乡镇民政办的电话咨询。"
    ),
}


def too_long(length: int, max_chars: int) -> str:
    return (
        f"您的消息很长（{length} 字），我只能读前 {max_chars} 字。"
        "请把问题分成几条短消息发给我，每条说一件事。"
    )
