"""Import of recipients and caregivers: line-numbered errors, --skip-bad, re-import, agreements replaced (DB)."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot.db.models import CareAgreement, Caregiver, CareRecipient
from bot.db.session import session_scope
from bot.errors import InputError
from bot.visits.importer import import_caregivers, import_recipients
from tests.visits.conftest import TODAY, tekun_rows


def write_csv(path, header, lines):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(lines)
    return path


def test_recipients_with_bad_rows_import_nothing_and_name_the_lines(demo_db, rows, tmp_path):
    tk = tekun_rows(rows)
    other = next(r for r in rows if r.programme == "低保")
    path = write_csv(
        tmp_path / "r.csv",
        ["案件编号", "供养方式", "自理能力", "纳入日期"],
        [
            [tk[0].case_no, "分散供养", "部分失能", "2023-03-01"],  # line 2: good
            [tk[1].case_no, "居家", "", ""],  # 3: bad mode
            [other.case_no, "分散", "", ""],  # 4: not a 特困 case
            ["LY2023TK00077", "分散", "", ""],  # 5: no such case
            [tk[2].case_no, "集中", "卧床", ""],  # 6: bad care level
            [tk[0].case_no, "分散", "", ""],  # 7: duplicate
            [tk[3].case_no, "分散", "", "2099-01-01"],  # 8: in the future
            [tk[4].case_no, "集中", "自理", "2022/5/6"],  # 9: good
        ],
    )
    with session_scope() as s:
        report = import_recipients(s, path, today=TODAY)
    assert not report.imported
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7, 8]
    reasons = {e.line: e.reason for e in report.errors}
    assert "供养方式" in reasons[3] and "不是特困供养" in reasons[4] and "不在案件库" in reasons[5]
    assert "自理能力" in reasons[6] and "第 2 行重复" in reasons[7] and "晚于今天" in reasons[8]
    with session_scope() as s:
        assert s.scalar(select(CareRecipient.id)) is None
    with session_scope() as s:
        report = import_recipients(s, path, today=TODAY, skip_bad=True)
    assert report.imported and report.added == 2 and report.rejected == 6
    with session_scope() as s:
        report = import_recipients(s, path, today=TODAY, skip_bad=True)
        assert (report.added, report.updated, report.unchanged) == (0, 0, 2)
        people = s.scalars(select(CareRecipient).order_by(CareRecipient.id)).all()
        assert [(p.support_mode, p.care_level, p.since) for p in people] == [
            ("分散", "部分失能", date(2023, 3, 1)),
            ("集中", "自理", date(2022, 5, 6)),
        ]


def test_caregivers_xlsx_agreements_and_replacement(demo_db, rows, tmp_path):
    tk = tekun_rows(rows)
    people = write_csv(tmp_path / "r.csv", ["case_no", "support_mode"], [[tk[0].case_no, "分散"], [tk[1].case_no, "分散"]])
    with session_scope() as s:
        assert import_recipients(s, people, today=TODAY).imported
    wb = Workbook()
    ws = wb.active
    ws.append(["案件编号", "照料人姓名", "关系", "联系电话", "协议开始日期", "协议结束日期"])
    ws.append([tk[0].case_no, "李建华", "侄子", "138 1234 5678", date(2023, 1, 1), None])  # 2
    ws.append([tk[0].case_no, "王小军", "邻居", 13912345678, "2024-03-01", ""])  # 3: replaces 李建华
    ws.append([tk[1].case_no, "赵德福", "村民", "12345", "2023-01-01", ""])  # 4: bad phone
    ws.append([tk[1].case_no, "赵德福", "村民", "", "2023-05-01", "2023-04-01"])  # 5: ends before it starts
    ws.append([tk[2].case_no, "钱明华", "村民", "", "2023-05-01", ""])  # 6: not a recipient
    ws.append([tk[1].case_no, "", "村民", "", "2023-05-01", ""])  # 7: no name
    path = tmp_path / "c.xlsx"
    wb.save(path)
    with session_scope() as s:
        report = import_caregivers(s, path, today=TODAY)
    assert not report.imported and [e.line for e in report.errors] == [4, 5, 6, 7]
    assert "还不是供养对象" in report.errors[2].reason
    with session_scope() as s:
        report = import_caregivers(s, path, today=TODAY, skip_bad=True)
    assert report.added == 2
    with session_scope() as s:
        again = import_caregivers(s, path, today=TODAY, skip_bad=True)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
        agreements = s.scalars(select(CareAgreement).order_by(CareAgreement.starts_on)).all()
        assert [(a.caregiver.name, a.starts_on, a.ends_on) for a in agreements] == [
            ("李建华", date(2023, 1, 1), date(2024, 2, 29)),  # ended the day before the new caregiver started
            ("王小军", date(2024, 3, 1), None),
        ]
        assert s.scalar(select(Caregiver.phone).where(Caregiver.name == "王小军")) == "13912345678"


def test_a_file_that_is_not_a_recipient_list_is_refused(demo_db, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["姓名", "金额"], [["张三", "100"]])
    with session_scope() as s, pytest.raises(InputError, match="表头缺少必需的列"):
        import_recipients(s, path, today=TODAY)
