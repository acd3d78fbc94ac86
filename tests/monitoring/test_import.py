"""Import of a warning list and its matching (DB tests on SQLite and PostgreSQL): line-numbered errors,
--skip-bad, a repeated month, a closed month, XLSX, matching against applicants and cases, tasks."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cases.workdays import add_working_days
from bot.db.models import MonitoringMonth, MonitoringTask, MonitoringWarning, Staff
from bot.db.session import session_scope
from bot.monitoring.importer import import_warnings
from bot.monitoring.rules import MonitoringParams
from bot.monitoring.service import close_month
from tests.monitoring.conftest import ID, MONTH, OTHER_TOWN, TODAY, TOWN, warning_line, write_csv

PARAMS = MonitoringParams(check_working_days=10)


def good_lines():
    return [warning_line(i) for i in range(6)] + [
        warning_line(6, town=OTHER_TOWN, group="突发严重困难户", kind="因灾")
    ]


def test_bad_rows_import_nothing_and_name_the_lines(cases_db, tmp_path):
    bad_id = ID[7][:-1] + ("0" if ID[7][-1] != "0" else "1")
    path = write_csv(
        tmp_path / "w.csv",
        [
            warning_line(3),  # 2: good
            [
                "户主8",
                bad_id,
                TOWN,
                "",
                "边缘易致贫户",
                "因病",
                "2",
                "",
                "",
                "2024-06-03",
            ],  # 3: bad ID checksum
            ["户主9", ID[8], "北京市", "", "", "因病", "2", "", "", "2024-06-03"],  # 4: not a county town
            ["户主10", ID[9], TOWN, "", "", "", "2", "", "", "2024-06-03"],  # 5: no kind
            ["户主11", ID[10], TOWN, "", "", "因病", "两口", "", "", "2024-06-03"],  # 6: bad size
            ["户主11", ID[10], TOWN, "", "", "因病", "2", "-5", "", "2024-06-03"],  # 7: negative income
            ["户主11", ID[10], TOWN, "", "", "因病", "2", "", "", "2099-01-01"],  # 8: future date
            warning_line(3),  # 9: repeats line 2
            ["户主4", ID[4], TOWN, "", "", "因病", "2", "", "", "昨天"],  # 10: not a date
            warning_line(5),  # 11: good
        ],
    )
    with session_scope() as s:
        report = import_warnings(s, path, today=TODAY, params=PARAMS)
    assert not report.imported
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7, 8, 9, 10]
    reasons = {e.line: e.reason for e in report.errors}
    assert "北京" in reasons[4] and "kind" in reasons[5] and "家庭人口" in reasons[6] and "负数" in reasons[7]
    assert "晚于今天" in reasons[8] and "第 2 行重复" in reasons[9] and "预警日期" in reasons[10]
    assert all(ID[7] not in e.reason and bad_id not in e.reason for e in report.errors)  # no ID in a reason
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(MonitoringWarning)) == 0
    with session_scope() as s:
        report = import_warnings(s, path, today=TODAY, skip_bad=True, params=PARAMS)
    assert report.imported and report.added == 2 and report.rejected == 8 and report.tasks_created == 2


def test_matching_and_tasks(cases_db, tmp_path):
    path = write_csv(tmp_path / "w.csv", good_lines())
    with session_scope() as s:
        report = import_warnings(s, path, today=TODAY, params=PARAMS)
    assert report.imported and report.added == 7 and report.months == [MONTH]
    assert dict(report.matches) == {"assisted": 1, "applied": 1, "unknown": 5}
    assert report.tasks_created == 5
    assert "已在保 1" in report.summary() and "新建核查任务 5" in report.summary()
    with session_scope() as s:
        warnings = {w.id_masked[-2:] + w.head_name: w for w in s.scalars(select(MonitoringWarning))}
        by_name = {w.head_name: w for w in warnings.values()}
        assert (by_name["户主0"].match, by_name["户主0"].match_programme, by_name["户主0"].match_case_no) == (
            "assisted",
            "低保",
            "LY2024DB00001",
        )
        assert (by_name["户主1"].match, by_name["户主1"].match_case_no) == ("applied", "LY2024TK00002")
        assert by_name["户主2"].match == "unknown"  # refused before: checked again
        assert by_name["户主6"].group == "突发严重困难户" and by_name["户主6"].kind == "因灾"
        assert all(ID[i] not in (w.id_masked + w.id_hash) for w in warnings.values() for i in range(7))
        tasks = s.scalars(select(MonitoringTask).order_by(MonitoringTask.id)).all()
        assert sorted(t.warning.head_name for t in tasks) == ["户主2", "户主3", "户主4", "户主5", "户主6"]
        workers = {st.name: st.id for st in s.scalars(select(Staff))}
        assert {t.town: t.assignee_id for t in tasks} == {
            TOWN: workers["白水江经办"],
            OTHER_TOWN: workers["郭镇经办"],
        }
        assert {t.due_on for t in tasks} == {add_working_days(TODAY, 10)}
        assert all(t.outcome is None for t in tasks)  # fmt: skip


def test_repeated_month_is_idempotent_and_keeps_results(cases_db, tmp_path):
    path = write_csv(tmp_path / "w.csv", good_lines())
    with session_scope() as s:
        import_warnings(s, path, today=TODAY, params=PARAMS)
    with session_scope() as s:
        task = s.scalars(select(MonitoringTask).order_by(MonitoringTask.id)).first()
        task.outcome, task.department = "referred", "乡村振兴局"
        first_due = task.due_on
    later = TODAY.replace(day=30)
    with session_scope() as s:
        again = import_warnings(s, path, today=later, params=PARAMS)
    assert (again.added, again.updated, again.unchanged, again.tasks_created) == (0, 0, 7, 0)
    changed = good_lines()
    changed[3][7] = "9000"  # a corrected income
    with session_scope() as s:
        third = import_warnings(s, write_csv(tmp_path / "w2.csv", changed), today=later, params=PARAMS)
    assert (third.added, third.updated, third.unchanged) == (0, 1, 6)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(MonitoringWarning)) == 7
        assert s.scalar(select(func.count()).select_from(MonitoringTask)) == 5
        assert s.scalar(select(func.count()).select_from(MonitoringMonth)) == 1
        kept = s.scalars(select(MonitoringTask).order_by(MonitoringTask.id)).first()
        assert (kept.outcome, kept.department, kept.due_on) == ("referred", "乡村振兴局", first_due)
        assert str(s.scalar(select(MonitoringWarning.income).where(MonitoringWarning.head_name == "户主3"))) in (
            "9000.00", "9000")  # fmt: skip


def test_a_closed_month_takes_no_rows_and_another_month_is_separate(cases_db, tmp_path):
    path = write_csv(tmp_path / "w.csv", good_lines())
    with session_scope() as s:
        import_warnings(s, path, today=TODAY, params=PARAMS)
        close_month(s, MONTH, by="县民政局")
    with session_scope() as s:
        report = import_warnings(s, path, today=TODAY, params=PARAMS)
    assert not report.imported and len(report.errors) == 7 and "已经结束" in report.errors[0].reason
    may = [warning_line(3, when="2024-05-20")]
    with session_scope() as s:
        report = import_warnings(s, write_csv(tmp_path / "m.csv", may), today=TODAY, params=PARAMS)
        assert report.imported and report.months == ["2024-05"] and report.tasks_created == 1
    with session_scope() as s:  # a month given for the whole file wins over the warning dates
        report = import_warnings(
            s, write_csv(tmp_path / "j.csv", may), month="2024-04", today=TODAY, params=PARAMS
        )
        assert report.months == ["2024-04"] and report.added == 1


def test_xlsx_with_other_headers(cases_db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "户主",
            "身份证号",
            "所属乡镇",
            "行政村",
            "监测对象类别",
            "风险类型",
            "家庭人数",
            "家庭纯收入",
            "刚性支出",
            "推送日期",
        ]
    )
    ws.append(["张三", ID[4], "白水江", "新华村", "脱贫不稳定", "因病", 2, 8000.5, 30000, TODAY])
    ws.append(
        [
            "李四",
            int(ID[5][:-1] + "0") if ID[5][-1] != "X" else 1,
            TOWN,
            "",
            "",
            "因病",
            2,
            "",
            "",
            "2024-06-01",
        ]
    )
    path = tmp_path / "w.xlsx"
    wb.save(path)
    with session_scope() as s:
        report = import_warnings(s, path, today=TODAY, skip_bad=True, params=PARAMS)
    assert report.imported and report.added == 1 and [e.line for e in report.errors] == [3]
    assert "文本" in report.errors[0].reason  # an ID typed as a number loses digits in Excel
    with session_scope() as s:
        w = s.scalar(select(MonitoringWarning))
        assert (w.town, w.group, w.household_size, w.warned_on) == (TOWN, "脱贫不稳定户", 2, TODAY)
        assert float(w.income) == 8000.5 and float(w.expense) == 30000
