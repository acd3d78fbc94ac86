from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cases import replies, service
from bot.cases.demo import DEMO_STAFF, demo_rows, load_demo
from bot.cases.identity import stored_id
from bot.cases.importer import ImportReport, write_rows
from bot.cases.lookup import my_cases, resident_lookup, staff_lookup
from bot.cases.pending import list_pending, mark_handled, store_pending_message
from bot.cases.staff import add_staff, create_bind_code, redeem_bind_code
from bot.db.models import PendingMessage, Staff
from bot.db.session import session_scope
from bot.errors import InputError
from bot.parsing.identity import generate_id_number
from bot.staff_access import staff_member

TODAY = date(2025, 6, 30)
NOW = datetime(2025, 6, 30, 2, 0)  # naive UTC = 10:00 in China


@pytest.fixture
def demo(db):
    """Demo staff + cases dated relative to TODAY; returns the rows."""
    with session_scope() as s:
        load_demo(s, today=TODAY)
    return demo_rows(TODAY)


def _row(rows, **want):
    return next(r for r in rows if all(getattr(r, k) == v for k, v in want.items()))


def test_resident_lookup_found_with_masked_name_and_deadline(demo, settings, params):
    row = _row(demo, programme="低保", status="调查核实中")
    with session_scope() as s:
        result = resident_lookup(
            s, "tg-1-1", row.case_no, row.id_last6.lower(), now=NOW, today=TODAY, settings=settings
        )
    assert result.outcome == "found"
    text = replies.resident_result(result, params)
    assert row.case_no in text and "调查核实中" in text and "下一步" in text
    assert row.applicant_name not in text and row.applicant_name[0] + "*" in text
    assert "30个工作日" in text and "第二十二条" in text


def test_wrong_pair_and_unknown_case_get_the_same_reply(demo, settings, params):
    row = demo[0]
    wrong_last6 = "000000" if row.id_last6 != "000000" else "111111"
    with session_scope() as s:
        a = resident_lookup(s, "tg-2-2", row.case_no, wrong_last6, now=NOW, today=TODAY, settings=settings)
    with session_scope() as s:
        b = resident_lookup(
            s, "tg-3-3", "LY2025DB99999", row.id_last6, now=NOW, today=TODAY, settings=settings
        )
    assert a.outcome == b.outcome == "no_match"
    assert replies.resident_result(a, params) == replies.resident_result(b, params)


def test_malformed_input_is_not_counted(demo, settings):
    with session_scope() as s, pytest.raises(InputError):
        resident_lookup(s, "tg-4-4", "LY12", "123456", now=NOW, settings=settings)
    with session_scope() as s:
        r = resident_lookup(
            s, "tg-4-4", demo[0].case_no, demo[0].id_last6, now=NOW, today=TODAY, settings=settings
        )
    assert r.outcome == "found"


def test_five_failures_lock_for_an_hour(demo, settings, params):
    row = demo[1]
    sender = "tg-5-5"
    outcomes = []
    for i in range(5):
        with session_scope() as s:
            outcomes.append(
                resident_lookup(
                    s,
                    sender,
                    "LY2025DB99999",
                    "123456",
                    now=NOW + timedelta(minutes=i),
                    today=TODAY,
                    settings=settings,
                ).outcome
            )
    assert outcomes == ["no_match"] * 4 + ["locked"]
    # even the right pair is refused while locked, with the office contact
    with session_scope() as s:
        locked = resident_lookup(
            s,
            sender,
            row.case_no,
            row.id_last6,
            now=NOW + timedelta(minutes=30),
            today=TODAY,
            settings=settings,
        )
    assert locked.outcome == "locked"
    assert locked.locked_until == NOW + timedelta(minutes=4) + timedelta(hours=1)
    text = replies.resident_result(locked, params)
    assert "暂停" in text and "11:04" in text and "民政" in text
    # another sender is not affected
    with session_scope() as s:
        other = resident_lookup(
            s, "tg-6-6", row.case_no, row.id_last6, now=NOW, today=TODAY, settings=settings
        )
    assert other.outcome == "found"
    # an hour after the fifth failure the sender may try again
    with session_scope() as s:
        later = resident_lookup(
            s,
            sender,
            row.case_no,
            row.id_last6,
            now=NOW + timedelta(minutes=65),
            today=TODAY,
            settings=settings,
        )
    assert later.outcome == "found"


def test_failures_spread_over_more_than_an_hour_do_not_lock(demo, settings):
    for i in range(6):
        with session_scope() as s:
            r = resident_lookup(
                s,
                "tg-7-7",
                "LY2025DB99999",
                "123456",
                now=NOW + timedelta(minutes=20 * i),
                today=TODAY,
                settings=settings,
            )
        assert r.outcome == "no_match"


def test_overdue_case_says_so_and_offers_contact(demo, settings, params):
    rows = [r for r in demo if r.programme == "低保" and r.status in ("调查核实中", "审核确认中", "已受理")]
    row = min(rows, key=lambda r: r.accepted_on)
    assert (TODAY - row.accepted_on).days > 60
    with session_scope() as s:
        result = resident_lookup(
            s, "tg-8-8", row.case_no, row.id_last6, now=NOW, today=TODAY, settings=settings
        )
    assert result.case.overdue
    text = replies.resident_result(result, params)
    assert "已超过规定的办理时限" in text
    assert f"{row.town}" in text and "民政办" in text
    # no phone is configured (unverified): no number is invented
    assert "电话请以当地公布的为准" in text


def _staff(session, name):
    return session.scalar(select(Staff).where(Staff.name == name))


def test_staff_scope_refusal_and_admin_sees_all(demo, params):
    caseworker = DEMO_STAFF[0]  # 兴州街道, 横现河街道, 接官亭镇
    inside = _row(demo, town="接官亭镇")
    outside = _row(demo, town="郭镇")
    with session_scope() as s:
        staff = _staff(s, caseworker.name)
        ok = staff_lookup(s, staff, inside.case_no, today=TODAY, params=params)
        refused = staff_lookup(s, staff, outside.case_no, today=TODAY, params=params)
        admin = staff_lookup(s, _staff(s, "系统管理员"), outside.case_no, today=TODAY, params=params)
    assert ok.outcome == "found" and ok.cases[0].history
    assert refused.outcome == "denied" and "不在您负责" in replies.staff_result(refused)
    assert admin.outcome == "found"
    text = replies.staff_result(ok)
    assert inside.case_no in text and "历史" in text and inside.id_masked in text


def test_staff_lookup_by_name_and_full_id(demo, params):
    with session_scope() as s:
        staff = add_staff(s, "测试经办", "caseworker", ["郭镇"])
        rng = random.Random(99)
        id_number = generate_id_number(rng)
        ident = stored_id(id_number)
        row = demo[0].__class__(
            **{
                **demo[0].__dict__,
                "case_no": "LY2025DB77777",
                "town": "郭镇",
                "applicant_name": "测试人",
                "id_hash": ident.id_hash,
                "id_last6": ident.id_last6,
                "id_masked": ident.id_masked,
                "id_last6_hash": ident.id_last6_hash,
            }
        )
        write_rows(s, [row], ImportReport(), source="t")
    with session_scope() as s:
        staff = _staff(s, "测试经办")
        by_name = staff_lookup(s, staff, "测试人", today=TODAY, params=params)
        by_id = staff_lookup(s, staff, id_number, today=TODAY, params=params)
        nobody = staff_lookup(s, staff, "不存在", today=TODAY, params=params)
    assert by_name.outcome == by_id.outcome == "found"
    assert by_name.cases[0].case_no == by_id.cases[0].case_no == "LY2025DB77777"
    assert by_id.query_kind == "id_number" and nobody.outcome == "not_found"
    assert id_number not in replies.staff_result(by_id)


def test_mycases_lists_open_and_overdue_in_scope(demo, params):
    with session_scope() as s:
        staff = _staff(s, DEMO_STAFF[0].name)
        mine = my_cases(s, staff, today=TODAY, params=params, limit=500)
    assert mine.assigned_total == len(mine.assigned) > 0
    assert all(v.is_open and v.town in DEMO_STAFF[0].towns for v in mine.assigned)
    assert mine.overdue and all(v.overdue and v.town in DEMO_STAFF[0].towns for v in mine.overdue)
    expected_overdue = {v.case_no for v in mine.assigned if v.overdue}
    assert expected_overdue <= {v.case_no for v in mine.overdue}
    text = replies.my_cases_text(mine)
    assert "超过办理时限" in text


def test_sender_ids_map_to_staff_only_in_private_chats(db):
    with session_scope() as s:
        add_staff(s, "张经办", "caseworker", ["郭镇"], ["tg-user:42", "term:zhang"])
    with session_scope() as s:
        assert staff_member(s, "tg-42-42").name == "张经办"
        assert staff_member(s, "term-zhang").name == "张经办"
        assert staff_member(s, "tg--1001234-42") is None  # a group chat
        assert staff_member(s, "tg-43-43") is None


def test_bind_code_once_then_invalid_and_bind_lockout(db, settings):
    with session_scope() as s:
        staff = add_staff(s, "李热线", "hotline", ["郭镇"])
        code = create_bind_code(s, staff).code
    with session_scope() as s:
        assert redeem_bind_code(s, "tg-77-77", code.lower(), settings=settings).outcome == "bound"
    with session_scope() as s:
        assert staff_member(s, "tg-77-77").name == "李热线"
        assert redeem_bind_code(s, "tg-78-78", code, settings=settings).outcome == "invalid"
        assert redeem_bind_code(s, "tg--5-78", code, settings=settings).outcome == "not_private"
    outcomes = []
    for _ in range(6):
        with session_scope() as s:
            outcomes.append(redeem_bind_code(s, "tg-79-79", "WRONG123", settings=settings).outcome)
    assert outcomes == ["invalid"] * 5 + ["locked"]


def test_pending_messages_store_masked_and_mark_handled(db):
    msg_id = store_pending_message("tg-9-9", "telegram", "我的身份证 610727199001011236 电话13912345678")
    with session_scope() as s:
        rows = list_pending(s)
        assert [r.id for r in rows] == [msg_id]
        assert "610727199001011236" not in rows[0].text and "****************36" in rows[0].text
        assert mark_handled(s, msg_id)
    with session_scope() as s:
        assert list_pending(s) == [] and s.get(PendingMessage, msg_id).handled_at is not None


def test_service_status_request_resident_and_staff(demo):
    row = _row(demo, town="兴州街道")
    # terminal staff of the demo (term:staff), resident otherwise
    staff_text = service.status_reply("term-staff", command="status", args=row.case_no).text
    assert "历史" in staff_text and row.case_no in staff_text
    mycases = service.status_reply("term-staff", command="mycases").text
    assert "您经办的未办结案件" in mycases or "没有未办结" in mycases
    assert "仅供民政工作人员" in service.status_reply("tg-11-11", command="mycases").text
    resident = service.status_reply("tg-12-12", case_no=row.case_no, id_number=None, id_last6=row.id_last6).text
    assert "查到了您的申请" in resident
    assert service.status_reply("tg-12-12", case_no=row.case_no).text == replies.ask_id_last6()


def test_fields_from_text():
    f = service.fields_from_text("LY-2024-DB-00123 身份证后六位 12345x")
    assert f == {"case_no": "LY2024DB00123", "id_last6": "12345X"}
    id_number = generate_id_number(random.Random(3))
    f = service.fields_from_text(f"查 {id_number} LY2024TK00001")
    assert f["case_no"] == "LY2024TK00001" and f["id_last6"] == id_number[-6:] and f["id_number"] == id_number


def test_name_search_limits_and_counts_the_rest(demo, params):
    rng = random.Random(5)
    rows = []
    for i, town in enumerate(["郭镇", "郭镇", "黑河镇", "接官亭镇"]):
        ident = stored_id(generate_id_number(rng))
        rows.append(
            replace(
                demo[0],
                case_no=f"LY2025DB8800{i}",
                town=town,
                applicant_name="重名人",
                id_hash=ident.id_hash,
                id_last6=ident.id_last6,
                id_masked=ident.id_masked,
                id_last6_hash=ident.id_last6_hash,
            )
        )
    with session_scope() as s:
        write_rows(s, rows, ImportReport(), source="t")
    with session_scope() as s:
        admin = staff_lookup(s, _staff(s, "系统管理员"), "重名人", today=TODAY, params=params, limit=2)
        worker = staff_lookup(
            s, _staff(s, "钱立新"), "重名人", today=TODAY, params=params, limit=2
        )  # 郭镇, 黑河镇
        other = staff_lookup(
            s, _staff(s, "郑晓岚"), "重名人", today=TODAY, params=params
        )  # 白水江镇, 硖口驿镇
    assert len(admin.cases) == 2 and admin.more == 2
    assert len(worker.cases) == 2 and worker.more == 1
    assert {v.town for v in worker.cases} <= {"郭镇", "黑河镇"}
    assert other.outcome == "denied"
    assert "另有2件" in replies.staff_result(admin)
