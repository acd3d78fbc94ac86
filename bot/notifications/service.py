"""Entry points for the Rasa actions (and the case engineer's /status reply): texts, own sessions."""

from __future__ import annotations

import logging

from bot.audit.log import add_entry
from bot.db.session import session_scope
from bot.errors import DatabaseUnavailable, InputError, NotFound
from bot.identity import can_subscribe, subscription_labels
from bot.notifications import subscriptions

log = logging.getLogger(__name__)

OFFER_SLOT = "notify_offer_case"  # set by the status lookup to the case number just shown to this sender
OFFER_BUTTONS = (("订阅进度提醒", "/affirm"), ("不用了", "/deny"))
DB_DOWN = "抱歉，进度提醒服务暂时无法使用，请稍后再试。"


def offer_text() -> str:
    return "需要的话，这件申请的办理状态有变化时，我可以在这里提醒您。要订阅进度提醒吗？"


def should_offer(sender_id: str, case_no: str) -> bool:
    """Offer the subscription after a successful resident lookup: only on channels that reach the person later
    (``bot.identity``: Telegram), and not when subscribed."""
    if not can_subscribe(sender_id):
        return False
    try:
        with session_scope() as session:
            return all(s.case_no != case_no for s in subscriptions.list_subscriptions(session, sender_id))
    except DatabaseUnavailable:
        return False


def subscribe_request(sender_id: str, case_no: str | None) -> str:
    """Subscribe after the resident said yes to the offer (explicit consent)."""
    if not can_subscribe(sender_id):
        return f"进度提醒目前只能通过{'、'.join(subscription_labels())}发送。您可以随时来这里查询进度。"
    if not case_no:
        return "请先查询您的申请进度（发送 /status），查到以后就可以订阅进度提醒。"
    try:
        with session_scope() as session:
            _sub, created = subscriptions.subscribe(session, sender_id, case_no)
            add_entry(
                session,
                sender_id=sender_id,
                action="subscribe",
                intent="affirm",
                case_no=case_no,
                topic="进度提醒",
            )
    except NotFound:
        return "没有找到这件申请，无法订阅。"
    except DatabaseUnavailable:
        return DB_DOWN
    if not created:
        return f"您已经订阅了 {case_no} 的进度提醒。发送 /unsubscribe 可以取消。"
    return (
        f"好的，已为您订阅 {case_no} 的进度提醒。办理状态有变化时我会在这里告诉您。"
        "发送 /status 可以查看您的订阅，发送 /unsubscribe 可以随时取消。"
    )


def subscriptions_text(sender_id: str) -> str | None:
    """The resident's subscriptions for the /status reply; None when there are none (or the DB is down)."""
    try:
        with session_scope() as session:
            subs = subscriptions.list_subscriptions(session, sender_id)
    except DatabaseUnavailable:
        return None
    if not subs:
        return None
    lines = ["您订阅了以下申请的进度提醒："]
    lines.extend(f"{s.index}. {s.case_no}（{s.programme}）当前状态：{s.status}" for s in subs)
    lines.append("取消提醒：/unsubscribe 序号（或 /unsubscribe 全部）")
    return "\n".join(lines)


def unsubscribe_request(sender_id: str, args: str | None) -> str:
    try:
        with session_scope() as session:
            done = subscriptions.unsubscribe(session, sender_id, args)
            if done:
                add_entry(
                    session,
                    sender_id=sender_id,
                    action="unsubscribe",
                    intent="cancel",
                    case_no=done[0] if len(done) == 1 else None,
                    topic="进度提醒",
                )
    except InputError as exc:
        return exc.reason
    except DatabaseUnavailable:
        return DB_DOWN
    if not done:
        return "您目前没有订阅任何进度提醒。"
    return f"已取消 {'、'.join(done)} 的进度提醒。需要时可以随时查询进度并重新订阅。"
