"""Messages that are not text (picture, voice, sticker, file, location, contact card): what the assistant says about
them. The Telegram front end answers them with ``NON_TEXT``; a photo in a private chat is passed on to Rasa for the
visit form (``bot.frontends.core.ConversationCore.handle_attachment``) and answered with ``NON_TEXT`` by
``action_inform_command`` outside it. Kept out of ``bot.conversation.texts``, which Rasa itself imports (a change
there means training a new model)."""

from __future__ import annotations

NON_TEXT = (
    "抱歉，我目前只能阅读文字消息和按钮，暂时无法识别图片、语音、视频、贴纸、文件、位置或联系人名片。"
    "请用文字描述您的问题，或输入 /help 查看我能做什么。"
)
