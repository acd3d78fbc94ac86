"""The case import queues status notifications for subscribers (write_rows -> notify_status_changes)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.cases.importer import import_file
from bot.cli import main as cli_main
from bot.db.models import OutboxMessage
from bot.db.session import session_scope
from bot.notifications import service
from tests.cases.helpers import EN_HEADER, make_rows, write_csv

TODAY = date(2025, 6, 30)
ALICE = "tg-4440001-4440001"
BOB = "tg-4440002-4440002"


def outbox() -> list[tuple[str, str]]:
    with session_scope() as s:
        return [(m.recipient, m.text) for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_reimport_with_a_changed_status_notifies_only_that_cases_subscribers_once(db, tmp_path):
    rows = make_rows(3)
    with session_scope() as s:
        import_file(s, write_csv(tmp_path / "a.csv", EN_HEADER, rows), today=TODAY)
    assert outbox() == []  # new cases notify nobody
    assert "已为您订阅" in service.subscribe_request(ALICE, "LY2025DB00001")
    assert "已为您订阅" in service.subscribe_request(BOB, "LY2025DB00002")

    rows[0][9], rows[0][10] = "公示中", "2025-03-20"
    changed = write_csv(tmp_path / "b.csv", EN_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, changed, today=TODAY)
    assert report.status_changes == [("LY2025DB00001", "调查核实中", "公示中")]
    sent = outbox()
    assert [r for r, _ in sent] == [ALICE]
    assert "LY2025DB00001" in sent[0][1] and "当前状态：公示中" in sent[0][1]

    with session_scope() as s:  # the same file again: no change, nothing queued
        import_file(s, changed, today=TODAY)
    assert len(outbox()) == 1


def test_rejected_file_queues_nothing_and_cli_import_queues(db, tmp_path):
    rows = make_rows(2)
    assert cli_main(["cases", "import", str(write_csv(tmp_path / "a.csv", EN_HEADER, rows))]) == 0
    service.subscribe_request(ALICE, "LY2025DB00002")

    rows[1][9], rows[1][10] = "需补充材料", "2025-03-21"
    bad = [list(r) for r in rows] + [[*rows[0][:3], "12345", *rows[0][4:]]]
    bad[2][0] = "LY2025DB00009"
    assert cli_main(["cases", "import", str(write_csv(tmp_path / "bad.csv", EN_HEADER, bad))]) == 1
    assert outbox() == []  # nothing imported, nothing announced

    assert cli_main(["cases", "import", str(write_csv(tmp_path / "b.csv", EN_HEADER, rows))]) == 0
    sent = outbox()
    assert [r for r, _ in sent] == [ALICE] and "需补充材料" in sent[0][1]
