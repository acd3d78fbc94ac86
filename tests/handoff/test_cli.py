"""`lueyang handoff|notify|purge|report|audit` through the real CLI entry point."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.models import OutboxMessage
from bot.db.session import session_scope
from bot.handoff import service, tickets
from bot.handoff.actors import cli_actor
from tests.auxil.telegram import FakeBotApi, fake_bot

RESIDENT = "tg-4440001-4440001"


def test_handoff_cli_round_trip(db, capsys):
    tid = service.submit_request(
        RESIDENT,
        topic="问临时救助",
        phone="13812345678",
        preferred_time="上午",
        town="郭镇",
        summary="咨询：临时救助",
    ).ticket_id
    urgent = service.emergency_reply("tg-4440002-4440002", text="家里着火了").ticket_id
    assert main(["handoff", "queue"]) == 0
    out = capsys.readouterr().out
    assert out.index(f"#{urgent} ") < out.index(f"#{tid} ")
    assert main(["handoff", "show", str(tid)]) == 0
    assert "13812345678" in capsys.readouterr().out  # the office PC sees the full number to call back
    assert main(["handoff", "take", str(tid)]) == 0
    assert main(["handoff", "reply", str(tid), "您好，", "明天上午给您回电"]) == 0
    assert main(["handoff", "done", str(tid)]) == 0
    assert main(["handoff", "done", str(tid)]) == 1
    assert main(["handoff", "take", "999"]) == 1
    assert "没有这张工单" in capsys.readouterr().out
    with session_scope() as s:
        texts = [m.text for m in s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == RESIDENT))]
    assert any("明天上午给您回电" in t for t in texts) and any("已办结" in t for t in texts)
    assert main(["audit", "--limit", "5"]) == 0
    assert "handoff_done" in capsys.readouterr().out


def test_notify_once_sends_the_outbox(db, capsys, monkeypatch):
    service.submit_request(RESIDENT, topic="问低保", phone=None, preferred_time=None, town=None, summary="")
    with session_scope() as s:
        tickets.staff_reply(s, cli_actor(), 1, "您好")
    fake = FakeBotApi()
    monkeypatch.setattr("bot.cli.notify._bot", lambda: fake_bot(fake))
    assert main(["notify", "once"]) == 0
    assert "sent 2" in capsys.readouterr().out
    assert [chat for chat, _ in fake.sent] == [4440001, 4440001]
    assert main(["notify", "status"]) == 0
    assert "pending: 0  sent: 2" in capsys.readouterr().out


@pytest.fixture
def tracker_is_case_db(db, monkeypatch):
    monkeypatch.setattr("bot.cli.privacy.tracker_engine", lambda settings=None: db)


def test_purge_and_report_commands(tracker_is_case_db, tmp_path, capsys):
    assert main(["purge", "--days", "30", "--dry-run"]) == 0
    assert "演练" in capsys.readouterr().out
    assert main(["purge", "--days", "30"]) == 0
    assert "预检保存记录 0 条" in capsys.readouterr().out
    assert main(["report", "unanswered", "--days", "0", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "0 unanswered of 0 messages" in out
    assert (
        len(list(tmp_path.glob("unanswered-*.csv"))) == 1 and len(list(tmp_path.glob("unanswered-*.md"))) == 1
    )
