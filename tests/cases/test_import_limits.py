"""Case files from outside are read defensively (issue 14, item 11): a file-size limit (``IMPORT_MAX_MB``), an
unpacked-size limit for XLSX (zip bombs), and XLSX XML parsed through defusedxml (entity definitions, billion
laughs, external entities are refused with a clear message, never expanded or fetched)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from bot.cases import importer
from bot.cases.importer import read_rows
from bot.errors import ConfigurationError, InputError
from bot.settings import get_settings
from tests.cases.helpers import EN_HEADER, ZH_HEADER, make_rows, write_csv, write_xlsx

MIB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
UNSAFE = "含有不允许的 XML 内容"


@pytest.fixture
def settings_env(monkeypatch):
    """Set environment variables for ``get_settings()`` (read once, so the cache is cleared around the test)."""
    get_settings.cache_clear()
    yield monkeypatch.setenv
    get_settings.cache_clear()


def rewrite(path: Path, member: str, change) -> Path:
    """``path`` with one member of the XLSX (a zip) replaced by ``change(text)``."""
    with zipfile.ZipFile(path) as src:
        items = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in items:
            dst.writestr(name, change(data.decode("utf-8")).encode("utf-8") if name == member else data)
    return path


def xlsx(tmp_path: Path) -> tuple[Path, list[list[str]]]:
    rows = make_rows(3)
    return write_xlsx(tmp_path / "cases.xlsx", ZH_HEADER, rows), rows


def with_doctype(doctype: str, reference: str, case_no: str):
    """The worksheet with a DOCTYPE in front and the first case number replaced by an entity reference."""

    def change(text: str) -> str:
        assert f"<t>{case_no}</t>" in text
        return doctype + text.replace(f"<t>{case_no}</t>", f"<t>{reference}</t>", 1)

    return change


# -- file size -------------------------------------------------------------------------------------------
def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = write_csv(tmp_path / "cases.csv", EN_HEADER, make_rows(50))
    size = path.stat().st_size
    with pytest.raises(InputError) as err:
        list(read_rows(path, max_bytes=size - 1))
    assert "文件太大" in err.value.reason and "IMPORT_MAX_MB" in err.value.reason
    assert len(list(read_rows(path, max_bytes=size))) == 50


def test_the_limit_comes_from_the_settings(tmp_path, settings_env):
    settings_env("IMPORT_MAX_MB", "1")
    path = tmp_path / "big.csv"
    path.write_text(",".join(EN_HEADER) + "\n" + "\n" * (MIB + 10), encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_rows(path))
    assert err.value.reason.startswith("文件太大（1 MB），超过了导入上限 1 MB。")
    assert get_settings().import_max_mb == 1


def test_the_default_limit_is_20_mb(settings_env):
    assert get_settings().import_max_mb == 20


def test_an_xlsx_that_unpacks_far_beyond_the_limit_is_refused_unparsed(tmp_path):
    path, _rows = xlsx(tmp_path)
    rewrite(path, SHEET, lambda text: text.replace("</sheetData>", " " * (3 * MIB) + "</sheetData>"))
    max_bytes = 100_000
    assert path.stat().st_size < max_bytes < 3 * MIB / 20  # small on disk, more than 20 times that unpacked
    with pytest.raises(InputError) as err:
        list(read_rows(path, max_bytes=max_bytes))
    assert "解压后" in err.value.reason


# -- XML in XLSX -----------------------------------------------------------------------------------------
def test_an_entity_defined_in_the_sheet_is_refused(tmp_path):
    """Without defusedxml the standard parser expands it and the row is read with the entity's text."""
    path, rows = xlsx(tmp_path)
    doctype = '<!DOCTYPE worksheet [<!ENTITY e "LY2025DB09999">]>'
    rewrite(path, SHEET, with_doctype(doctype, "&e;", rows[0][0]))
    with pytest.raises(InputError) as err:
        list(read_rows(path))
    assert UNSAFE in err.value.reason


def test_an_xml_bomb_is_refused_at_once(tmp_path):
    path, rows = xlsx(tmp_path)
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = "<!DOCTYPE worksheet [" + "".join(entities) + "]>"
    rewrite(path, SHEET, with_doctype(doctype, "&lol9;", rows[0][0]))
    started = time.monotonic()
    with pytest.raises(InputError) as err:
        list(read_rows(path))
    assert UNSAFE in err.value.reason
    assert time.monotonic() - started < 5


def test_an_external_entity_is_refused_and_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("不该被读到的内容", encoding="utf-8")
    path, rows = xlsx(tmp_path)
    doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    rewrite(path, SHEET, with_doctype(doctype, "&xxe;", rows[0][0]))
    with pytest.raises(InputError) as err:
        list(read_rows(path))
    assert UNSAFE in err.value.reason and "不该被读到" not in err.value.reason


def test_a_doctype_in_the_workbook_part_is_refused_too(tmp_path):
    """workbook.xml is parsed when the file is opened, before any row."""
    path, _rows = xlsx(tmp_path)
    rewrite(path, WORKBOOK, lambda text: '<!DOCTYPE workbook [<!ENTITY e "x">]>' + text.split("?>", 1)[-1])
    with pytest.raises(InputError) as err:
        list(read_rows(path))
    assert UNSAFE in err.value.reason


def test_an_ordinary_xlsx_is_read(tmp_path):
    path, rows = xlsx(tmp_path)
    got = list(read_rows(path))
    assert [r["case_no"] for _, r in got] == [r[0] for r in rows]


def test_xlsx_is_not_read_without_defusedxml(tmp_path, monkeypatch):
    """openpyxl uses defusedxml only when it is installed and OPENPYXL_DEFUSEDXML is not False: check it."""
    path, _rows = xlsx(tmp_path)
    monkeypatch.setattr(importer, "DEFUSEDXML", False)
    with pytest.raises(ConfigurationError):
        list(read_rows(path))
