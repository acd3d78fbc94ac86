"""Menus and fallback texts composed in code (used by actions; kept out of the domain so that
`rasa data validate` has no responses that no rule uses)."""

from __future__ import annotations

from bot.programmes import menu

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


def main_menu() -> list[dict[str, str]]:
    """Buttons of the main menu (fallback): programmes and services."""
    fixed = [{"title": title, "payload": payload} for title, payload in MAIN_MENU_SERVICES]
    return menu("main", fixed, lambda p: {"title": p.menu_label or p.name, "payload": p.menu_payload})


def fallback_message() -> dict:
    return {"text": FALLBACK_TEXT, "buttons": main_menu()}
