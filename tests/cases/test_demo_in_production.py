"""Issue 14 item 5: demo data never mixes with real cases, and the production profile refuses it and terminal
staff bindings (except the explicit local demo of the production profile)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.cases import demo as demo_module
from bot.cases.demo import DEMO_STAFF, check_demo_allowed, demo_rows, load_demo
from bot.cases.importer import import_file
from bot.cases.numbering import DEMO_SERIAL_MIN, is_demo_case_no
from bot.cases.staff import add_staff, create_bind_code, redeem_bind_code
from bot.cli import cases as cases_cli
from bot.cli import main as cli_main
from bot.db.models import Case, StaffChannel
from bot.db.session import session_scope
from bot.errors import ConfigurationError
from bot.settings import Settings
from tests.cases.helpers import ZH_HEADER, make_rows, write_csv

TODAY = date(2025, 6, 30)
EMBEDDED = {"LUEYANG_PROFILE": "embedded"}


def production(**extra: str) -> Settings:
    return Settings.from_env({"LUEYANG_PROFILE": "production", **extra})


def embedded() -> Settings:
    return Settings.from_env(EMBEDDED)


def test_demo_case_numbers_lie_in_a_range_real_numbering_never_uses():
    rows = demo_rows(TODAY)
    assert rows and all(is_demo_case_no(r.case_no) for r in rows)
    assert min(int(r.case_no[-5:]) for r in rows) == DEMO_SERIAL_MIN + 1
    assert not any(is_demo_case_no(r[0]) for r in make_rows(50))  # real numbering starts at 00001


def test_import_refuses_case_numbers_of_the_demo_range(db, tmp_path):
    rows = make_rows(2)
    rows[1][0] = "LY2025DB90001"
    path = write_csv(tmp_path / "cases.csv", ZH_HEADER, rows)
    with session_scope() as s:
        report = import_file(s, path, today=TODAY)
    assert not report.imported
    assert [e.line for e in report.errors] == [3] and "演示数据" in report.errors[0].reason
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_demo_cases_never_overwrite_imported_ones(db, tmp_path):
    with session_scope() as s:
        import_file(s, write_csv(tmp_path / "cases.csv", ZH_HEADER, make_rows(3)), today=TODAY)
        real = {c.case_no: c.applicant_id for c in s.scalars(select(Case))}
    with session_scope() as s:
        load_demo(s, today=TODAY, settings=embedded())
    with session_scope() as s:
        for case_no, applicant_id in real.items():
            assert s.scalar(select(Case.applicant_id).where(Case.case_no == case_no)) == applicant_id


def test_production_profile_refuses_demo_data(db):
    with session_scope() as s, pytest.raises(ConfigurationError, match="refuses demo data"):
        load_demo(s, today=TODAY, settings=production())
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_the_local_demo_of_the_production_profile_needs_a_local_database_without_real_cases(db, tmp_path):
    remote = production(DATABASE_URL="postgresql://lueyang_app:pw@10.0.0.10/lueyang_cases?sslmode=verify-full")
    with session_scope() as s, pytest.raises(ConfigurationError, match="10.0.0.10"):
        check_demo_allowed(s, remote, on_this_machine=True)
    local = production()  # DATABASE_URL: SQLite file on this machine
    with session_scope() as s:
        staff_created, report = load_demo(s, today=TODAY, settings=local, on_this_machine=True)
    assert staff_created == len(DEMO_STAFF) and report.imported
    with session_scope() as s:  # the demo staff keep their terminal sessions for `lueyang chat` /staff
        assert s.scalar(select(StaffChannel).where(StaffChannel.channel_id == "term:staff")) is not None
    with session_scope() as s:
        import_file(s, write_csv(tmp_path / "cases.csv", ZH_HEADER, make_rows(1)), today=TODAY)
    with session_scope() as s, pytest.raises(ConfigurationError, match="1 cases outside the demo range"):
        load_demo(s, today=TODAY, settings=local, on_this_machine=True, refresh=True)


def test_production_profile_refuses_terminal_staff_bindings(db):
    with session_scope() as s:
        with pytest.raises(ConfigurationError, match="terminal staff bindings"):
            add_staff(s, "王五", "hotline", [], ["term:wang"], settings=production())
        add_staff(s, "王五", "hotline", [], ["tg-user:42"], settings=production())
        add_staff(s, "赵六", "hotline", [], ["term:zhao"], settings=embedded())


def test_production_profile_refuses_bind_codes_from_a_terminal(db):
    with session_scope() as s:
        staff = add_staff(s, "王五", "hotline", [], [], settings=embedded())
        code = create_bind_code(s, staff).code
    with session_scope() as s:
        assert redeem_bind_code(s, "term-wang", code, settings=production()).outcome == "unsupported"
        assert redeem_bind_code(s, "tg-42-42", code, settings=production()).outcome == "bound"


def test_cli_refuses_demo_load_and_terminal_bindings_in_production(db, monkeypatch, capsys):
    monkeypatch.setattr(demo_module, "get_settings", lambda: production())
    monkeypatch.setattr("bot.cases.staff.get_settings", lambda: production())
    assert cli_main(["demo", "load"]) == 1
    assert "refuses demo data" in capsys.readouterr().err
    assert cli_main(["staff", "add", "王五", "--role", "hotline", "--channel", "term:wang"]) == 1
    assert "terminal staff bindings" in capsys.readouterr().err
    assert cli_main(["demo", "load", "--on-this-machine"]) == 0


def test_real_import_refuses_a_production_database_holding_demo_data(db, monkeypatch, tmp_path, capsys):
    with session_scope() as s:
        load_demo(s, today=TODAY, settings=production(), on_this_machine=True)
    monkeypatch.setattr(cases_cli, "get_settings", lambda: production())
    path = write_csv(tmp_path / "cases.csv", ZH_HEADER, make_rows(1))
    assert cli_main(["cases", "import", str(path)]) == 1
    assert "demo cases" in capsys.readouterr().err
