"""Logging a visit over the real REST channel (trained model + action server + demo data + visits demo data):
ratings by button, a correction, cancel and resume, a resident refused, /visits."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.cases.staff import add_staff
from bot.db.models import AuditEntry, CareRecipient, CareVisit
from bot.visits.demo import load_visits_demo
from bot.visits.service import DISPERSED
from tests.auxil.casedb import CaseDb

pytestmark = pytest.mark.rasa

BUTTON = {"button": True}


@pytest.fixture(scope="module")
def visits(assistant):
    """Visits demo data, one 分散 person, and a caseworker of that town on a terminal session of their own."""
    url = assistant.cluster.settings.database_url
    with CaseDb(url) as s:
        load_visits_demo(s)
        people = s.scalars(select(CareRecipient).where(CareRecipient.support_mode == DISPERSED)).all()
        person = people[0]
        name = f"visits-{uuid.uuid4().hex[:8]}"
        add_staff(s, "会话探访经办", "caseworker", [person.case.town], [f"term:{name}"])
        info = {"id": person.id, "case_no": person.case.case_no, "name": person.case.applicant.name}
    return {"url": url, "sender": f"term-{name}", **info}


def saved_visits(url: str, person_id: int) -> list[dict]:
    with CaseDb(url) as s:
        return [
            {"ratings": v.ratings, "notes": v.notes, "visitor": v.visitor_name, "photos": v.photos}
            for v in s.scalars(select(CareVisit).where(CareVisit.recipient_id == person_id).order_by(CareVisit.id))
        ]


def test_log_a_visit_with_buttons_and_a_correction(assistant, visits):
    sender, url = visits["sender"], visits["url"]
    before = len(saved_visits(url, visits["id"]))
    first = assistant.texts(sender, "登记探访")
    assert "开始登记一次探访" in first and "案件编号或姓名" in first
    text = assistant.texts(sender, visits["case_no"])
    assert f"探访对象：{visits['name']}" in text and "第 1/5 项：居住环境" in text and "[较好]" in text
    assert "第 2/5 项：个人卫生" in assistant.texts(sender, "较好", BUTTON)
    assert "第 3/5 项：饮食和日常生活" in assistant.texts(sender, "一般", BUTTON)
    corrected = assistant.texts(sender, "居住环境说错了，是较差")
    assert "已把“居住环境”改为：较差（2分）" in corrected and "第 3/5 项" in corrected
    assert "第 4/5 项：健康和就医" in assistant.texts(sender, "好", BUTTON)
    care = assistant.texts(sender, "较好", BUTTON)
    assert "第 5/5 项：照料人是否按协议照护" in care and "照料人：" in care and "[不适用]" in care
    assert "情况说明" in assistant.texts(sender, "一般", BUTTON)
    assert "照片" in assistant.texts(sender, "屋里有些乱，已当面提醒照料人打扫")
    summary = assistant.texts(sender, "没有照片", BUTTON)
    assert "居住环境：较差（2分）" in summary and "个人卫生：一般（3分）" in summary and "[确认保存]" in summary
    done = assistant.texts(sender, "确认保存", BUTTON)
    assert "已保存这次探访" in done
    visits_now = saved_visits(url, visits["id"])
    assert len(visits_now) == before + 1
    assert visits_now[-1]["ratings"] == {"environment": 2, "hygiene": 3, "daily": 5, "health": 4, "care": 3}
    assert visits_now[-1]["notes"] == "屋里有些乱，已当面提醒照料人打扫"
    assert visits_now[-1]["visitor"] == "会话探访经办"
    with CaseDb(url) as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "visit_saved", AuditEntry.case_no == visits["case_no"]))


def photo(file_id: str) -> dict:
    """What the Telegram front end sends for a photo (ConversationCore.handle_attachment): /inform + metadata."""
    return {"command": "photo", "args": file_id}


def test_photos_sent_in_the_chat_are_kept_with_the_visit(assistant, visits):
    sender, url = visits["sender"], visits["url"]
    assistant.texts(sender, "重新登记探访")
    assistant.texts(sender, visits["case_no"])
    early = assistant.texts(sender, "/inform", photo("AgAC-early"))
    assert "还没问到照片这一步" in early and "第 1/5 项：居住环境" in early
    for rating in ("好", "较好", "一般", "好", "好"):
        assistant.texts(sender, rating, BUTTON)
    assert "发送照片" in assistant.texts(sender, "无", BUTTON)
    summary = assistant.texts(sender, "/inform", photo("AgAC-first"))
    assert "收到照片，已记下" in summary and "照片：1 张" in summary and "[确认保存]" in summary
    more = assistant.texts(sender, "/inform", photo("AgAC-second"))
    assert "共 2 张" in more and "照片：2 张" in more
    assert "已保存这次探访" in assistant.texts(sender, "确认保存", BUTTON)
    assert saved_visits(url, visits["id"])[-1]["photos"] == ["AgAC-first", "AgAC-second"]


def test_a_photo_outside_the_visit_form_gets_the_non_text_answer(assistant, visits):
    for sender in (visits["sender"], f"term-photo-{uuid.uuid4().hex[:6]}"):
        assistant.texts(sender, "/cancel", BUTTON)
        assert assistant.texts(sender, "/inform", photo("AgAC-x")).startswith("抱歉，我目前只能阅读文字消息和按钮")


def test_cancel_keeps_the_draft_and_log_visit_resumes(assistant, visits):
    sender, url = visits["sender"], visits["url"]
    before = len(saved_visits(url, visits["id"]))
    start = assistant.texts(sender, "/log_visit", {"command": "visit", "args": visits["case_no"]})
    assert f"探访对象：{visits['name']}" in start and "第 1/5 项" in start
    assert "第 2/5 项" in assistant.texts(sender, "好", BUTTON)
    paused = assistant.texts(sender, "取消")
    assert "已填的内容会保留" in paused
    assert len(saved_visits(url, visits["id"])) == before
    resumed = assistant.texts(sender, "登记探访")
    assert "接着上次没填完的探访登记" in resumed and "已填 2 项" in resumed and "第 2/5 项" in resumed
    for rating in ("较好", "较好", "好", "不适用"):
        reply = assistant.texts(sender, rating, BUTTON)
    assert "情况说明" in reply
    assistant.texts(sender, "无", BUTTON)
    summary = assistant.texts(sender, "没有照片", BUTTON)
    assert "照料人是否按协议照护：不适用" in summary
    assert "已保存这次探访" in assistant.texts(sender, "确认保存", BUTTON)
    last = saved_visits(url, visits["id"])[-1]
    assert last["ratings"] == {"environment": 5, "hygiene": 4, "daily": 4, "health": 5, "care": None}


def test_a_resident_is_refused(assistant, visits):
    user = uuid.uuid4().int % 10**9 + 10**9  # a private Telegram chat of a user who is not staff
    sender = f"tg-{user}-{user}"
    refused = assistant.texts(sender, "登记探访")
    assert "只对镇（街道）民政工作人员开放" in refused and "第 1/5 项" not in refused
    assert "只对民政工作人员开放" in assistant.texts(sender, "/inform", {"command": "visits", "args": ""})
    # nothing of the form is left: an ordinary question is answered as usual
    assert "只对镇（街道）" not in assistant.texts(sender, "低保申请需要什么条件")


def test_visits_lists_the_towns_people(assistant, visits):
    text = assistant.texts(visits["sender"], "/inform", {"command": "visits", "args": ""})
    assert "探访" in text and "/visit" in text
    history = assistant.texts(visits["sender"], "/inform", {"command": "visits", "args": f"历史 {visits['case_no']}"})
    assert visits["case_no"] in history and "会话探访经办" in history


@pytest.mark.parametrize(
    ("start", "question"),
    [("/start_precheck", "（第 1/10 步）"), ("/check_status", "案件编号"), ("/request_human", "简单说一下")],
)
def test_a_photo_in_another_form_is_explained_and_the_question_asked_again(assistant, start, question):
    sender = f"term-photo-{uuid.uuid4().hex[:6]}"
    assert question in assistant.texts(sender, start, BUTTON)
    again = assistant.texts(sender, "/inform", photo("AgAC-x"))
    assert again.startswith("抱歉，我目前只能阅读文字消息和按钮") and question in again
