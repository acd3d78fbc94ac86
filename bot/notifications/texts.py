"""Texts of status notifications for residents: the subscription offer and consent, the subscription list,
unsubscribing, and the audit topics of delivered messages. The notification itself says what a status means,
so it is written by the cases area (``bot.cases.status_changes``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

OFFER_BUTTONS = (("订阅进度提醒", "/affirm"), ("不用了", "/deny"))
DB_DOWN = "抱歉，进度提醒服务暂时无法使用，请稍后再试。"

# audit topics (bot.audit): subscriptions and delivered status notifications, relayed staff messages
AUDIT_TOPIC_STATUS = "进度提醒"
AUDIT_TOPIC_RELAY = "人工服务消息"


def offer_text() -> str:
    return "需要的话，这件申请的办理状态有变化时，我可以在这里提醒您。要订阅进度提醒吗？"


# --- the answer to the offer (action_subscribe_case) ----------------------------------------------------
NO_OFFER = "好的。还有什么可以帮您？"  # nothing was offered (e.g. a stray "好的")
DECLINED = "好的，不订阅。需要时可以随时来查询进度。"
LOOK_UP_FIRST = "请先查询您的申请进度（发送 /status），查到以后就可以订阅进度提醒。"
CASE_NOT_FOUND = "没有找到这件申请，无法订阅。"


def channel_cannot_notify(channel_labels: Sequence[str]) -> str:
    """On a channel that cannot reach the person later (``bot.identity.can_subscribe``)."""
    return f"进度提醒目前只能通过{'、'.join(channel_labels)}发送。您可以随时来这里查询进度。"


def already_subscribed(case_no: str) -> str:
    return f"您已经订阅了 {case_no} 的进度提醒。发送 /unsubscribe 可以取消。"


def subscribed(case_no: str) -> str:
    return (
        f"好的，已为您订阅 {case_no} 的进度提醒。办理状态有变化时我会在这里告诉您。"
        "发送 /status 可以查看您的订阅，发送 /unsubscribe 可以随时取消。"
    )


# --- /status lists them, /unsubscribe stops them ---------------------------------------------------------
def subscription_list(subs: Iterable[Any]) -> str:
    """``subs``: ``bot.notifications.subscriptions.SubscriptionView`` rows (index, case_no, programme, status)."""
    lines = ["您订阅了以下申请的进度提醒："]
    lines.extend(f"{s.index}. {s.case_no}（{s.programme}）当前状态：{s.status}" for s in subs)
    lines.append("取消提醒：/unsubscribe 序号（或 /unsubscribe 全部）")
    return "\n".join(lines)


NO_SUBSCRIPTIONS = "您目前没有订阅任何进度提醒。"
WHICH_ONE = "您订阅了多件申请的进度提醒，请说明取消哪一件，例如：/unsubscribe 1，或 /unsubscribe 全部"
BAD_CHOICE = "请写订阅列表中的序号或案件编号，例如：/unsubscribe 1"


def not_subscribed(case_no: str) -> str:
    return f"您没有订阅 {case_no} 的进度提醒。"


def unsubscribed(case_nos: Sequence[str]) -> str:
    return f"已取消 {'、'.join(case_nos)} 的进度提醒。需要时可以随时查询进度并重新订阅。"
