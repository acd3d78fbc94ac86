"""`lueyang visits ...` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv

from openpyxl import load_workbook

from bot.cli import main
from bot.db.session import session_scope
from bot.visits.demo import load_visits_demo
from tests.visits.conftest import TODAY, tekun_rows


def test_import_prints_the_bad_lines_and_imports_nothing(demo_db, rows, tmp_path, capsys):
    tk = tekun_rows(rows)
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["案件编号", "供养方式"])
        w.writerow([tk[0].case_no, "分散"])
        w.writerow([tk[1].case_no, "散居"])
    assert main(["visits", "import-recipients", str(path)]) == 1
    out = capsys.readouterr().out
    assert "第 3 行: 供养方式“散居”" in out and "未导入任何数据" in out
    assert main(["visits", "import-recipients", str(path), "--skip-bad"]) == 0
    assert "新增 1" in capsys.readouterr().out


def test_evaluate_flags_report_and_decide(demo_db, tmp_path, capsys):
    with session_scope() as s:
        load_visits_demo(s, today=TODAY)
    assert main(["visits", "evaluate", "--period", "2024Q1"]) == 0
    assert "2024Q1（2024-01-01 至 2024-03-31）：评价" in capsys.readouterr().out
    assert main(["visits", "flags"]) == 0
    assert "被标记的照料人" in capsys.readouterr().out
    xlsx, chart = tmp_path / "r.xlsx", tmp_path / "r.png"
    assert main(["visits", "report", "--xlsx", str(xlsx), "--chart", str(chart), "--date", TODAY.isoformat()]) == 0
    assert load_workbook(xlsx)["按镇汇总"].max_row == 19 and chart.read_bytes()[:4] == b"\x89PNG"
    assert main(["visits", "evaluate", "--period", "上季度"]) == 1
    assert "无法识别" in capsys.readouterr().err
