"""User-facing texts of the front ends (plain, polite Simplified Chinese)."""

from __future__ import annotations

from bot.conversation import attachments
from bot.programmes import menu

MAX_INPUT_CHARS = 2000

HELP_TEXT = (
    "您好，我是略阳县民政局社会救助智能助手。我可以：\n"
    "· 解答低保、特困供养、临时救助等政策问题；\n"
    "· 帮您做临时救助预审（/precheck）；\n"
    "· 查询申请办理进度（/status，需要案件编号和身份证号后六位）；\n"
    "· 为您转接人工服务（/human）。\n"
    "输入 /cancel 可以取消当前操作。直接用文字提问即可，也可以点击下面的按钮。"
)

# the /help menu's buttons that are not about one programme; the programmes listed in the registry's "help" menu
# are placed among them (bot/programmes.py)
HELP_MENU_SERVICES: tuple[tuple[str, str], ...] = (
    ("需要准备的材料", "/ask_materials"),
    ("临时救助预审", "/start_precheck"),
    ("查询办理进度", "/check_status"),
    ("联系工作人员", "/request_human"),
)


def menu_buttons() -> tuple[tuple[str, str], ...]:
    """(title, payload) of the /help menu: programmes and services."""
    return tuple(menu("help", HELP_MENU_SERVICES, lambda p: (p.menu_label or p.name, p.menu_payload)))


EMPTY_INPUT = "您好像发送了一条空消息。请直接用文字告诉我您想了解什么，或输入 /help 查看我能做什么。"

TOO_LONG = (
    "您的消息比较长，我只读取了前 {limit} 个字。"
    "如果后面还有重要内容，请分成几条较短的消息继续发送。"
)

UNKNOWN_COMMAND = "抱歉，我不认识命令“{command}”。输入 /help 可以查看可用的命令，也可以直接用文字提问。"

# pictures, voice, stickers...: the same words whether the front end answers or the assistant (a photo reaches
# Rasa for the visit form and is answered with them outside it): bot.conversation.attachments
NON_TEXT = attachments.NON_TEXT

FLOOD = "您发送消息的速度有点快，请稍等一分钟再继续。我会认真处理每一个问题。"

BUTTON_EXPIRED = "这个按钮已经失效了，请重新输入您的问题。"

BUTTON_NOT_YOURS = "这个按钮是给其他用户的，请直接发消息给我。"


RASA_DOWN = "抱歉，助手暂时无法回答您的问题。{contact}"
RASA_DOWN_STORED = "您的留言已经记录，工作人员会尽快跟进。"
RASA_DOWN_NOT_STORED = "请稍后再试一次。"

CONTACT_VERIFIED = "如需帮助，请致电略阳县民政局：{phone}。"
CONTACT_RELIEF_UNVERIFIED = (
    "如需帮助，请联系您所在镇（街道）便民服务中心或略阳县民政局；"
    "紧急情况也可以联系{name}：{phone}（此号码来自公开名录，尚未经民政局核实）。"
)
CONTACT_TOWNSHIP = "如需帮助，请联系您所在镇（街道）便民服务中心或略阳县民政局。"
RELIEF_STATION = "略阳县救助站"  # the relief station's name when the county parameters give none

BUTTONS_ONLY = "请选择："  # the text of a message that has buttons and no text (Telegram needs one)

STAFF_ONLY_HINT = "（工作人员命令）"
