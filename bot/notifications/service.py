"""Entry points for the Rasa actions (and the case engineer's /status reply): texts, own sessions."""

from __future__ import annotations

import logging

from bot.audit.log import add_entry
from bot.db.session import session_scope
from bot.errors import DatabaseUnavailable, InputError, NotFound
from bot.identity import can_subscribe, subscription_labels
from bot.notifications import subscriptions, texts
from bot.notifications.texts import OFFER_BUTTONS, offer_text

log = logging.getLogger(__name__)

OFFER_SLOT = "notify_offer_case"  # set by the status lookup to the case number just shown to this sender


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
        return texts.channel_cannot_notify(subscription_labels())
    if not case_no:
        return texts.LOOK_UP_FIRST
    try:
        with session_scope() as session:
            _sub, created = subscriptions.subscribe(session, sender_id, case_no)
            add_entry(
                session,
                sender_id=sender_id,
                action="subscribe",
                intent="affirm",
                case_no=case_no,
                topic=texts.AUDIT_TOPIC_STATUS,
            )
    except NotFound:
        return texts.CASE_NOT_FOUND
    except DatabaseUnavailable:
        return texts.DB_DOWN
    if not created:
        return texts.already_subscribed(case_no)
    return texts.subscribed(case_no)


def subscriptions_text(sender_id: str) -> str | None:
    """The resident's subscriptions for the /status reply; None when there are none (or the DB is down)."""
    try:
        with session_scope() as session:
            subs = subscriptions.list_subscriptions(session, sender_id)
    except DatabaseUnavailable:
        return None
    if not subs:
        return None
    return texts.subscription_list(subs)


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
                    topic=texts.AUDIT_TOPIC_STATUS,
                )
    except InputError as exc:
        return exc.reason
    except DatabaseUnavailable:
        return texts.DB_DOWN
    if not done:
        return texts.NO_SUBSCRIPTIONS
    return texts.unsubscribed(done)


__all__ = [
    "OFFER_BUTTONS",  # the offer's texts live in bot.notifications.texts; the status lookup reaches them here
    "OFFER_SLOT",
    "offer_text",
    "should_offer",
    "subscribe_request",
    "subscriptions_text",
    "unsubscribe_request",
]
