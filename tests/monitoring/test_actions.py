"""Result-form and /tasks actions with trackers built inline (no Rasa server) on a real database (SQLite and
PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions import monitoring as act
from bot.cases.staff import add_staff
from bot.db.models import AuditEntry, MonitoringTask, MonitoringWarning
from bot.db.session import session_scope
from bot.monitoring import form
from bot.monitoring.importer import import_warnings
from bot.monitoring.rules import MonitoringParams
from bot.settings import get_settings
from tests.auxil.trackers import form_answer_tracker, make_tracker
from tests.monitoring.conftest import ID, OTHER_TOWN, TODAY, TOWN, warning_line, write_csv

STAFF, OTHER = "term-mon1", "term-mon2"
DOMAIN: dict[str, Any] = {
    "slots": {s: {"type": "any", "mappings": [{"type": "from_text", "conditions": [
        {"active_loop": "check_form", "requested_slot": s}]}]} for s in form.STEP_SLOTS}
    | {"check_state": {"type": "any", "mappings": [{"type": "custom"}]}},
    "forms": {"check_form": {"required_slots": list(form.STEP_SLOTS)}},
    "actions": ["action_tasks_command"],
}  # fmt: skip


@pytest.fixture
def tasks(cases_db, tmp_path):
    lines = [warning_line(i) for i in range(5)] + [warning_line(5, town=OTHER_TOWN)]
    with session_scope() as s:
        import_warnings(s, write_csv(tmp_path / "w.csv", lines), today=TODAY, params=MonitoringParams())
        rows = s.execute(select(MonitoringWarning.head_name, MonitoringTask.id).join(MonitoringTask))
        return dict(rows.tuples().all())


def run(action, tracker: Tracker) -> tuple[dict[str, Any], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


async def validate(slot: str, text: str, slots: dict | None = None, *, sender: str = STAFF, intent="inform"):
    tracker = form_answer_tracker("check_form", slot, text, slots=slots, sender=sender, intent=intent)
    dispatcher = CollectingDispatcher()
    events = await act.ValidateCheckForm().run(dispatcher, tracker, DOMAIN)
    out = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return out, [m.get("text") or "" for m in dispatcher.messages], dispatcher.messages


def test_residents_group_chats_and_staff_without_a_record_are_refused(tasks):
    for sender in ("tg-5005-5005", "tg--100200-5005", "term-someone"):
        slots, messages = run(act.ActionCheckStart(), make_tracker("核查结果", "record_check_result", sender=sender))
        assert slots["check_state"] == "refused" and "只对镇（街道）民政工作人员开放" in messages[0]["text"]
    with session_scope() as s:
        add_staff(s, "热线", "hotline", [TOWN], ["term:hotline-mon"])  # hotline staff see the lists only
    slots, messages = run(act.ActionCheckStart(), make_tracker("核查结果", "record_check_result", sender="term-hotline-mon"))
    assert slots["check_state"] == "refused"
    slots, messages = run(act.ActionCheckSubmit(), make_tracker("x", sender="tg-5005-5005", slots={"check_state": "refused"}))
    assert messages == [] and slots["check_state"] is None


def test_start_with_a_task_number_fills_the_task(tasks):
    tid = tasks["户主3"]
    tracker = make_tracker("/record_check_result", "record_check_result", sender=STAFF, metadata={"command": "check", "args": str(tid)})
    slots, messages = run(act.ActionCheckStart(), tracker)
    assert slots["check_task"]["id"] == tid and "户*3" in messages[1]["text"] and "户主3" not in str(messages)
    tracker = make_tracker("/record_check_result", "record_check_result", sender=OTHER, metadata={"command": "check", "args": str(tid)})
    slots, messages = run(act.ActionCheckStart(), tracker)
    assert "check_task" in slots and slots["check_task"] is None and "不在您分管" in messages[1]["text"]


async def test_the_form_steps_a_changed_outcome_and_cancel(tasks):
    slots, texts, _ = await validate("check_task", "户主4")
    assert slots["check_task"]["id"] == tasks["户主4"] and "户*4" in texts[0]
    slots, texts, _ = await validate("check_task", "户主5")  # another town's household
    assert slots["check_task"] is None and "没有找到" in texts[0]
    done = {"check_task": {"id": tasks["户主4"], "label": "任务"}}
    slots, texts, _ = await validate("check_outcome", "不知道", done)
    assert slots["check_outcome"] is None and "纳入" in texts[0]
    slots, _, _ = await validate("check_outcome", "不纳入", done)
    assert slots["check_outcome"] == "not_included"
    done["check_outcome"] = "not_included"
    slots, texts, _ = await validate("check_detail", "家里条件还行", done)
    assert slots["check_detail"] is None and "五个方面" in texts[0]
    slots, _, _ = await validate("check_detail", "收入情况：年收入6万元；财产情况：有小轿车", done)
    assert set(slots["check_detail"]["reasons"]) == {"income", "property"}
    done["check_detail"] = slots["check_detail"]
    slots, _, _ = await validate("check_confirm", "改为纳入", done)
    assert slots["check_outcome"] == "included" and slots["check_detail"] is None and slots["check_confirm"] is None
    slots, _, _ = await validate("check_confirm", "取消", done)
    assert slots["check_state"] == "cancelled" and slots["requested_slot"] is None
    slots, messages = run(act.ActionCheckSubmit(), make_tracker("取消", sender=STAFF, slots={**done, "check_state": "cancelled"}))
    assert "没有保存" in messages[0]["text"] and all(v is None for v in slots.values())


def test_a_confirmed_result_is_saved_and_audited(tasks):
    tid = tasks["户主2"]
    answers = {
        "check_task": {"id": tid, "label": "任务"}, "check_outcome": "included",
        "check_detail": {"outcome": "included", "programme": "低保", "case_no": None, "reasons": {}, "department": None},
        "check_confirm": True,
    }  # fmt: skip
    slots, messages = run(act.ActionCheckSubmit(), make_tracker("确认保存", sender=STAFF, slots=answers))
    assert "已保存核查结果" in messages[0]["text"] and "纳入低保" in messages[0]["text"]
    assert all(v is None for v in slots.values())
    with session_scope() as s:
        task = s.get(MonitoringTask, tid)
        assert (task.outcome, task.programme, task.recorded_by) == ("included", "低保", "白水江经办")
        assert s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "monitoring_result")) == 1
    slots, messages = run(act.ActionCheckSubmit(), make_tracker("确认保存", sender=OTHER, slots=answers))
    assert "不在您分管" in messages[0]["text"]


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    """Settings with var/ in a temporary folder (the chart is written under var/reports)."""
    monkeypatch.setenv("LUEYANG_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    get_settings.cache_clear()


def test_tasks_command(tasks, var_dir, monkeypatch):
    monkeypatch.setattr(act.clock, "today", lambda: TODAY)

    def command(args: str, sender: str = STAFF):
        tracker = make_tracker("/inform", "inform", sender=sender, metadata={"command": "tasks", "args": args})
        return run(act.ActionTasksCommand(), tracker)[1]

    assert "只对民政工作人员开放" in command("", sender="tg-5005-5005")[0]["text"]
    mine = command("")[0]["text"]
    assert "共 3 户" in mine and "户*2" in mine and "户*5" not in mine and ID[2] not in mine
    assert "共 1 户" in command("", sender=OTHER)[0]["text"]
    report = command("报表")
    assert report[0]["image"].startswith(str(var_dir)) and "2024-06" in report[1]["text"]
    assert command("三类人群")[0]["text"].startswith("截至2024年6月底，边缘易致贫户5户15人")
    assert "2024-05 还没有导入监测预警" in command("报表 2024-05")[0]["text"]
    assert command("三类人群 2024-05")[0]["text"].startswith("截至2024年5月底，边缘易致贫户0户0人")
