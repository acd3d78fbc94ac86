from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from bot.cases.deadlines import overdue_cutoff, statutory_deadline
from bot.cases.importer import normalize_programme
from bot.cases.replies import deadline_lines
from bot.cases.status import CLOSED_STATUSES, OPEN_STATUSES, STATUSES, get_status, status_for
from bot.cases.status_changes import status_message
from bot.cases.workdays import add_working_days, get_calendar
from bot.errors import InputError
from bot.programmes import DIBAO, TEKUN, TEMP_RELIEF


def test_dibao_is_30_working_days_across_national_day(params):
    # accepted Fri 2024-09-20: 23-27 Sep (5), Sun 29 Sep make-up (6), 30 Sep (7), 1-7 Oct off, 8-11 Oct (11),
    # Sat 12 Oct make-up (12), three full weeks (27), 4-6 Nov (30)
    d = statutory_deadline(DIBAO, date(2024, 9, 20), params=params)
    assert d.due == date(2024, 11, 6)
    assert "30个工作日" in d.description
    assert "第二十二条" in d.basis
    assert "45" in d.note


def test_tekun_is_15_working_days_publicity_7_days_then_15_working_days(params):
    accepted = date(2025, 1, 20)
    town_done = add_working_days(accepted, 15)
    expected = add_working_days(town_done + timedelta(days=7), 15)
    d = statutory_deadline(TEKUN, accepted, params=params)
    assert d.due == expected
    # 21-24 Jan (4), Sun 26 Jan make-up (5), 27 Jan (6), 28 Jan-4 Feb off, 5-7 Feb (9), Sat 8 Feb (10), 10-14 Feb (15)
    assert town_done == date(2025, 2, 14)
    assert "第十三条" in d.basis and "第十六条" in d.basis


def test_temp_relief_has_no_statutory_total(params):
    d = statutory_deadline(TEMP_RELIEF, date(2025, 3, 3), params=params)
    assert d.due is None
    assert "没有统一" in d.note


@pytest.mark.parametrize("programme", [DIBAO, TEKUN])
def test_overdue_cutoff_matches_deadlines(programme, params):
    today = date(2025, 10, 20)
    cutoff = overdue_cutoff(programme, today, params=params)
    assert cutoff is not None
    for offset in range(0, 120):
        accepted = today - timedelta(days=offset)
        overdue = statutory_deadline(programme, accepted, params=params).is_overdue(today)
        assert overdue == (accepted <= cutoff), accepted


def test_overdue_cutoff_none_without_deadline(params):
    assert overdue_cutoff(TEMP_RELIEF, date(2025, 10, 20), params=params) is None


def test_status_vocabulary_complete():
    assert set(STATUSES) == {
        "已受理",
        "调查核实中",
        "公示中",
        "审核确认中",
        "已批准",
        "未通过",
        "已发放",
        "需补充材料",
        "已撤回",
    }
    for s in STATUSES.values():
        assert s.meaning and s.next_step
    assert set(OPEN_STATUSES) | set(CLOSED_STATUSES) == set(STATUSES)
    assert "需补充材料" in OPEN_STATUSES and "已发放" in CLOSED_STATUSES


def test_status_aliases_and_unknown():
    assert get_status("审批中").name == "审核确认中"
    assert get_status(" 已受理 ").name == "已受理"
    with pytest.raises(InputError) as err:
        get_status("办好了")
    assert "办好了" in err.value.reason


def test_programme_aliases():
    assert normalize_programme("农村低保") == DIBAO
    assert normalize_programme("特困") == TEKUN
    assert normalize_programme("temp_relief") == TEMP_RELIEF
    with pytest.raises(InputError):
        normalize_programme("医疗救助")


# --- issue 15 item 9: status texts by programme ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("programme", "status", "present", "absent"),
    [
        (DIBAO, "公示中", ["公示期为7天"], []),  # 最低生活保障审核确认办法 第十九条
        (TEKUN, "公示中", ["公示期为7天"], []),  # 特困人员认定办法 第十五条
        (TEMP_RELIEF, "公示中", ["没有统一规定临时救助的公示天数"], ["7天"]),
        (DIBAO, "已批准", ["下个月起按月发放"], []),  # 审核确认办法 第二十一条
        (TEKUN, "已批准", ["下个月起给予救助供养待遇"], []),  # 认定办法 第十七条
        (TEMP_RELIEF, "已批准", ["一次性救助", "不是每月都发"], ["下个月起"]),
        (TEMP_RELIEF, "已发放", ["一次性救助"], []),
        (None, "公示中", ["公示"], ["7天"]),  # programme unknown: nothing that is wrong for one of them
        (None, "已批准", ["存折或社保卡"], ["下个月起"]),
    ],
)
def test_status_texts_follow_the_programme(programme, status, present, absent):
    found = status_for(status, programme)
    text = found.meaning + found.next_step
    for word in present:
        assert word in text, (programme, status, text)
    for word in absent:
        assert word not in text, (programme, status, text)
    assert found.open == STATUSES[status].open


def test_general_status_texts_are_right_for_every_programme():
    # the general entries are shown where the programme is unknown: no 7-day 公示, no next-month payment
    assert "7天" not in STATUSES["公示中"].meaning
    assert "下个月" not in STATUSES["已批准"].next_step
    assert status_for("办好了", DIBAO) is None
    assert status_for("已受理", TEMP_RELIEF) is STATUSES["已受理"]


def test_replies_and_notifications_use_the_programme_wording():
    assert "公示期为7天" in status_message("LY2024DB00001", "公示中")
    temp = status_message("LY2024LS00001", "已批准")
    assert "一次性救助" in temp and "下个月起" not in temp
    assert "公示期为7天" not in status_message("not-a-case-number", "公示中")


# --- issue 15 item 10: 特困 total is an estimate; 低保 is overdue only after the lawful 45-working-day extension ---
def test_dibao_overdue_honours_the_extension_to_45_working_days(params):
    accepted = date(2025, 3, 3)
    d = statutory_deadline(DIBAO, accepted, params=params)
    assert d.due == add_working_days(accepted, 30)
    assert d.latest == add_working_days(accepted, 45) and d.final == d.latest
    assert not d.estimate
    between = d.due + timedelta(days=7)  # past the usual 30 working days, within the lawful 45
    assert between < d.latest
    assert not d.is_overdue(between)
    assert d.is_overdue(d.latest + timedelta(days=1))
    assert "第二十二条" in d.basis and "45个工作日" in d.note


def test_tekun_total_is_labelled_an_estimate(params):
    d = statutory_deadline(TEKUN, date(2025, 3, 3), params=params)
    assert d.estimate and d.latest is None and d.final == d.due
    assert "估算" in d.description and "没有规定特困供养认定的总时限" in d.note


def _view(deadline, today):
    left = get_calendar().working_days_between(today, deadline.due)
    return SimpleNamespace(
        is_open=True, deadline=deadline, overdue=deadline.is_overdue(today), working_days_left=left
    )


def test_replies_say_past_the_usual_time_estimate_and_overdue(params):
    accepted = date(2025, 3, 3)
    dibao = statutory_deadline(DIBAO, accepted, params=params)
    between = "\n".join(deadline_lines(_view(dibao, dibao.due + timedelta(days=7))))
    assert "已超过一般办理时限" in between and "特殊情况下最迟到" in between and "⚠" not in between
    late = "\n".join(deadline_lines(_view(dibao, dibao.latest + timedelta(days=1))))
    assert "⚠ 这件申请已超过规定的办理时限" in late
    tekun = statutory_deadline(TEKUN, accepted, params=params)
    text = "\n".join(deadline_lines(_view(tekun, tekun.due + timedelta(days=1))))
    assert "预计" in text and "估算" in text and "已超过按各环节时限估算的办结日期" in text
    assert "已超过规定的办理时限" not in text
