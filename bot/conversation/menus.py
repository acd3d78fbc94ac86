"""Menus and the fallback message composed in code (used by actions; kept out of the domain so that
`rasa data validate` has no responses that no rule uses). Their texts are in ``bot.conversation.texts``."""

from __future__ import annotations

from bot.conversation.texts import FALLBACK_TEXT, MAIN_MENU_SERVICES
from bot.programmes import menu


def main_menu() -> list[dict[str, str]]:
    """Buttons of the main menu (fallback): programmes and services."""
    fixed = [{"title": title, "payload": payload} for title, payload in MAIN_MENU_SERVICES]
    return menu("main", fixed, lambda p: {"title": p.menu_label or p.name, "payload": p.menu_payload})


def fallback_message() -> dict:
    return {"text": FALLBACK_TEXT, "buttons": main_menu()}
