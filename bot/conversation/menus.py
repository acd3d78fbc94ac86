"""Menus and fallback texts composed in code (used by actions; kept out of the domain so that
`rasa data validate` has no responses that no rule uses)."""

from __future__ import annotations

MAIN_MENU = [
    {"title": "低保申请条件", "payload": "/ask_dibao_eligibility"},
    {"title": "临时救助预审", "payload": "/start_precheck"},
    {"title": "查询申请进度", "payload": "/check_status"},
    {"title": "特困供养", "payload": "/ask_tekun"},
    {"title": "联系工作人员", "payload": "/request_human"},
]

FALLBACK_TEXT = (
    "抱歉，我没太看懂您的意思。您可以换个说法，或者从下面选一项。"
    "我能回答低保、特困供养、临时救助等政策问题，帮您做临时救助预审，查询申请进度。"
)


def fallback_message() -> dict:
    return {"text": FALLBACK_TEXT, "buttons": list(MAIN_MENU)}
