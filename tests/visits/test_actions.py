"""Visit actions with trackers built inline (no Rasa server) on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from actions import visits as act
from bot import clock
from bot.cases.staff import add_staff
from bot.db.models import AuditEntry, CareRecipient, CareVisit
from bot.db.session import session_scope
from bot.settings import get_settings
from bot.visits import form
from bot.visits.demo import load_visits_demo
from bot.visits.service import DISPERSED
from tests.auxil.trackers import form_answer_tracker, make_tracker
from tests.visits.conftest import TODAY

STAFF = "term-visitor"
DOMAIN: dict[str, Any] = {
    "slots": {s: {"type": "any", "mappings": [{"type": "from_text", "conditions": [
        {"active_loop": "visit_form", "requested_slot": s}]}]} for s in form.STEP_SLOTS}
    | {"visit_state": {"type": "any", "mappings": [{"type": "custom"}]},
       "visit_reask": {"type": "any", "mappings": [{"type": "custom"}]}},
    "forms": {"visit_form": {"required_slots": list(form.STEP_SLOTS)}},
    "actions": ["action_visits_command"],
}  # fmt: skip


@pytest.fixture
def person(demo_db):
    """A 分散 demo person and a caseworker of their town bound to the terminal session ``visitor``."""
    with session_scope() as s:
        load_visits_demo(s, today=TODAY)
        rec = s.scalars(select(CareRecipient).where(CareRecipient.support_mode == DISPERSED)).first()
        add_staff(s, "探访经办", "caseworker", [rec.case.town], ["term:visitor"])
        return {"id": rec.id, "case_no": rec.case.case_no, "name": rec.case.applicant.name, "town": rec.case.town}


def run(action, tracker: Tracker) -> tuple[dict[str, Any], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


async def validate(slot: str, text: str, slots: dict | None = None, *, metadata: dict | None = None, intent="inform"):
    tracker = form_answer_tracker("visit_form", slot, text, slots=slots, sender=STAFF, intent=intent, metadata=metadata)
    dispatcher = CollectingDispatcher()
    events = await act.ValidateVisitForm().run(dispatcher, tracker, DOMAIN)
    out = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return out, [m.get("text") or "" for m in dispatcher.messages], dispatcher.messages


def test_residents_and_group_chats_are_refused(person):
    for sender in ("tg-5005-5005", "tg--100200-5005", "term-someone"):
        slots, messages = run(act.ActionVisitStart(), make_tracker("登记探访", "log_visit", sender=sender))
        assert slots["visit_state"] == "refused" and "只对镇（街道）民政工作人员开放" in messages[0]["text"]
    with session_scope() as s:
        add_staff(s, "热线", "hotline", [person["town"]], ["term:hotline-visits"])
    slots, messages = run(act.ActionVisitStart(), make_tracker("登记探访", "log_visit", sender="term-hotline-visits"))
    assert slots["visit_state"] == "refused" and "只对镇（街道）民政工作人员开放" in messages[0]["text"]
    slots, messages = run(act.ActionVisitSubmit(), make_tracker("x", sender="tg-5005-5005", slots={"visit_state": "refused"}))
    assert messages == [] and slots["visit_state"] is None


def test_start_with_a_case_number_fills_the_person(person):
    tracker = make_tracker("/log_visit", "log_visit", sender=STAFF, metadata={"command": "visit", "args": person["case_no"]})
    slots, messages = run(act.ActionVisitStart(), tracker)
    assert slots["visit_person"]["id"] == person["id"] and "开始登记一次探访" in messages[0]["text"]


async def test_the_person_by_name_then_ratings_a_correction_and_a_photo(person):
    slots, texts, _ = await validate("visit_person", person["name"])
    assert slots["visit_person"]["id"] == person["id"] and person["case_no"] in texts[0]
    done = {"visit_person": slots["visit_person"]}
    slots, texts, _ = await validate("visit_environment", "较差", done)
    assert slots["visit_environment"] == 2 and texts == []
    done["visit_environment"] = 2
    slots, texts, _ = await validate("visit_hygiene", "居住环境说错了，是一般", done)
    assert slots["visit_environment"] == 3 and slots["visit_hygiene"] is None and "已把“居住环境”改为" in texts[0]
    slots, texts, _ = await validate("visit_daily", "还行吧", done)
    assert slots["visit_daily"] == 3 and texts == ["好的，记下了：饮食和日常生活 一般（3分）。"]
    slots, texts, _ = await validate("visit_daily", "照料人改为差", done)
    assert slots["visit_daily"] is None and slots.get("visit_care") is None and "还没问到" in texts[0]
    slots, texts, _ = await validate("visit_photo", "/inform", done, metadata={"command": "photo", "args": "AgAC-file"})
    assert slots["visit_photo"] == ["AgAC-file"]
    done |= {"visit_daily": 3, "visit_health": 3, "visit_care": 3, "visit_notes": "", "visit_photo": ["AgAC-file"]}
    slots, texts, _ = await validate("visit_confirm", "/inform", done, metadata={"command": "photo", "args": "AgAC-2"})
    assert slots["visit_photo"] == ["AgAC-file", "AgAC-2"] and slots["visit_confirm"] is None and "共 2 张" in texts[0]
    slots, texts, _ = await validate("visit_person", "没有这个人", {})
    assert slots["visit_person"] is None and "没有找到" in texts[0]


async def test_cancel_keeps_a_draft_and_log_visit_resumes_it(person):
    draft = {"visit_person": {"id": person["id"], "label": "某某"}, "visit_environment": 4}
    slots, _, _ = await validate("visit_hygiene", "取消", draft)
    assert slots["visit_state"] == "paused" and slots["requested_slot"] is None  # the form ends
    paused = {**draft, "visit_state": "paused"}
    slots, messages = run(act.ActionVisitSubmit(), make_tracker("取消", sender=STAFF, slots=paused))
    assert "已填的内容会保留" in messages[0]["text"] and "visit_environment" not in slots
    slots, messages = run(act.ActionVisitStart(), make_tracker("登记探访", "log_visit", sender=STAFF, slots=paused))
    assert slots == {"visit_state": None, "visit_reask": None} and "已填 2 项" in messages[0]["text"]
    slots, messages = run(act.ActionVisitStart(), make_tracker("重新登记探访", "log_visit", sender=STAFF, slots=paused))
    assert slots["visit_person"] is None and slots["visit_environment"] is None


def test_a_confirmed_visit_is_saved_and_audited(person):
    answers = {
        "visit_person": {"id": person["id"], "label": "某某"},
        "visit_environment": 2, "visit_hygiene": 1, "visit_daily": 2, "visit_health": 3, "visit_care": "na",
        "visit_notes": "屋里乱", "visit_photo": [], "visit_confirm": True,
    }  # fmt: skip
    with session_scope() as s:
        before = s.scalar(select(func.count(CareVisit.id)))
    slots, messages = run(act.ActionVisitSubmit(), make_tracker("确认保存", sender=STAFF, slots=answers))
    assert "已保存这次探访" in messages[0]["text"] and "得分 2.00" in messages[0]["text"]
    assert "低于 3 分" in messages[1]["text"]
    assert all(v is None for v in slots.values())
    with session_scope() as s:
        assert s.scalar(select(func.count(CareVisit.id))) == before + 1
        saved = s.scalars(select(CareVisit).order_by(CareVisit.id.desc())).first()
        assert saved.visited_on is not None and saved.ratings["care"] is None and saved.notes == "屋里乱"
        assert s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "visit_saved")) == 1


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    """Settings with var/ in a temporary folder (the chart is written under var/reports)."""
    monkeypatch.setenv("LUEYANG_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    get_settings.cache_clear()


def test_visits_command(person, var_dir):
    tmp_path = var_dir

    def command(args: str, sender: str = STAFF):
        tracker = make_tracker("/inform", "inform", sender=sender, metadata={"command": "visits", "args": args})
        return run(act.ActionVisitsCommand(), tracker)[1]

    assert "只对民政工作人员开放" in command("", sender="tg-5005-5005")[0]["text"]
    with session_scope() as s:
        add_staff(s, "无镇热线", "hotline", [], ["term:no-towns"])
    assert "还没有分管的镇" in command("", sender="term-no-towns")[0]["text"]
    assert "探访" in command("")[0]["text"]
    history = command(f"历史 {person['case_no']}")[0]["text"]
    assert person["case_no"] in history and "照料人" in history and "****" in history
    stale = tmp_path / "reports" / "visits-2020-01-01-0000abcd.png"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"old")
    messages = command("报表")
    assert not stale.exists()  # an earlier day's chart is removed
    image = next(m["image"] for m in messages if m.get("image"))
    assert Path(image).read_bytes()[:4] == b"\x89PNG" and Path(image).is_relative_to(tmp_path)
    assert "图中编号" in messages[-1]["text"]
    assert "被标记" in command("标记")[0]["text"] or "没有被标记" in command("标记")[0]["text"]


def test_a_database_failure_on_save_keeps_the_answers(person, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(act.service, "save_visit", broken)
    answers = {
        "visit_person": {"id": person["id"], "label": "某某"}, "visit_environment": 4, "visit_hygiene": 4,
        "visit_daily": 4, "visit_health": 4, "visit_care": 4, "visit_notes": "", "visit_photo": [], "visit_confirm": True,
    }  # fmt: skip
    slots, messages = run(act.ActionVisitSubmit(), make_tracker("确认保存", sender=STAFF, slots=answers))
    assert "没有保存成功" in messages[0]["text"] and "已填的内容还在" in messages[0]["text"]
    assert slots == {"visit_state": "paused", "visit_confirm": None}  # the ratings stay: 登记探访 resumes at the summary


async def test_a_corrected_visit_date_is_saved(person):
    answers = {
        "visit_person": {"id": person["id"], "label": "某某"}, "visit_environment": 4, "visit_hygiene": 4,
        "visit_daily": 4, "visit_health": 4, "visit_care": 4, "visit_notes": "", "visit_photo": [],
    }  # fmt: skip
    slots, texts, _ = await validate("visit_confirm", "日期改为昨天", answers)
    yesterday = clock.today() - timedelta(days=1)
    assert slots["visit_person"]["date"] == yesterday.isoformat() and slots["visit_confirm"] is None
    assert texts == [f"好的，已把“探访日期”改为：{yesterday}。"]
    _, asked = run(act.ActionAskVisitConfirm(), make_tracker("", sender=STAFF, slots={**answers, **slots}))
    assert f"探访日期：{yesterday}" in asked[0]["text"]  # the summary is shown again with the new date
    confirmed = {**answers, "visit_person": slots["visit_person"], "visit_confirm": True}
    run(act.ActionVisitSubmit(), make_tracker("确认保存", sender=STAFF, slots=confirmed))
    with session_scope() as s:
        saved = s.scalars(select(CareVisit).order_by(CareVisit.id.desc())).first()
        assert saved.visited_on == yesterday
