"""Visits in the database: the person within the staff member's towns, audited saves, due lists, evaluations and
flags, reminders through the outbox, masking (DB tests on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.cases.staff import add_staff
from bot.db.models import (
    AuditEntry,
    CareAgreement,
    Caregiver,
    CaregiverEvaluation,
    CareRecipient,
    CareVisit,
    Case,
    OutboxMessage,
)
from bot.db.session import session_scope
from bot.errors import InputError
from bot.staff_access import StaffMember
from bot.visits import service
from bot.visits.rules import Decision, DueState, VisitParams, period_of
from tests.visits.conftest import TODAY, tekun_rows

P = VisitParams()
GOOD = {"environment": 5, "hygiene": 4, "daily": 4, "health": 5, "care": 4}
POOR = {"environment": 2, "hygiene": 1, "daily": 2, "health": 3, "care": 2}


def add_person(s, case_no, *, mode="分散", since=date(2023, 1, 1), level=None, caregiver=("李建华", "13812345678")):
    case = s.scalar(select(Case).where(Case.case_no == case_no))
    person = CareRecipient(case_id=case.id, support_mode=mode, since=since, care_level=level)
    s.add(person)
    s.flush()
    if caregiver:
        giver = Caregiver(name=caregiver[0], phone=caregiver[1])
        s.add(giver)
        s.flush()
        s.add(CareAgreement(recipient_id=person.id, caregiver_id=giver.id, relation="侄子", starts_on=since))
        s.flush()
    return person


def visit(s, person, day, ratings, caregiver_id=None):
    s.add(
        CareVisit(
            recipient_id=person.id, visited_on=day, visitor_name="测试", ratings=ratings,
            score=service.visit_score(ratings, P), photos=[], caregiver_id=caregiver_id,
        )
    )  # fmt: skip


@pytest.fixture
def town_people(demo_db, rows):
    """Two 分散 people and one 集中 person in the town with the most demo 特困 cases."""
    town = max({r.town for r in tekun_rows(rows)}, key=lambda t: len(tekun_rows(rows, t)))
    tk = tekun_rows(rows, town)
    with session_scope() as s:
        a = add_person(s, tk[0].case_no)
        b = add_person(s, tk[1].case_no, caregiver=None)
        c = add_person(s, tk[2].case_no, mode="集中", caregiver=None)
        ids = (a.id, b.id, c.id)
    return town, tk, ids


def member(town, role="caseworker", staff_id=1):
    return StaffMember("测试经办", role, (town,), staff_id)


def test_find_person_by_case_number_or_name_within_the_towns(town_people):
    town, tk, (a, _b, c) = town_people
    with session_scope() as s:
        assert service.find_person(s, member(town), tk[0].case_no.lower()).found.id == a
        assert service.find_person(s, member(town), f"{tk[0].applicant_name}").found.id == a
        outside = service.find_person(s, member("郭镇" if town != "郭镇" else "黑河镇"), tk[0].case_no)
        assert outside.found is None and "不在您分管" in outside.message
        by_name = service.find_person(s, member("郭镇" if town != "郭镇" else "黑河镇"), tk[0].applicant_name)
        assert by_name.found is None and "没有找到" in by_name.message
        central = service.find_person(s, member(town), tk[2].case_no)
        assert central.found is None and "集中供养" in central.message
        assert service.find_person(s, member(town), "LY2023TK00077").found is None
        assert service.find_person(s, StaffMember("管理员", "admin"), tk[1].case_no).found is not None


def test_a_saved_visit_is_audited_with_the_phone_masked(town_people):
    town, tk, (a, _b, _c) = town_people
    with session_scope() as s:
        staff = add_staff(s, "测试经办", "caseworker", [town])
        me = StaffMember.from_record(staff)
        saved = service.save_visit(
            s, member=me, sender_id="term-visitor", recipient_id=a, visited_on=TODAY,
            ratings={**POOR, "care": None}, notes="照料人电话13812345678，已提醒", photos=["AgACAgUAAxkBAAI"], params=P,
        )  # fmt: skip
        visit_id = saved.id
    with session_scope() as s:
        v = s.get(CareVisit, visit_id)
        assert v.score == Decimal("2.00") and v.ratings["care"] is None and v.photos == ["AgACAgUAAxkBAAI"]
        assert v.caregiver.name == "李建华" and v.visitor_name == "测试经办"
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "visit_saved"))
        assert entry.case_no == tk[0].case_no and entry.role == "staff" and entry.staff_id == me.id
        assert f"记录 {visit_id}" in entry.detail and "居住环境较差" in entry.detail and "照料人是否按协议照护不适用" in entry.detail
        text = service.history_text(s, service.recipient_ref(s, a), TODAY)
        assert "138****5678" in text and "13812345678" not in text and "较差：居住环境、个人卫生" in text


def test_save_refuses_other_towns_and_bad_ratings(town_people):
    town, _tk, (a, _b, _c) = town_people
    with session_scope() as s:
        with pytest.raises(InputError, match="不在您分管"):
            service.save_visit(s, member=member("某镇"), sender_id="term-x", recipient_id=a, visited_on=TODAY,
                               ratings=GOOD, notes=None, params=P)  # fmt: skip
        with pytest.raises(InputError, match="评分无效"):
            service.save_visit(s, member=member(town), sender_id="term-x", recipient_id=a, visited_on=TODAY,
                               ratings={"environment": 9}, notes=None, params=P)  # fmt: skip


def test_due_list_oldest_first_and_only_dispersed(town_people):
    town, _tk, (a, b, _c) = town_people
    with session_scope() as s:
        visit(s, s.get(CareRecipient, a), TODAY - timedelta(days=45), GOOD)  # overdue ~2 weeks
        s.get(CareRecipient, b).since = None  # never visited, no start date: first
    with session_scope() as s:
        items = service.due_list(s, [town], TODAY, P)
        assert [i.ref.id for i in items] == [b, a]
        assert items[0].state is DueState.OVERDUE and items[0].last_visit is None
        assert items[1].days_overdue == (TODAY - items[1].due).days > 0
        visit(s, s.get(CareRecipient, a), TODAY - timedelta(days=3), GOOD)
    with session_scope() as s:
        assert [i.ref.id for i in service.due_list(s, [town], TODAY, P)] == [b]
        assert service.due_list(s, ["不存在的镇"], TODAY, P) == []


def test_two_low_evaluations_in_a_row_flag_the_caregiver(town_people):
    town, _tk, (a, _b, _c) = town_people
    q1, q2, q3 = (period_of(date(2024, m, 1), 3) for m in (1, 4, 7))
    with session_scope() as s:
        person = s.get(CareRecipient, a)
        giver = person.agreements[0].caregiver_id
        visit(s, person, date(2024, 2, 5), POOR, giver)
        visit(s, person, date(2024, 3, 5), GOOD, giver)  # Q1 mean 3.6: fine
        visit(s, person, date(2024, 4, 5), POOR, giver)
        visit(s, person, date(2024, 5, 5), POOR, giver)
        s.flush()
        [e1] = service.evaluate_period(s, q1, P)
        [e2] = service.evaluate_period(s, q2, P)
        assert (e1.decision, e2.decision, e2.flagged) == ("keep", "warn", False)
        visit(s, person, date(2024, 7, 5), POOR, giver)
        s.flush()
        [e3] = service.evaluate_period(s, q3, P)
        assert e3.flagged and e3.decision == Decision.REPLACE.value and "转为集中供养" in e3.reason
        flags = service.flagged(s, [town])
        assert [f.evaluation.id for f in flags] == [e3.id] and "李建华" in service.flags_text(flags)
        assert service.flagged(s, ["不存在的镇"]) == []
        # the meeting decides: a person's decision is kept when the rule runs again
        service.decide(s, e3.id, "centralise", by="镇评价会议")
        [again] = service.evaluate_period(s, q3, P)
        assert again.decision == "centralise" and again.decided_by == "镇评价会议"
        assert s.scalar(select(AuditEntry.detail).where(AuditEntry.action == "caregiver_decision")).endswith("转为集中供养")
        with pytest.raises(InputError):
            service.decide(s, e3.id, "fire", by="x")


def test_a_new_caregiver_starts_with_a_clean_record(town_people):
    _town, _tk, (a, _b, _c) = town_people
    with session_scope() as s:
        person = s.get(CareRecipient, a)
        old = person.agreements[0].caregiver_id
        new = Caregiver(name="王小军", phone=None)
        s.add(new)
        s.flush()
        visit(s, person, date(2024, 2, 5), POOR, old)
        visit(s, person, date(2024, 5, 5), POOR, new.id)
        s.flush()
        service.evaluate_period(s, period_of(date(2024, 2, 1), 3), P)
        [e2] = service.evaluate_period(s, period_of(date(2024, 5, 1), 3), P)
        assert e2.decision == "warn" and not e2.flagged
        assert s.scalar(select(CaregiverEvaluation.caregiver_id).where(CaregiverEvaluation.id == e2.id)) == new.id


def test_reminders_once_a_working_day_to_caseworkers_with_overdue_visits(town_people):
    town, _tk, (a, _b, _c) = town_people
    with session_scope() as s:
        add_staff(s, "提醒经办", "caseworker", [town], ["tg-user:700001", "term:remind"])
        add_staff(s, "别镇经办", "caseworker", ["某镇" if False else ("郭镇" if town != "郭镇" else "黑河镇")], ["tg-user:700002"])
    with session_scope() as s:
        assert service.remind_overdue(s, TODAY, P) == 1  # the Telegram binding only; the terminal cannot be reached
        assert service.remind_overdue(s, TODAY, P) == 0  # once a day
        msg = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "visits"))
        assert msg.recipient == "tg-700001-700001" and "逾期未探访" in msg.text
        assert service.remind_overdue(s, date(2024, 6, 29), P) == 0  # a Saturday
        assert service.remind_overdue(s, date(2024, 10, 1), P) == 0  # 国庆
        assert service.remind_overdue(s, date(2024, 7, 1), P) == 1
