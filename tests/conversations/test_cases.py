"""Case-status conversations over the real REST channel (trained model + action server + demo data)."""

from __future__ import annotations

import pytest

from bot.cases.demo import demo_rows
from bot.cases.lookup import china_today
from bot.cases.staff import add_staff, create_bind_code
from bot.db.session import make_engine, session_scope, set_engine

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def rows():
    return demo_rows(china_today())


def _row(rows, **want):
    return next(r for r in rows if all(getattr(r, k) == v for k, v in want.items()))


def test_both_in_one_message(assistant, rows):
    row = _row(rows, programme="低保", status="调查核实中")
    text = assistant.texts(
        assistant.new_sender("tg"), f"查一下{row.case_no}的进度，身份证后六位{row.id_last6}"
    )
    assert "查到了您的申请" in text and "调查核实中" in text and "下一步" in text
    assert row.applicant_name not in text


def test_case_number_first_then_last6(assistant, rows):
    row = _row(rows, status="公示中")
    sender = assistant.new_sender("tg")
    first = assistant.texts(sender, "我的申请到哪一步了")
    assert "案件编号" in first
    second = assistant.texts(sender, row.case_no)
    assert "后六位" in second
    third = assistant.texts(sender, row.id_last6)
    assert "公示中" in third and "公示期为7天" in third


def test_last6_first_then_case_number(assistant, rows):
    row = _row(rows, status="审核确认中")
    sender = assistant.new_sender("tg")
    assistant.texts(sender, "查询办理进度")
    assistant.texts(sender, f"身份证后六位是{row.id_last6}")
    text = assistant.texts(sender, f"案件编号{row.case_no}")
    assert "审核确认中" in text


def test_wrong_pair_gets_the_same_reply_as_an_unknown_case(assistant, rows):
    row = rows[0]
    wrong = "000000" if row.id_last6 != "000000" else "111111"
    a = assistant.texts(assistant.new_sender("tg"), f"查一下{row.case_no}的进度，身份证后六位{wrong}")
    b = assistant.texts(assistant.new_sender("tg"), f"查一下LY2024DB99999的进度，身份证后六位{row.id_last6}")
    assert a == b and "没有查到" in a


def test_status_command_with_arguments(assistant, rows):
    row = rows[3]
    text = assistant.texts(
        assistant.new_sender("tg"),
        "/check_status",
        {"command": "status", "args": f"{row.case_no} {row.id_last6}"},
    )
    assert "查到了您的申请" in text


def test_mycases_for_demo_staff_and_refused_for_residents(assistant):
    staff = assistant.texts("term-staff", "/check_status", {"command": "mycases", "args": ""})
    assert "未办结" in staff
    resident = assistant.texts(
        assistant.new_sender("tg"), "/check_status", {"command": "mycases", "args": ""}
    )
    assert "仅供民政工作人员" in resident


def test_staff_lookup_in_and_out_of_scope(assistant, rows):
    inside = _row(rows, town="接官亭镇")
    outside = _row(rows, town="郭镇")
    text = assistant.texts("term-staff", "/check_status", {"command": "status", "args": inside.case_no})
    assert "历史" in text and inside.id_masked in text
    refused = assistant.texts("term-staff", "/check_status", {"command": "status", "args": outside.case_no})
    assert "不在您负责" in refused


def test_bind_code_links_a_telegram_user(assistant):
    set_engine(make_engine(assistant.cluster.settings.database_url))
    try:
        with session_scope() as s:
            code = create_bind_code(s, add_staff(s, "会话测试经办", "caseworker", ["郭镇"])).code
    finally:
        set_engine(None)
    text = assistant.texts("tg-424242-424242", "/inform", {"command": "bind", "args": code})
    assert "绑定成功" in text
    assert "未办结" in assistant.texts(
        "tg-424242-424242", "/check_status", {"command": "mycases", "args": ""}
    )


def test_bare_case_number_starts_the_lookup(assistant, rows):
    row = _row(rows, town="兴州街道")
    staff = assistant.texts("term-staff", row.case_no)
    assert row.case_no in staff and "历史" in staff
    sender = assistant.new_sender("tg")
    first = assistant.texts(sender, row.case_no)
    assert "后六位" in first
    assert "查到了您的申请" in assistant.texts(sender, row.id_last6)


def test_cancel_stops_the_lookup(assistant):
    sender = assistant.new_sender("tg")
    assert "案件编号" in assistant.texts(sender, "我想查一下申请进度")
    assert "已取消" in assistant.texts(sender, "/cancel")
