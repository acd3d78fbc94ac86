"""Rasa's SQL tracker-store table (``events``), as rasa 3.6 creates it, for tests that read or purge it."""

from __future__ import annotations

import json

import sqlalchemy as sa

metadata = sa.MetaData()
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def user_event(sender: str, text: str, intent: str, confidence: float, ts: float, ranking=None) -> dict:
    data = {
        "event": "user",
        "timestamp": ts,
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
            "entities": [],
        },
    }
    return {
        "sender_id": sender,
        "type_name": "user",
        "timestamp": ts,
        "intent_name": intent,
        "action_name": None,
        "data": json.dumps(data, ensure_ascii=False),
    }


def bot_event(sender: str, text: str, ts: float) -> dict:
    data = {"event": "bot", "timestamp": ts, "text": text}
    return {
        "sender_id": sender,
        "type_name": "bot",
        "timestamp": ts,
        "intent_name": None,
        "action_name": None,
        "data": json.dumps(data, ensure_ascii=False),
    }
