"""Property tests for the case import (``lueyang cases import FILE``) on random rows.

Rows mix plausible values with garbage of every kind a spreadsheet produces (empty cells, numbers, floats,
dates, text in the wrong column). No file crashes the importer, every rejected row is reported with its line
and a reason in Chinese, and the report adds up.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.cases.importer import COLUMNS, CaseRow, import_file, validate_row, validate_rows
from bot.cases.status import STATUSES
from bot.cli import main as cli_main
from bot.db import migrate
from bot.db.session import make_engine, session_scope, set_engine
from bot.errors import InputError
from bot.parsing.identity import generate_id_number
from bot.parsing.towns import towns
from tests.properties.strategies import any_text

TODAY = dt.date(2025, 6, 30)
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH = {
    "case_no": "案件编号", "programme": "救助项目", "applicant_name": "申请人姓名", "id_number": "身份证号码",
    "phone": "联系电话", "town": "镇（街道）", "village": "村（社区）", "applied_on": "申请日期",
    "accepted_on": "受理日期", "status": "办理状态", "status_changed_on": "状态变更日期", "amount": "金额",
    "caseworker": "经办人", "note": "备注",
}  # fmt: skip
CODES = {"DB": "低保", "TK": "特困供养", "LS": "临时救助"}

garbage = st.one_of(
    st.none(),
    any_text.map(lambda s: s[:40]),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["", " ", "N/A", "—", "2025-13-01", "2025/02/30", "0", "-5", "1e400", "NaN", "LY2025XX00001"]),
)


@st.composite
def case_rows(draw) -> dict[str, object]:
    """One raw row: each cell plausible (mostly) or garbage."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    code = draw(st.sampled_from(sorted(CODES)))
    applied = TODAY - dt.timedelta(days=draw(st.integers(0, 400)))
    accepted = applied + dt.timedelta(days=draw(st.integers(0, 5)))
    changed = accepted + dt.timedelta(days=draw(st.integers(0, 30)))
    plausible = {
        "case_no": f"LY{applied.year}{code}{draw(st.integers(0, 99999)):05d}",
        "programme": CODES[code],
        "applicant_name": draw(st.sampled_from(["王建国", "李秀英", "张志强", "刘桂兰"])),
        "id_number": generate_id_number(rng),
        "phone": f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
        "town": draw(st.sampled_from([t.name for t in towns()])),
        "village": "新华村",
        "applied_on": applied.isoformat(),
        "accepted_on": accepted.isoformat(),
        "status": draw(st.sampled_from(list(STATUSES))),
        "status_changed_on": changed.isoformat(),
        "amount": str(draw(st.integers(0, 5000))),
        "caseworker": "",
        "note": "",
    }
    row: dict[str, object] = {}
    for col in COLUMNS:
        choice = draw(st.integers(0, 9))
        if choice == 0:
            continue  # missing cell
        row[col] = draw(garbage) if choice == 1 else plausible[col]
    return row


def assert_reason(reason: str) -> None:
    assert isinstance(reason, str) and reason.strip() and CJK.search(reason), reason
    assert "Traceback" not in reason


GOOD_ROW = {
    "case_no": "LY2025DB00001", "programme": "低保", "applicant_name": "王建国", "id_number": "610727197407245303",
    "town": "兴州街道", "applied_on": "2025-06-30", "status": "已受理",
}  # fmt: skip


@given(case_rows())
@example({**GOOD_ROW, "amount": "NaN"})  # spreadsheets and pandas exports write NaN for an empty number
@example({**GOOD_ROW, "amount": 1e26})  # too many digits for two decimal places
@example({**GOOD_ROW, "amount": "-0"})
def test_validate_row_accepts_or_gives_a_reason(raw):
    try:
        row = validate_row(2, raw, today=TODAY, hash_key="property-test-key")
    except InputError as exc:
        assert_reason(exc.reason)
    else:
        assert isinstance(row, CaseRow)
        assert re.fullmatch(r"LY[0-9]{4}(DB|TK|LS)[0-9]{5}", row.case_no)
        assert CODES[row.case_no[6:8]] == row.programme
        assert row.applied_on <= TODAY and row.status_changed_on <= TODAY
        assert row.id_last6 and row.id_hash and str(raw.get("id_number")) not in row.id_masked


@given(st.lists(case_rows(), max_size=12))
def test_every_row_is_either_good_or_reported(rows):
    good, errors = validate_rows(list(enumerate(rows, start=2)), today=TODAY, hash_key="k")
    assert len(good) + len(errors) == len(rows)
    assert len({r.case_no for r in good}) == len(good)  # duplicates are reported, never imported twice
    for err in errors:
        assert 2 <= err.line < 2 + len(rows)
        assert_reason(err.reason)


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('import-props') / 'cases.db'}")
    migrate.upgrade(engine)
    set_engine(engine)
    yield engine
    set_engine(None)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _write_csv(path, rows, header_names, encoding):
    with path.open("w", encoding=encoding, newline="", errors="replace") as fh:
        w = csv.writer(fh)
        w.writerow(header_names)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in COLUMNS])
    return path


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(case_rows(), max_size=8),
    zh=st.booleans(),
    encoding=st.sampled_from(["utf-8-sig", "gb18030", "utf-8"]),
    skip_bad=st.booleans(),
)
def test_import_file_never_crashes_and_the_report_adds_up(sqlite_db, tmp_path_factory, rows, zh, encoding, skip_bad):
    path = _write_csv(
        tmp_path_factory.mktemp("csv") / "cases.csv", rows, [ZH[c] if zh else c for c in COLUMNS], encoding
    )
    with session_scope() as session:
        report = import_file(session, path, today=TODAY, skip_bad=skip_bad, hash_key="k")
    assert report.total == len(rows) - sum(1 for r in rows if not any(_cell(v).strip() for v in r.values()))
    assert report.rejected == len(report.errors)
    for err in report.errors:
        assert_reason(err.reason)
    if report.imported:
        assert report.added + report.updated + report.unchanged == report.total - report.rejected
    else:
        assert report.errors and not skip_bad and report.added == report.updated == 0


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(case_rows(), min_size=1, max_size=5))
def test_xlsx_cells_of_any_type_never_crash(sqlite_db, tmp_path_factory, rows):
    wb = Workbook()
    ws = wb.active
    ws.append([ZH[c] for c in COLUMNS])
    for r in rows:
        values = []
        for c in COLUMNS:
            v = r.get(c)
            if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
                v = str(v)  # Excel cannot store NaN/inf
            if isinstance(v, str):
                v = "".join(ch for ch in v if ch.isprintable())  # openpyxl refuses control characters
            values.append(v)
        ws.append(values)
    path = tmp_path_factory.mktemp("xlsx") / "cases.xlsx"
    wb.save(path)
    with session_scope() as session:
        report = import_file(session, path, today=TODAY, skip_bad=True, hash_key="k")
    assert report.imported and report.rejected == len(report.errors)
    for err in report.errors:
        assert_reason(err.reason)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(any_text, st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
@example(content="\x00")  # a NUL byte makes Python's csv module raise csv.Error
@example(content="")
@example(content="案件编号,救助项目\n")
def test_the_import_command_answers_any_file_with_an_exit_code(sqlite_db, tmp_path_factory, capsys, content):
    """Random bytes, an empty file, a missing header: `lueyang cases import` exits 0/1/2 with a message."""
    path = tmp_path_factory.mktemp("cli") / "cases.csv"
    path.write_text(content, encoding="utf-8", errors="replace")
    code = cli_main(["cases", "import", str(path)])
    out = capsys.readouterr()
    assert code in (0, 1, 2)
    if code != 0:
        assert CJK.search(out.out + out.err)  # the reason, in Chinese
