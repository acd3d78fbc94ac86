"""Tasks, results, corrections, closed months, reminders, the report, the 三类人群 summary and retention
(DB tests on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.audit.purge import purge
from bot.cases.workdays import add_working_days
from bot.db.models import AuditEntry, MonitoringMonth, MonitoringTask, MonitoringWarning, OutboxMessage
from bot.db.session import session_scope
from bot.errors import InputError
from bot.monitoring import report as rep
from bot.monitoring import service
from bot.monitoring.importer import import_warnings
from bot.monitoring.rules import MonitoringParams, Outcome, parse_reasons
from bot.monitoring.service import Result
from bot.staff_access import StaffMember
from tests.monitoring.conftest import ID, MONTH, OTHER_TOWN, TODAY, TOWN, warning_line, write_csv
from tests.staff_records import ensure_staff

PARAMS = MonitoringParams(check_working_days=10)
NOT_INCLUDED = Result(
    Outcome.NOT_INCLUDED, reasons=tuple(parse_reasons("收入情况：家庭年收入6万元；财产情况：有小轿车"))
)


@pytest.fixture
def tasks_db(cases_db, tmp_path):
    lines = [warning_line(i) for i in range(6)]
    lines += [warning_line(6, town=OTHER_TOWN, group="突发严重困难户", kind="因灾", size="2")]
    lines += [warning_line(7, group="脱贫不稳定户", size="4")]
    with session_scope() as s:
        import_warnings(s, write_csv(tmp_path / "w.csv", lines), today=TODAY, params=PARAMS)
    return cases_db


def member(towns=(TOWN,), name="白水江经办", role="caseworker") -> StaffMember:
    with session_scope() as s:
        sid = s.scalar(select(func.min(MonitoringTask.assignee_id)))
    return StaffMember(name, role, tuple(towns), sid)


def task_of(head: str) -> int:
    with session_scope() as s:
        return s.scalar(
            select(MonitoringTask.id).join(MonitoringWarning).where(MonitoringWarning.head_name == head)
        )


def test_open_tasks_stay_within_towns_and_are_masked(tasks_db):
    with session_scope() as s:
        mine = service.open_tasks(s, [TOWN], TODAY)
        theirs = service.open_tasks(s, [OTHER_TOWN], TODAY)
        everyone = service.open_tasks(s, None, TODAY)
    assert len(mine) == 5 and len(theirs) == 1 and len(everyone) == 6
    assert {i.ref.town for i in mine} == {TOWN}
    text = service.tasks_text(mine)
    assert "共 5 户" in text and "逾期 0 户" in text and "户*2" in text and "户主2" not in text
    assert not any(ID[i] in text for i in range(8)) and "示例值" in text
    late = add_working_days(TODAY, 12)
    with session_scope() as s:
        overdue = service.open_tasks(s, [TOWN], late)
    assert all(i.overdue_days == 2 for i in overdue)
    assert "逾期 2 个工作日" in service.tasks_text(overdue, verified=True)


def test_find_task_by_number_or_name_within_towns(tasks_db):
    worker, other = member(), member((OTHER_TOWN,), "郭镇经办")
    tid = task_of("户主3")
    with session_scope() as s:
        assert service.find_task(s, worker, str(tid)).found.id == tid
        assert service.find_task(s, worker, f"任务{tid}").found.id == tid
        assert service.find_task(s, worker, "户主3").found.id == tid
        refused = service.find_task(s, other, str(tid))
        assert refused.found is None and "不在您分管" in refused.message
        assert service.find_task(s, other, "户主3").found is None
        missing = service.find_task(s, worker, "没有这个人")
        assert missing.found is None and "没***人" in missing.message


def test_record_inclusion_refusal_referral_and_a_correction(tasks_db):
    worker = member()
    with session_scope() as s:
        service.record_result(s, member=worker, sender_id="term-mon1", task_id=task_of("户主2"), today=TODAY,
                              result=Result(Outcome.INCLUDED, "低保", "ly2024db00009"))  # fmt: skip
        service.record_result(s, member=worker, sender_id="term-mon1", task_id=task_of("户主3"), today=TODAY,
                              result=NOT_INCLUDED)  # fmt: skip
        service.record_result(s, member=worker, sender_id="term-mon1", task_id=task_of("户主4"), today=TODAY,
                              result=Result(Outcome.REFERRED, department="乡村振兴局"))  # fmt: skip
    with session_scope() as s:
        t2, t3, t4 = (s.get(MonitoringTask, task_of(h)) for h in ("户主2", "户主3", "户主4"))
        assert (t2.outcome, t2.programme, t2.case_no, t2.checked_on) == (
            "included",
            "低保",
            "LY2024DB00009",
            TODAY,
        )
        assert t3.outcome == "not_included" and set(t3.reasons) == {"income", "property"}
        assert t3.reasons["income"] == {"text": "家庭年收入6万元", "figure": "60000"}
        assert (t4.outcome, t4.department, t4.recorded_by) == ("referred", "乡村振兴局", "白水江经办")
        audit = s.scalars(select(AuditEntry).where(AuditEntry.topic == service.AUDIT_TOPIC)).all()
        assert [a.action for a in audit] == ["monitoring_result"] * 3
        assert "不纳入" in audit[1].detail and "财产情况" in audit[1].detail
        assert all("户主" not in a.detail for a in audit)  # the audit log names the task, not the person
    with session_scope() as s:  # a correction, audited as one
        service.record_result(s, member=worker, sender_id="term-mon1", task_id=task_of("户主3"), today=TODAY,
                              result=Result(Outcome.INCLUDED, "临时救助"))  # fmt: skip
    with session_scope() as s:
        t3 = s.get(MonitoringTask, task_of("户主3"))
        assert (t3.outcome, t3.programme, t3.reasons) == ("included", "临时救助", None)
        assert s.scalar(select(func.count()).where(AuditEntry.action == "monitoring_result_corrected")) == 1
        assert len(service.open_tasks(s, [TOWN], TODAY)) == 2


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (Result(Outcome.INCLUDED), "救助项目"),
        (Result(Outcome.INCLUDED, "低保", "LY2024TK00009"), "不一致"),
        (Result(Outcome.NOT_INCLUDED), "五个方面"),
        (Result(Outcome.REFERRED, department="  "), "部门"),
    ],
)
def test_incomplete_results_are_refused(tasks_db, result, message):
    with session_scope() as s, pytest.raises(InputError, match=message):
        service.record_result(s, member=member(), sender_id="term-mon1", task_id=task_of("户主2"), today=TODAY,
                              result=result)  # fmt: skip


def test_other_towns_and_closed_months_are_refused(tasks_db):
    with session_scope() as s, pytest.raises(InputError, match="不在您分管"):
        service.record_result(s, member=member((OTHER_TOWN,), "郭镇经办"), sender_id="term-mon2",
                              task_id=task_of("户主2"), today=TODAY, result=NOT_INCLUDED)  # fmt: skip
    with session_scope() as s:
        service.close_month(s, MONTH, by="县民政局")
    with session_scope() as s, pytest.raises(InputError, match="已经关闭"):
        service.record_result(s, member=member(), sender_id="term-mon1", task_id=task_of("户主2"), today=TODAY,
                              result=NOT_INCLUDED)  # fmt: skip
    with session_scope() as s:
        assert service.open_tasks(s, None, TODAY) == []
        assert s.scalar(select(func.count()).where(AuditEntry.action == "monitoring_month_closed")) == 1


def test_reminders_once_per_working_day_for_overdue_tasks(tasks_db):
    ensure_staff("tg-user:5001", name="白水江经办二", role="caseworker", towns=(TOWN,))
    with session_scope() as s:
        s.execute(MonitoringTask.__table__.update().values(due_on=TODAY - timedelta(days=7)))
    with session_scope() as s:
        assert (
            service.remind_overdue(s, TODAY) == 1
        )  # the Telegram-bound caseworker; terminals cannot be reached
        assert service.remind_overdue(s, TODAY) == 0  # the same day again
        assert service.remind_overdue(s, date(2024, 6, 29)) == 0  # a Saturday
    with session_scope() as s:
        msg = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "monitoring"))
        assert msg.recipient.startswith("tg-") and "5 户" in msg.text and "/tasks" in msg.text


def test_monthly_report_xlsx_chart_and_group_summary(tasks_db, tmp_path):
    worker = member()
    with session_scope() as s:
        service.record_result(s, member=worker, sender_id="t", task_id=task_of("户主2"), today=TODAY,
                              result=Result(Outcome.INCLUDED, "低保"))  # fmt: skip
        service.record_result(s, member=worker, sender_id="t", task_id=task_of("户主3"), today=TODAY,
                              result=NOT_INCLUDED)  # fmt: skip
        service.record_result(s, member=worker, sender_id="t", task_id=task_of("户主7"), today=TODAY,
                              result=Result(Outcome.INCLUDED, "临时救助"))  # fmt: skip
    late = add_working_days(TODAY, 11)
    with session_scope() as s:
        rows = rep.monthly_report(s, MONTH, late)
        by_town = {r.town: r for r in rows}
        mine, theirs = by_town[TOWN], by_town[OTHER_TOWN]
        assert (mine.warned, mine.assisted, mine.applied, mine.tasks, mine.checked) == (7, 1, 1, 5, 3)
        assert dict(mine.included) == {"低保": 1, "临时救助": 1} and mine.not_included == 1
        assert dict(mine.reasons) == {"income": 1, "property": 1} and mine.overdue == 2
        assert (
            mine.checked_share == 60
            and theirs.checked_share == 0
            and by_town["兴州街道"].checked_share is None
        )
        summary = rep.group_summary(s, MONTH)
        path = rep.write_xlsx(s, rows, tmp_path / "r.xlsx", month=MONTH, today=late, params=PARAMS)
    assert len(rows) == 17 and rows[0].town == "兴州街道"
    lines = {g.group: g for g in summary}
    # 边缘易致贫户: 户主0..5 (3 people each); 户主0 assisted 低保, 户主2 included 低保
    assert (
        lines["边缘易致贫户"].households,
        lines["边缘易致贫户"].people,
        lines["边缘易致贫户"].dibao_people,
    ) == (6, 18, 6)
    assert (lines["脱贫不稳定户"].households, lines["脱贫不稳定户"].temp_relief_times) == (1, 1)
    assert (lines["突发严重困难户"].households, lines["突发严重困难户"].people) == (1, 2)
    text = rep.summary_text(summary, MONTH)
    assert text.startswith(
        "截至2024年6月底，边缘易致贫户6户18人，享受低保6人、特困供养0人、落实临时救助0人次；脱贫不稳定户1户4人"
    )
    ws = load_workbook(path)["按镇汇总"]
    head = [c.value for c in ws[1]]
    row = {
        c: v
        for c, v in zip(head, [c.value for c in ws[1 + [r.town for r in rows].index(TOWN) + 1]], strict=True)
    }
    assert (
        row["预警户数"] == 7
        and row["纳入低保"] == 1
        and row["不纳入原因：收入情况"] == 1
        and row["逾期未核查"] == 2
    )
    assert ws.cell(len(rows) + 2, 1).value == "合计" and len(ws._charts) == 1
    assert "三类人群" in load_workbook(path).sheetnames
    png = rep.chart_png(rows)
    assert png.startswith(b"\x89PNG") and len(png) > 500
    caption = rep.chart_caption(rows, MONTH, late)
    assert f"{TOWN}：60.0%（3/5，预警 7），逾期 2" in caption


def test_purge_deletes_months_closed_long_ago_only(tasks_db, tmp_path):
    may = [warning_line(3, when="2024-05-20")]
    with session_scope() as s:
        import_warnings(s, write_csv(tmp_path / "m.csv", may), today=TODAY, params=PARAMS)
        service.close_month(s, "2024-05", by="县民政局")
        s.execute(MonitoringMonth.__table__.update().where(MonitoringMonth.month == "2024-05").values(
            closed_at=datetime(2024, 6, 1)))  # fmt: skip
    with session_scope() as s:
        report = purge(s, None, days=180, now=datetime(2025, 7, 1), dry_run=True)
        assert report.monitoring_warnings == 1 and "监测预警 1 条" in report.summary()
    with session_scope() as s:
        purge(s, None, days=180, now=datetime(2025, 7, 1))
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(MonitoringWarning)) == 8  # June is still open
        assert s.scalar(select(func.count()).select_from(MonitoringTask)) == 6
        assert s.scalars(select(MonitoringMonth.month)).all() == [MONTH]
