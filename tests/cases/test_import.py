from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from bot.cases.identity import id_hash, last6_hash
from bot.cases.importer import import_file, read_amount_cell, read_date_cell
from bot.cli import main as cli_main
from bot.db.models import Applicant, Case, StatusChange
from bot.db.session import session_scope
from bot.errors import InputError
from tests.cases.helpers import EN_HEADER, ZH_HEADER, make_rows, write_csv, write_xlsx

TODAY = date(2025, 6, 30)


def _count(model) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_csv_with_chinese_headers_imports_and_stores_no_plain_id(db, tmp_path):
    rows = make_rows(6)
    path = write_csv(tmp_path / "cases.csv", ZH_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, path, today=TODAY)
    assert report.imported and (report.added, report.updated, report.unchanged, report.rejected) == (
        6,
        0,
        0,
        0,
    )
    with session_scope() as s:
        a = s.scalar(select(Applicant).where(Applicant.id_hash == id_hash(rows[0][3])))
        assert a is not None and a.id_last6_hash == last6_hash(a.id_hash, rows[0][3][-6:])
        assert a.id_masked == "*" * 16 + rows[0][3][-2:]
        # neither the full ID number nor its last six are anywhere in the applicants table
        for col in (a.name, a.id_hash, a.id_last6_hash, a.id_masked, a.phone or "", a.village or ""):
            assert rows[0][3] not in col and rows[0][3][-6:] not in col
        case = s.scalar(select(Case).where(Case.case_no == "LY2025DB00001"))
        assert case.status == "调查核实中" and case.accepted_on == date(2025, 3, 5)
        assert [h.new_status for h in case.history] == ["调查核实中"]


def test_xlsx_with_english_headers_and_date_cells(db, tmp_path):
    rows = make_rows(3)
    for r in rows:
        r[7], r[8], r[10] = date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 10)
        r[11] = 450
    path = write_xlsx(tmp_path / "cases.xlsx", EN_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, path, today=TODAY)
    assert report.added == 3
    with session_scope() as s:
        assert s.scalar(select(Case.amount).where(Case.case_no == "LY2025DB00002")) == 450


def test_bad_rows_reported_with_line_numbers_and_nothing_imported(db, tmp_path):
    rows = make_rows(6)
    rows[1][3] = rows[1][3][:-1] + ("0" if rows[1][3][-1] != "0" else "1")  # wrong check digit
    rows[2][5] = "西安市"  # not a Lueyang town
    rows[3][8] = "2025-03-01"  # accepted before applied
    rows[4][9] = "办好了"  # unknown status
    rows[5][0] = "LY2025XX00006"  # bad programme code
    path = write_csv(tmp_path / "bad.csv", EN_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, path, today=TODAY)
    assert not report.imported
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7]
    reasons = " | ".join(e.reason for e in report.errors)
    assert "校验" in reasons or "身份证" in reasons
    assert "受理日期" in reasons and "办好了" in reasons
    assert _count(Case) == 0


def test_skip_bad_imports_good_rows(db, tmp_path):
    rows = make_rows(4)
    rows[2][0] = "not-a-case"
    path = write_csv(tmp_path / "bad.csv", EN_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, path, skip_bad=True, today=TODAY)
    assert report.imported and report.added == 3 and report.rejected == 1
    assert report.errors[0].line == 4
    assert _count(Case) == 3


def test_duplicate_case_number_in_file_is_a_bad_row(db, tmp_path):
    rows = make_rows(2)
    rows[1][0] = rows[0][0]
    path = write_csv(tmp_path / "dup.csv", EN_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, path, today=TODAY)
    assert not report.imported and report.errors[0].line == 3 and "第 2 行" in report.errors[0].reason


def test_reimport_is_idempotent_and_status_change_adds_history(db, tmp_path):
    rows = make_rows(5)
    path = write_csv(tmp_path / "a.csv", EN_HEADER, rows)
    with session_scope() as s:
        import_file(s, path, today=TODAY)
    with session_scope() as s:
        again = import_file(s, path, today=TODAY)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    assert _count(StatusChange) == 5 and _count(Applicant) == 5

    rows[0][9], rows[0][10] = "公示中", "2025-03-20"
    rows[1][12] = "王经办"
    path2 = write_csv(tmp_path / "b.csv", EN_HEADER, rows)
    with session_scope() as s:
        third = import_file(s, path2, today=TODAY)
    assert (third.added, third.updated, third.unchanged) == (0, 2, 3)
    assert third.status_changes == [("LY2025DB00001", "调查核实中", "公示中")]
    with session_scope() as s:
        case = s.scalar(select(Case).where(Case.case_no == "LY2025DB00001"))
        assert [(h.old_status, h.new_status, h.changed_on) for h in case.history] == [
            (None, "调查核实中", date(2025, 3, 10)),
            ("调查核实中", "公示中", date(2025, 3, 20)),
        ]
        assert case.history[-1].changed_by == "import:b.csv"


def test_cli_import_prints_errors_and_summary(db, tmp_path, capsys):
    rows = make_rows(3)
    rows[1][3] = "12345"
    path = write_csv(tmp_path / "c.csv", EN_HEADER, rows)
    assert cli_main(["cases", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "第 3 行" in out and "未导入" in out
    assert _count(Case) == 0
    assert cli_main(["cases", "import", str(path), "--skip-bad"]) == 0
    out = capsys.readouterr().out
    assert "新增 2" in out and "拒绝 1" in out


def test_missing_required_column_is_reported(db, tmp_path):
    path = write_csv(tmp_path / "d.csv", EN_HEADER[1:], [r[1:] for r in make_rows(1)])
    with session_scope() as s, pytest.raises(InputError) as err:
        import_file(s, path, today=TODAY)
    assert "case_no" in err.value.reason


def test_xlsx_numeric_id_cell_is_reported_with_a_hint(db, tmp_path):
    rows = make_rows(2)
    rows[1][3] = float(rows[1][3][:17] + "0")  # what Excel does to an ID typed as a number
    path = write_xlsx(tmp_path / "num.xlsx", EN_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, path, today=TODAY)
    assert [e.line for e in report.errors] == [3] and "文本" in report.errors[0].reason


@pytest.mark.parametrize(("amount", "reason"), [("NaN", "不是数字"), ("Infinity", "不是数字"), ("1e26", "过大"),
                                                 ("-5", "负数"), ("abc", "不是数字")])
def test_bad_amounts_get_a_reason_not_a_crash(amount, reason):
    with pytest.raises(InputError) as err:
        read_amount_cell(amount)
    assert reason in err.value.reason


# --- date cells -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2023-05-01", date(2023, 5, 1)),
        ("2023/5/1", date(2023, 5, 1)),
        ("2023.5.1", date(2023, 5, 1)),
        ("2023年5月1日", date(2023, 5, 1)),
        ("2023 年 5 月 1 日", date(2023, 5, 1)),
        ("2023年5月1", date(2023, 5, 1)),
        (" 2023-5-1 ", date(2023, 5, 1)),
        ("20230501", date(2023, 5, 1)),
        (20230501, date(2023, 5, 1)),  # a number cell
        (20230501.0, date(2023, 5, 1)),  # a number cell read as float
        (date(2023, 5, 1), date(2023, 5, 1)),  # an Excel date cell
        (datetime(2023, 5, 1, 14, 30), date(2023, 5, 1)),  # an Excel datetime cell
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_date_cells_the_importer_accepts(cell, expected):
    assert read_date_cell(cell, "申请日期") == expected


@pytest.mark.parametrize("cell", ["2023-02-30", "2023-13-01", "2023年5月", "5月1日", "昨天", "20231301", "abc", 45047])
def test_bad_date_cells_name_the_column_and_the_value(cell):
    with pytest.raises(InputError) as err:
        read_date_cell(cell, "受理日期")
    assert err.value.reason == f"受理日期“{cell}”不是有效日期（应为 2024-05-06 这样的格式）"


def test_date_formats_in_a_csv_import_and_a_bad_date_is_reported_with_its_line(db, tmp_path):
    rows = make_rows(4)
    rows[0][7], rows[0][8], rows[0][10] = "2025/3/3", "2025年3月5日", "20250310"
    rows[1][7], rows[1][8], rows[1][10] = "2025.3.3", "2025-03-05", ""
    rows[2][8] = "2025-02-30"  # no such day
    path = write_csv(tmp_path / "dates.csv", EN_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, path, today=TODAY, skip_bad=True)
    assert [(e.line, e.reason) for e in report.errors] == [
        (4, "受理日期“2025-02-30”不是有效日期（应为 2024-05-06 这样的格式）")
    ]
    assert report.imported and report.added == 3
    with session_scope() as s:
        got = s.execute(
            select(Case.case_no, Case.applied_on, Case.accepted_on, Case.status_changed_on).order_by(Case.case_no)
        ).all()
    assert got[0][1:] == (date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 10))
    assert got[1][1:] == (date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 5))  # no change date: accepted
