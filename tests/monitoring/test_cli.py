"""`lueyang monitoring ...` end to end on the test database (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from bot.cli import main
from bot.db.models import AuditEntry, MonitoringTask, MonitoringWarning
from bot.db.session import session_scope
from tests.monitoring.conftest import ID, OTHER_TOWN, warning_line, write_csv


def test_import_tasks_record_report_close(cases_db, tmp_path, capsys):
    lines = [warning_line(i, when="2024-06-05") for i in range(5)] + [warning_line(5, town=OTHER_TOWN)]
    bad = [*lines, ["户主9", "123", "白水江镇", "", "", "因病", "", "", "", "2024-06-05"]]
    assert main(["monitoring", "import", str(write_csv(tmp_path / "bad.csv", bad))]) == 1
    out = capsys.readouterr().out
    assert "第 8 行" in out and "未导入任何数据" in out and "123" not in out.replace("第 8 行", "")
    assert main(["monitoring", "import", str(write_csv(tmp_path / "w.csv", lines))]) == 0
    assert "新建核查任务 4" in capsys.readouterr().out
    assert main(["monitoring", "tasks", "--town", "郭镇", "--date", "2024-06-28"]) == 0
    out = capsys.readouterr().out
    assert "共 1 户" in out and "户*5" in out and ID[5] not in out
    with session_scope() as s:
        task_id = s.scalar(
            select(MonitoringTask.id).join(MonitoringWarning).where(MonitoringWarning.head_name == "户主3")
        )
    args = [
        "monitoring",
        "record",
        str(task_id),
        "不纳入",
        "--reasons",
        "收入情况：年收入6万元",
        "--by",
        "张科长",
    ]
    assert main(args) == 0
    assert "不纳入。原因：收入情况：年收入6万元" in capsys.readouterr().out
    assert main(["monitoring", "record", str(task_id), "纳入", "--by", "张科长"]) == 1  # no programme
    capsys.readouterr()
    xlsx, chart = tmp_path / "r.xlsx", tmp_path / "r.png"
    assert (
        main(["monitoring", "report", "--month", "2024-06", "--xlsx", str(xlsx), "--chart", str(chart)]) == 0
    )
    out = capsys.readouterr().out
    assert xlsx.stat().st_size > 0 and chart.read_bytes().startswith(b"\x89PNG")
    assert "截至2024年6月底，边缘易致贫户6户18人" in out
    assert main(["monitoring", "close", "2024-06", "--by", "县民政局"]) == 0
    assert main(["monitoring", "record", str(task_id), "纳入", "--programme", "低保", "--by", "张科长"]) == 1
    assert "已经关闭" in capsys.readouterr().err
    with session_scope() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "monitoring_result"))
        assert entry is not None and "张科长" not in (entry.detail or "")
