"""Front ends: the Rasa REST client, the channel-independent conversation core, Telegram and the terminal.

Nothing here does work at import time; python-telegram-bot is imported only by ``telegram_app`` and
``telegram_delivery``.
"""
