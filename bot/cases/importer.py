"""Import cases from CSV or XLSX.

Columns (Chinese or English headers, any order): case_no, programme, applicant_name, id_number, phone, town,
village, applied_on, accepted_on, status, status_changed_on, amount, caseworker, note.

Every row is validated first. Without ``skip_bad`` a file with any bad row imports nothing; with it, the good
rows are imported and the bad ones reported. Re-importing the same file changes nothing; a changed status
adds a status-history entry. Rows are written in batches (a few queries per batch, not per row).

Files from outside are read defensively: at most ``IMPORT_MAX_MB`` (``Settings.import_max_mb``) on disk, an XLSX
at most ``XLSX_MAX_EXPANSION`` times that once unpacked (a zip bomb is refused before anything is parsed), and
its XML is parsed by openpyxl through ``defusedxml``, which refuses entity definitions and external references
(billion laughs, XXE).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from defusedxml import DefusedXmlException
from openpyxl import DEFUSEDXML, load_workbook
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from bot.cases.identity import stored_id
from bot.cases.lookup import china_today
from bot.cases.numbering import DEMO_SERIAL_MIN, is_demo_case_no
from bot.cases.status import get_status
from bot.cases.status_changes import notify_status_changes
from bot.db.base import utcnow
from bot.db.models import Applicant, Case, Staff, StatusChange
from bot.errors import ConfigurationError, InputError
from bot.parsing.case_numbers import normalize_case_no, programme_of
from bot.parsing.dates import parse_exact_date
from bot.parsing.phones import normalize_phone
from bot.parsing.towns import normalize_town
from bot.programmes import case_programmes, resolve
from bot.settings import get_settings

COLUMNS = (
    "case_no",
    "programme",
    "applicant_name",
    "id_number",
    "phone",
    "town",
    "village",
    "applied_on",
    "accepted_on",
    "status",
    "status_changed_on",
    "amount",
    "caseworker",
    "note",
)
REQUIRED = ("case_no", "programme", "applicant_name", "id_number", "town", "applied_on", "status")

HEADER_ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "案件编号": "case_no",
    "案件号": "case_no",
    "编号": "case_no",
    "救助项目": "programme",
    "项目": "programme",
    "救助类别": "programme",
    "申请人": "applicant_name",
    "申请人姓名": "applicant_name",
    "姓名": "applicant_name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "电话": "phone",
    "联系电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "镇": "town",
    "乡镇": "town",
    "镇（街道）": "town",
    "镇(街道)": "town",
    "乡镇（街道）": "town",
    "乡镇(街道)": "town",
    "村": "village",
    "村（社区）": "village",
    "村(社区)": "village",
    "村社区": "village",
    "申请日期": "applied_on",
    "受理日期": "accepted_on",
    "状态": "status",
    "办理状态": "status",
    "状态变更日期": "status_changed_on",
    "状态日期": "status_changed_on",
    "金额": "amount",
    "救助金额": "amount",
    "经办人": "caseworker",
    "备注": "note",
}
Row = TypeVar("Row")
DECIDED = {"已批准", "未通过", "已发放"}
BATCH = 1000


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    status_changes: list[tuple[str, str | None, str]] = field(default_factory=list)  # (case_no, old, new)
    imported: bool = False

    def summary(self) -> str:
        return (
            f"新增 {self.added}，更新 {self.updated}，未变 {self.unchanged}，拒绝 {self.rejected}"
            f"（共 {self.total} 行）"
        )


@dataclass(frozen=True)
class CaseRow:
    line: int
    case_no: str
    programme: str
    applicant_name: str
    id_hash: str
    id_last6: str  # in memory only (demo pairs): the database keeps id_last6_hash
    id_masked: str
    id_last6_hash: str
    phone: str | None
    town: str
    village: str | None
    applied_on: date
    accepted_on: date | None
    status: str
    status_changed_on: date
    amount: Decimal | None
    caseworker: str | None
    note: str | None


# --- reading ----------------------------------------------------------------------------------------------
def _norm_header(h: object, aliases: Mapping[str, str]) -> str:
    text = str(h or "").strip().replace("\ufeff", "")
    return aliases.get(text) or aliases.get(text.lower()) or aliases.get(re.sub(r"\s", "", text), "")


def _map_header(
    header: list[object], aliases: Mapping[str, str] | None = None, required: Sequence[str] = REQUIRED
) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for i, h in enumerate(header):
        name = _norm_header(h, aliases or HEADER_ALIASES)
        if name:
            if name in mapping.values():
                raise InputError(f"表头中“{h}”重复")
            mapping[i] = name
    missing = [c for c in required if c not in mapping.values()]
    if missing:
        raise InputError("表头缺少必需的列：" + "、".join(missing))
    return mapping


_Columns = tuple[Mapping[str, str], Sequence[str]]  # header aliases, required columns
MIB = 1024 * 1024
XLSX_MAX_EXPANSION = 20  # an XLSX may unpack to this many times the file-size limit (XML compresses ~5-10x)


def max_import_bytes() -> int:
    """The file-size limit from the settings (``IMPORT_MAX_MB``), in bytes."""
    limit_mb = get_settings().import_max_mb
    if limit_mb < 1:
        raise ConfigurationError(f"IMPORT_MAX_MB must be at least 1, got {limit_mb}")
    return limit_mb * MIB


def _mb(size: int) -> str:
    return f"{size / MIB:.1f}".rstrip("0").rstrip(".")


def check_size(path: Path, max_bytes: int) -> None:
    """``InputError`` (in Chinese) when the file is larger than ``max_bytes``."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"文件太大（{_mb(size)} MB），超过了导入上限 {_mb(max_bytes)} MB。"
            "请把数据分成几个较小的文件分别导入；确需导入更大的文件，请管理员调整 IMPORT_MAX_MB。"
        )


def read_rows(
    path: Path,
    *,
    max_bytes: int | None = None,
    header_aliases: Mapping[str, str] | None = None,
    required: Sequence[str] = REQUIRED,
) -> Iterator[tuple[int, dict[str, object]]]:
    """(line number, {column: raw value}) for each non-empty data row. Line 1 is the header.

    ``max_bytes``: the file-size limit (default: ``IMPORT_MAX_MB``). ``header_aliases`` and ``required``: the
    columns of another kind of file (default: the case file's); other imports (bot.visits) reuse the reading."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise InputError(f"不支持的文件类型 {path.suffix}：请使用 .csv 或 .xlsx")
    limit = max_import_bytes() if max_bytes is None else max_bytes
    check_size(path, limit)
    columns = (header_aliases or HEADER_ALIASES, required)
    if suffix in (".xlsx", ".xlsm"):
        yield from _read_xlsx(path, limit * XLSX_MAX_EXPANSION, columns)
    else:
        yield from _read_csv(path, columns)


def _read_csv(path: Path, columns: _Columns) -> Iterator[tuple[int, dict[str, object]]]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise InputError("无法识别文件编码：请另存为 UTF-8 编码的 CSV")
    if "\x00" in text:
        raise InputError(
            "文件中有空字符（NUL），不像是文本格式的 CSV：请在 Excel 中另存为“CSV UTF-8”或直接导入 .xlsx"
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError("文件是空的")
        mapping = _map_header(header, *columns)
        line = reader.line_num
        for values in reader:
            start = line + 1
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            yield start, {name: (values[i] if i < len(values) else "") for i, name in mapping.items()}
    except csv.Error as exc:
        raise InputError(f"第 {reader.line_num} 行不是有效的 CSV 格式（{exc}）：请检查引号和分隔符") from exc


_UNSAFE_XML = (
    "Excel 文件中含有不允许的 XML 内容（实体定义或外部引用），已拒绝导入。"
    "请在 Excel 或 WPS 中打开后另存为新的 .xlsx 文件再导入。"
)


def _check_unpacked_size(path: Path, max_unpacked: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError("无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式") from exc
    if unpacked > max_unpacked:
        raise InputError(
            f"Excel 文件解压后有 {_mb(unpacked)} MB，超过了上限 {_mb(max_unpacked)} MB，已拒绝导入"
            "（可能是损坏或恶意构造的文件）。请另存为新的 .xlsx，或分成几个较小的文件导入。"
        )


def _refused_by_defusedxml(exc: BaseException) -> bool:
    """Whether defusedxml refused the XML behind ``exc`` (openpyxl wraps parse errors in a ValueError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, DefusedXmlException):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _read_xlsx(path: Path, max_unpacked: int, columns: _Columns) -> Iterator[tuple[int, dict[str, object]]]:
    if not DEFUSEDXML:  # openpyxl would parse the XML without defusedxml (OPENPYXL_DEFUSEDXML=False)
        raise ConfigurationError("XLSX import needs openpyxl with defusedxml (unset OPENPYXL_DEFUSEDXML)")
    _check_unpacked_size(path, max_unpacked)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        if _refused_by_defusedxml(exc):
            raise InputError(_UNSAFE_XML) from exc
        raise InputError(f"无法读取 Excel 文件：{exc.__class__.__name__}") from exc
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InputError("文件是空的")
        mapping = _map_header(list(header), *columns)
        for n, values in enumerate(rows, start=2):
            if not any(v not in (None, "") and str(v).strip() for v in values):
                continue
            yield n, {name: (values[i] if i < len(values) else None) for i, name in mapping.items()}
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a worksheet is parsed while its rows are read
        if _refused_by_defusedxml(exc):
            raise InputError(_UNSAFE_XML) from exc
        raise
    finally:
        wb.close()


# --- validation -------------------------------------------------------------------------------------------
def cell_text(v: object) -> str:
    """A cell as stripped text (Excel's 12.0 -> "12"; empty -> "")."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_date_cell(v: object, label: str) -> date | None:
    """A date cell of an import file, or None when it is empty.

    Excel date and datetime cells are taken as they are; text (and numbers such as 20240506) is read by
    ``bot.parsing.dates.parse_exact_date``. Anything else is an ``InputError`` naming the column ``label``.
    """
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = cell_text(v)
    parsed = parse_exact_date(text)
    if parsed is not None:
        return parsed
    raise InputError(f"{label}“{text}”不是有效日期（应为 2024-05-06 这样的格式）")


def read_amount_cell(v: object) -> Decimal | None:
    """An amount cell in yuan ("1,200元" -> 1200.00), None when empty; ``InputError`` when not a sane amount."""
    text = cell_text(v).replace(",", "").replace("元", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(f"金额“{text}”不是数字") from None
    if not value.is_finite():
        raise InputError(f"金额“{text}”不是数字")
    if value < 0:
        raise InputError(f"金额“{text}”不能为负数")
    if value >= Decimal("100000000"):
        raise InputError(f"金额“{text}”过大（超过一亿元），请检查是否多写了位数")
    return value.quantize(Decimal("0.01"))


def normalize_programme(raw: str) -> str:
    """Canonical name of a programme with case records, from any of its names in the registry (name, alias, key,
    English name, case code; any case); ``InputError`` otherwise."""
    found = resolve(raw)
    if found is None or not found.case_code:
        expected = "、".join(p.name for p in case_programmes())
        raise InputError(f"未知的救助项目“{raw}”，应为：{expected}", value=raw)
    return found.name


def validate_row(line: int, raw: dict[str, object], *, today: date, hash_key: str | None = None) -> CaseRow:
    """A validated row, or ``InputError`` with the reason (in Chinese)."""
    for col in REQUIRED:
        if not cell_text(raw.get(col)):
            raise InputError(f"缺少 {col}")
    case_no = normalize_case_no(cell_text(raw["case_no"]), today=today)
    if is_demo_case_no(case_no):  # bot.cases.numbering: real numbering never gets there
        raise InputError(
            f"案件编号 {case_no} 的流水号不小于 {DEMO_SERIAL_MIN}：这一段留给演示数据，真实案件不使用，请核对编号"
        )
    programme = normalize_programme(cell_text(raw["programme"]))
    if programme_of(case_no) != programme:
        raise InputError(f"案件编号 {case_no} 的业务代码与救助项目“{programme}”不一致")
    name = cell_text(raw["applicant_name"])
    if len(name) > 64:
        raise InputError("申请人姓名过长")
    if isinstance(raw["id_number"], int | float):
        raise InputError("身份证号码单元格是数字格式，Excel 会改掉末尾几位：请把这一列设为“文本”后重新填写")
    ident = stored_id(cell_text(raw["id_number"]), hash_key)
    phone_raw = cell_text(raw.get("phone"))
    phone = normalize_phone(phone_raw) if phone_raw else None
    town = normalize_town(cell_text(raw["town"]))
    village = cell_text(raw.get("village")) or None
    applied = read_date_cell(raw.get("applied_on"), "申请日期")
    accepted = read_date_cell(raw.get("accepted_on"), "受理日期")
    status = get_status(cell_text(raw["status"])).name
    changed = read_date_cell(raw.get("status_changed_on"), "状态变更日期")
    assert applied is not None  # required
    if applied > today:
        raise InputError(f"申请日期 {applied} 晚于今天")
    if accepted is not None and accepted < applied:
        raise InputError(f"受理日期 {accepted} 早于申请日期 {applied}")
    if accepted is not None and accepted > today:
        raise InputError(f"受理日期 {accepted} 晚于今天")
    if status != "已受理" and status != "已撤回" and accepted is None:
        raise InputError(f"状态为“{status}”的案件需要受理日期")
    if changed is not None:
        if changed < (accepted or applied):
            raise InputError(f"状态变更日期 {changed} 早于{'受理' if accepted else '申请'}日期")
        if changed > today:
            raise InputError(f"状态变更日期 {changed} 晚于今天")
    return CaseRow(
        line=line,
        case_no=case_no,
        programme=programme,
        applicant_name=name,
        id_hash=ident.id_hash,
        id_last6=ident.id_last6,
        id_masked=ident.id_masked,
        id_last6_hash=ident.id_last6_hash,
        phone=phone,
        town=town,
        village=village,
        applied_on=applied,
        accepted_on=accepted,
        status=status,
        status_changed_on=changed or accepted or applied,
        amount=read_amount_cell(raw.get("amount")),
        caseworker=cell_text(raw.get("caseworker")) or None,
        note=cell_text(raw.get("note")) or None,
    )


def validate_rows(
    rows: Iterable[tuple[int, dict[str, object]]], *, today: date, hash_key: str | None = None
) -> tuple[list[CaseRow], list[RowError]]:
    good: list[CaseRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, raw in rows:
        try:
            row = validate_row(line, raw, today=today, hash_key=hash_key)
        except InputError as exc:
            errors.append(RowError(line, exc.reason))
            continue
        if row.case_no in seen:
            errors.append(RowError(line, f"案件编号 {row.case_no} 与第 {seen[row.case_no]} 行重复"))
            continue
        seen[row.case_no] = line
        good.append(row)
    return good, errors


def validate_each(
    rows: Iterable[tuple[int, dict[str, object]]],
    validate: Callable[..., Row],
    *,
    today: date,
    key: Callable[[Row], Hashable],
) -> tuple[list[Row], list[RowError]]:
    """Another kind of import file's rows through its ``validate(line, raw, today=...)``: the good rows, and a
    ``RowError`` for each bad one and each repeat of an earlier row's ``key`` (other imports reuse this)."""
    good: list[Row] = []
    errors: list[RowError] = []
    seen: dict[Hashable, int] = {}
    for line, raw in rows:
        try:
            row = validate(line, raw, today=today)
        except InputError as exc:
            errors.append(RowError(line, exc.reason))
            continue
        k = key(row)
        if k in seen:
            errors.append(RowError(line, f"与第 {seen[k]} 行重复"))
            continue
        seen[k] = line
        good.append(row)
    return good, errors


Report = TypeVar("Report", bound="ImportReport")


def screen(
    rows: Iterable[Row],
    errors: list[RowError],
    problem: Callable[[Row], str | None],
    report: Callable[..., Report],
) -> tuple[list[Row], Report]:
    """Validated rows through a check against the database (``problem``: why a row cannot be written, or None):
    the rows to write, and the report so far (``report(total=, rejected=, errors=)``, every error in file order)."""
    good: list[Row] = []
    for row in rows:
        reason = problem(row)
        if reason is None:
            good.append(row)
        else:
            errors.append(RowError(row.line, reason))  # type: ignore[attr-defined]
    errors.sort(key=lambda e: e.line)
    return good, report(total=len(good) + len(errors), rejected=len(errors), errors=errors)


# --- writing ----------------------------------------------------------------------------------------------
_CASE_FIELDS = (
    "programme",
    "town",
    "village",
    "applied_on",
    "accepted_on",
    "status",
    "status_changed_on",
    "amount",
    "caseworker_name",
    "note",
)


def write_rows(
    session: Session,
    rows: list[CaseRow],
    report: ImportReport,
    *,
    source: str,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    staff_by_name: dict[str, int | None] = {}
    for s in session.scalars(select(Staff).where(Staff.active.is_(True))):
        staff_by_name[s.name] = None if s.name in staff_by_name else s.id  # ambiguous names: not linked
    changed_by = f"import:{source}"[:64]
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        _write_batch(session, batch, report, staff_by_name, changed_by)
        if progress:
            progress(min(start + BATCH, len(rows)), len(rows))
    # subscribers of cases whose status changed get a notification, queued in the import's transaction
    notify_status_changes(session, report.status_changes)


def _write_batch(
    session: Session,
    batch: list[CaseRow],
    report: ImportReport,
    staff_by_name: dict[str, int | None],
    changed_by: str,
) -> None:
    """Upsert one batch with Core statements: a few selects and executemany inserts/updates, no per-row query.

    Ids of new rows are read back by their natural keys (id hash, case number), which works the same on
    SQLite and PostgreSQL and keeps psycopg's executemany pipelined (no giant multi-VALUES statements).
    """
    a_t, c_t, h_t = Applicant.__table__, Case.__table__, StatusChange.__table__
    now = utcnow()
    hashes = list({r.id_hash for r in batch})
    applicants = {
        row.id_hash: row
        for row in session.execute(
            select(a_t.c.id, a_t.c.id_hash, a_t.c.name, a_t.c.phone, a_t.c.town, a_t.c.village).where(
                a_t.c.id_hash.in_(hashes)
            )
        )
    }
    existing = {
        row.case_no: row
        for row in session.execute(
            select(
                c_t.c.id,
                c_t.c.case_no,
                c_t.c.applicant_id,
                c_t.c.caseworker_id,
                c_t.c.decided_on,
                *[c_t.c[f] for f in _CASE_FIELDS],
            ).where(c_t.c.case_no.in_([r.case_no for r in batch]))
        )
    }
    # applicants: new ones inserted, changed ones updated (last row of the batch wins)
    latest: dict[str, CaseRow] = {}
    for r in batch:
        latest[r.id_hash] = r
    new_applicants = []
    changed_applicants = []
    for h, r in latest.items():
        old = applicants.get(h)
        if old is None:
            new_applicants.append(
                {
                    "name": r.applicant_name,
                    "id_hash": h,
                    "id_last6_hash": r.id_last6_hash,
                    "id_masked": r.id_masked,
                    "phone": r.phone,
                    "town": r.town,
                    "village": r.village,
                    "household_size": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        else:
            phone = r.phone or old.phone
            if (old.name, old.phone, old.town, old.village) != (r.applicant_name, phone, r.town, r.village):
                changed_applicants.append(
                    {
                        "b_id": old.id,
                        "name": r.applicant_name,
                        "phone": phone,
                        "town": r.town,
                        "village": r.village,
                        "updated_at": now,
                    }
                )
    if new_applicants:
        session.execute(insert(a_t), new_applicants)
        for row in session.execute(
            select(a_t.c.id, a_t.c.id_hash).where(a_t.c.id_hash.in_([a["id_hash"] for a in new_applicants]))
        ):
            applicants[row.id_hash] = row
    if changed_applicants:
        session.execute(
            update(a_t)
            .where(a_t.c.id == bindparam("b_id"))
            .values(
                name=bindparam("name"),
                phone=bindparam("phone"),
                town=bindparam("town"),
                village=bindparam("village"),
                updated_at=bindparam("updated_at"),
            ),
            changed_applicants,
        )
    new_cases = []
    new_history_for: list[CaseRow] = []
    history = []
    case_updates = []
    for r in batch:
        applicant_id = applicants[r.id_hash].id
        values = {
            "programme": r.programme,
            "town": r.town,
            "village": r.village,
            "applied_on": r.applied_on,
            "accepted_on": r.accepted_on,
            "status": r.status,
            "status_changed_on": r.status_changed_on,
            "amount": r.amount,
            "caseworker_name": r.caseworker,
            "note": r.note,
        }
        worker_id = staff_by_name.get(r.caseworker) if r.caseworker else None
        old = existing.get(r.case_no)
        if old is None:
            new_cases.append(
                {
                    "case_no": r.case_no,
                    "applicant_id": applicant_id,
                    "caseworker_id": worker_id,
                    "decided_on": r.status_changed_on if r.status in DECIDED else None,
                    "decision_reason": None,
                    "created_at": now,
                    "updated_at": now,
                    **values,
                }
            )
            new_history_for.append(r)
            report.added += 1
            report.status_changes.append((r.case_no, None, r.status))
            continue
        changed = {f: v for f, v in values.items() if _differs(getattr(old, f), v)}
        if old.applicant_id != applicant_id:
            changed["applicant_id"] = applicant_id
        if old.caseworker_id != worker_id:
            changed["caseworker_id"] = worker_id
        if old.status != r.status:
            if r.status in DECIDED and old.decided_on is None:
                changed["decided_on"] = r.status_changed_on
            history.append(
                {
                    "case_id": old.id,
                    "old_status": old.status,
                    "new_status": r.status,
                    "changed_on": r.status_changed_on,
                    "recorded_at": now,
                    "changed_by": changed_by,
                    "note": None,
                }
            )
            report.status_changes.append((r.case_no, old.status, r.status))
        if changed:
            report.updated += 1
            case_updates.append((old.id, changed))
        else:
            report.unchanged += 1
    if new_cases:
        session.execute(insert(c_t), new_cases)
        ids = dict(
            session.execute(
                select(c_t.c.case_no, c_t.c.id).where(c_t.c.case_no.in_([c["case_no"] for c in new_cases]))
            )
            .tuples()
            .all()
        )
        for r in new_history_for:
            history.append(
                {
                    "case_id": ids[r.case_no],
                    "old_status": None,
                    "new_status": r.status,
                    "changed_on": r.status_changed_on,
                    "recorded_at": now,
                    "changed_by": changed_by,
                    "note": None,
                }
            )
    for case_id, changed in case_updates:  # updates are rare on re-import; one statement each
        session.execute(update(c_t).where(c_t.c.id == case_id).values(updated_at=now, **changed))
    if history:
        session.execute(insert(h_t), history)
    session.expire_all()


def _differs(old: object, new: object) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        if old is None or new is None:
            return old is not new
        return Decimal(old) != Decimal(new)
    return old != new


def import_file(
    session: Session,
    path: Path,
    *,
    skip_bad: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    hash_key: str | None = None,
    max_bytes: int | None = None,
) -> ImportReport:
    """Validate and import ``path``. Returns the report; ``report.imported`` is False when nothing was written.
    A file larger than ``max_bytes`` (default ``IMPORT_MAX_MB``) is refused with ``InputError``."""
    today = today or china_today()
    rows, errors = validate_rows(read_rows(path, max_bytes=max_bytes), today=today, hash_key=hash_key)
    report = ImportReport(total=len(rows) + len(errors), rejected=len(errors), errors=errors)
    if errors and not skip_bad:
        return report
    write_rows(session, rows, report, source=path.name, progress=progress)
    report.imported = True
    return report
