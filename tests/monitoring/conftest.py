"""Monitoring fixtures: a few cases with known ID numbers, caseworkers of two towns, warning files.
``db``/``session`` come from tests/conftest.py."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.cases.identity import stored_id
from bot.cases.importer import CaseRow, ImportReport, write_rows
from bot.cases.staff import add_staff
from bot.db.session import session_scope
from bot.parsing.identity import generate_id_number

TODAY = date(2024, 6, 28)  # a Friday, a working day
MONTH = "2024-06"
TOWN, OTHER_TOWN = "白水江镇", "郭镇"
HEADER = ["户主姓名", "身份证号码", "乡镇（街道）", "村（社区）", "人群类别", "预警类型", "家庭人口", "家庭年收入", "家庭年支出", "预警日期"]  # fmt: skip


def ids(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        number = generate_id_number(rng)
        if number not in out:
            out.append(number)
    return out


ID = ids(12)
# ID[0]: 低保 approved (assisted); ID[1]: 特困供养 open (applied); ID[2]: 低保 refused (unknown: a task);
# ID[3..]: never applied (unknown)
CASES = (
    (ID[0], "LY2024DB00001", "低保", "已发放", TOWN),
    (ID[1], "LY2024TK00002", "特困供养", "调查核实中", TOWN),
    (ID[2], "LY2024DB00003", "低保", "未通过", TOWN),
)


def case_row(id_number: str, case_no: str, programme: str, status: str, town: str, line: int = 2) -> CaseRow:
    ident = stored_id(id_number)
    applied = TODAY - timedelta(days=40)
    return CaseRow(
        line=line, case_no=case_no, programme=programme, applicant_name="测试" + case_no[-2:],
        id_hash=ident.id_hash, id_last6=ident.id_last6, id_masked=ident.id_masked,
        id_last6_hash=ident.id_last6_hash, phone=None, town=town, village="新华村", applied_on=applied,
        accepted_on=applied, status=status, status_changed_on=applied + timedelta(days=5),
        amount=Decimal("500") if status == "已发放" else None, caseworker=None, note=None,
    )  # fmt: skip


@pytest.fixture
def cases_db(db):
    """The migrated database with ``CASES``, a caseworker of ``TOWN`` (term:mon1) and one of ``OTHER_TOWN``
    (term:mon2)."""
    with session_scope() as s:
        add_staff(s, "白水江经办", "caseworker", [TOWN], ["term:mon1"])
        add_staff(s, "郭镇经办", "caseworker", [OTHER_TOWN], ["term:mon2"])
        write_rows(s, [case_row(*c, line=i + 2) for i, c in enumerate(CASES)], ImportReport(), source="test")
    return db


def warning_line(i: int, *, town: str = TOWN, group: str = "边缘易致贫户", kind: str = "收入骤减",
                 size: str = "3", when: str = "2024-06-05") -> list[str]:  # fmt: skip
    return [f"户主{i}", ID[i], town, "新华村", group, kind, size, "12000", "18000", when]


def write_csv(path: Path, lines: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(lines)
    return path
