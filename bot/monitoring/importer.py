"""Import a month's warning list of the 陕西省低收入人口动态监测信息平台 (CSV or XLSX) and match it.

Files are read by the case importer (``bot.cases.importer.read_rows``: encodings, size limits, XLSX defences) with
the columns below, and errors are reported the same way: line numbers, reasons in Chinese, nothing written when
any row is bad unless ``skip_bad``.

Columns (any order; the usual headers of the platform's exports are mapped, see ``HEADER_ALIASES``):
head_name (户主姓名), id_number (身份证号码, stored as a keyed hash and a masked display form like applicants'),
town (乡镇（街道）), village (村（社区）), group (人群类别: 边缘易致贫户 / 脱贫不稳定户 / 突发严重困难户, anything else
is 其他), kind (预警类型: 收入骤减, 支出骤增, 因病, 因灾, ...), household_size (家庭人口), income (家庭年收入, yuan),
expense (家庭年支出 / 刚性支出, yuan), warned_on (预警日期). Required: head_name, id_number, town, kind, warned_on.

A row's month is the month of its warning date, or the ``month`` given for the whole file. A household is the
same warning in a month by (month, ID number, kind): re-importing the same month changes nothing (a corrected
row is updated, its task and result are kept). A closed month takes no more rows.

Matching (``bot.monitoring.rules.classify``) runs on every import, in batches of ID hashes against applicants and
their cases. Every warning matched as unknown gets one follow-up task for its town: the first active caseworker
of the town, due ``monitoring.check_working_days`` working days after the import.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot.cases.identity import hashed_and_masked
from bot.cases.importer import (
    ImportReport,
    cell_text,
    read_amount_cell,
    read_date_cell,
    read_rows,
    screen,
    validate_each,
)
from bot.cases.status import get_status
from bot.cases.workdays import get_calendar
from bot.clock import today as china_today
from bot.db.models import Applicant, Case, MonitoringMonth, MonitoringTask, MonitoringWarning, Staff
from bot.errors import InputError
from bot.monitoring.rules import (
    CaseFact,
    Match,
    MatchResult,
    MonitoringParams,
    classify,
    month_of,
    normalize_group,
    normalize_kind,
)
from bot.parsing.towns import normalize_town
from bot.policy.parameters import load_parameters

COLUMNS = (
    "head_name",
    "id_number",
    "town",
    "village",
    "group",
    "kind",
    "household_size",
    "income",
    "expense",
    "warned_on",
)
REQUIRED = ("head_name", "id_number", "town", "kind", "warned_on")
HEADER_ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "户主": "head_name",
    "户主姓名": "head_name",
    "姓名": "head_name",
    "预警对象": "head_name",
    "监测对象": "head_name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "户主身份证号": "id_number",
    "户主身份证号码": "id_number",
    "证件号码": "id_number",
    "公民身份号码": "id_number",
    "镇": "town",
    "乡镇": "town",
    "镇（街道）": "town",
    "镇(街道)": "town",
    "乡镇（街道）": "town",
    "乡镇(街道)": "town",
    "所属乡镇": "town",
    "村": "village",
    "村（社区）": "village",
    "村(社区)": "village",
    "行政村": "village",
    "所属村": "village",
    "人群类别": "group",
    "人群类型": "group",
    "对象类别": "group",
    "监测对象类别": "group",
    "监测类型": "group",
    "户类型": "group",
    "预警类型": "kind",
    "预警类别": "kind",
    "预警原因": "kind",
    "风险类型": "kind",
    "风险类别": "kind",
    "致贫风险": "kind",
    "家庭人口": "household_size",
    "家庭人口数": "household_size",
    "人口数": "household_size",
    "家庭人数": "household_size",
    "收入": "income",
    "家庭收入": "income",
    "家庭年收入": "income",
    "家庭纯收入": "income",
    "家庭年纯收入": "income",
    "年收入": "income",
    "支出": "expense",
    "家庭支出": "expense",
    "家庭年支出": "expense",
    "刚性支出": "expense",
    "年支出": "expense",
    "预警日期": "warned_on",
    "预警时间": "warned_on",
    "推送日期": "warned_on",
    "推送时间": "warned_on",
}
MATCH_BATCH = 900  # ID hashes per matching query (below SQLite's bound-parameter limit)
WRITE_BATCH = 2000


@dataclass(frozen=True)
class WarningRow:
    line: int
    month: str
    head_name: str
    id_hash: str
    id_masked: str
    town: str
    village: str | None
    group: str
    kind: str
    household_size: int | None
    income: Decimal | None
    expense: Decimal | None
    warned_on: date

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.month, self.id_hash, self.kind)


@dataclass
class WarningImport(ImportReport):
    """The import report with what matching found and how many tasks were created."""

    months: list[str] = field(default_factory=list)
    matches: Counter[str] = field(default_factory=Counter)
    tasks_created: int = 0

    def summary(self) -> str:
        found = "，".join(f"{m.label} {self.matches.get(m.value, 0)}" for m in Match)
        return f"{super().summary()}；比对结果：{found}；新建核查任务 {self.tasks_created} 个"


def validate_warning(
    line: int, raw: dict[str, object], *, today: date, month: str | None = None, hash_key: str | None = None
) -> WarningRow:
    """A validated row, or ``InputError`` with the reason (in Chinese)."""
    for col in REQUIRED:
        if not cell_text(raw.get(col)):
            raise InputError(f"缺少 {col}")
    name = cell_text(raw["head_name"])
    if len(name) > 64:
        raise InputError("户主姓名过长")
    if isinstance(raw["id_number"], int | float):
        raise InputError("身份证号码单元格是数字格式，Excel 会改掉末尾几位：请把这一列设为“文本”后重新填写")
    hashed, masked = hashed_and_masked(cell_text(raw["id_number"]), hash_key)
    town = normalize_town(cell_text(raw["town"]))
    village = cell_text(raw.get("village")) or None
    if village is not None and len(village) > 64:
        raise InputError("村（社区）名称过长")
    size_text = cell_text(raw.get("household_size")).removesuffix("人")
    size = None
    if size_text:
        if not size_text.isdigit() or not 1 <= int(size_text) <= 30:
            raise InputError(f"家庭人口“{size_text}”应为 1 到 30 的整数")
        size = int(size_text)
    warned = read_date_cell(raw.get("warned_on"), "预警日期")
    assert warned is not None  # required
    if warned > today:
        raise InputError(f"预警日期 {warned} 晚于今天")
    return WarningRow(
        line=line,
        month=month or month_of(warned),
        head_name=name,
        id_hash=hashed,
        id_masked=masked,
        town=town,
        village=village,
        group=normalize_group(cell_text(raw.get("group"))),
        kind=normalize_kind(cell_text(raw["kind"])),
        household_size=size,
        income=read_amount_cell(raw.get("income")),
        expense=read_amount_cell(raw.get("expense")),
        warned_on=warned,
    )


# --- matching ---------------------------------------------------------------------------------------------
def match_households(session: Session, id_hashes: list[str]) -> dict[str, MatchResult]:
    """What the case database knows of each ID hash (absent: unknown), a few queries per ``MATCH_BATCH``."""
    facts: dict[str, list[CaseFact]] = {}
    open_of: dict[str, bool] = {}
    unique = sorted(set(id_hashes))
    for start in range(0, len(unique), MATCH_BATCH):
        chunk = unique[start : start + MATCH_BATCH]
        rows = session.execute(
            select(Applicant.id_hash, Case.case_no, Case.programme, Case.status, Case.applied_on)
            .join(Case, Case.applicant_id == Applicant.id)
            .where(Applicant.id_hash.in_(chunk))
        )
        for id_hash, case_no, programme, status, applied_on in rows:
            if status not in open_of:
                try:
                    open_of[status] = get_status(status).open
                except InputError:
                    open_of[status] = False
            facts.setdefault(id_hash, []).append(
                CaseFact(case_no, programme, status, open_of[status], applied_on)
            )
    return {h: classify(cases) for h, cases in facts.items()}


# --- writing ----------------------------------------------------------------------------------------------
_FIELDS = (
    "head_name",
    "id_masked",
    "town",
    "village",
    "group",
    "kind",
    "household_size",
    "income",
    "expense",
    "warned_on",
    "match",
    "match_programme",
    "match_case_no",
)


def _values(row: WarningRow, found: MatchResult) -> dict[str, object]:
    return {
        "head_name": row.head_name,
        "id_masked": row.id_masked,
        "town": row.town,
        "village": row.village,
        "group": row.group,
        "kind": row.kind,
        "household_size": row.household_size,
        "income": row.income,
        "expense": row.expense,
        "warned_on": row.warned_on,
        "match": found.match.value,
        "match_programme": found.programme,
        "match_case_no": found.case_no,
    }


def _same(old: object, new: object) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (None if old is None else Decimal(str(old))) == (None if new is None else Decimal(str(new)))
    return old == new


def town_caseworkers(session: Session) -> dict[str, int]:
    """Town -> the id of its first active caseworker (by staff id)."""
    out: dict[str, int] = {}
    for staff in session.scalars(
        select(Staff).where(Staff.active.is_(True), Staff.role == "caseworker").order_by(Staff.id)
    ):
        for town in staff.towns or ():
            out.setdefault(town, staff.id)
    return out


def create_tasks(
    session: Session, months: list[str], *, today: date, params: MonitoringParams | None = None
) -> int:
    """A task for every warning of ``months`` matched as unknown that has none yet. Returns how many."""
    params = params or MonitoringParams.from_county(load_parameters())
    due = get_calendar().add_working_days(today, params.check_working_days)
    workers = town_caseworkers(session)
    rows = session.execute(
        select(MonitoringWarning.id, MonitoringWarning.month, MonitoringWarning.town)
        .outerjoin(MonitoringTask, MonitoringTask.warning_id == MonitoringWarning.id)
        .where(
            MonitoringWarning.month.in_(months),
            MonitoringWarning.match == Match.UNKNOWN.value,
            MonitoringTask.id.is_(None),
        )
        .order_by(MonitoringWarning.id)
    ).all()
    values = [
        {"warning_id": wid, "month": month, "town": town, "assignee_id": workers.get(town), "due_on": due}
        for wid, month, town in rows
    ]
    for start in range(0, len(values), WRITE_BATCH):
        session.execute(insert(MonitoringTask), values[start : start + WRITE_BATCH])
    return len(values)


def import_warnings(
    session: Session,
    path: Path,
    *,
    month: str | None = None,
    skip_bad: bool = False,
    today: date | None = None,
    max_bytes: int | None = None,
    hash_key: str | None = None,
    params: MonitoringParams | None = None,
) -> WarningImport:
    """Validate, match and import a warning list; see the module. ``report.imported`` is False when nothing was
    written."""
    today = today or china_today()
    raw_rows = read_rows(path, max_bytes=max_bytes, header_aliases=HEADER_ALIASES, required=REQUIRED)

    def validate(line: int, raw: dict[str, object], *, today: date) -> WarningRow:
        return validate_warning(line, raw, today=today, month=month, hash_key=hash_key)

    rows, errors = validate_each(raw_rows, validate, today=today, key=lambda r: r.key)
    months = sorted({r.month for r in rows})
    closed = set(
        session.scalars(
            select(MonitoringMonth.month).where(
                MonitoringMonth.month.in_(months), MonitoringMonth.closed_at.is_not(None)
            )
        )
    )
    good, report = screen(
        rows,
        errors,
        lambda r: f"{r.month} 的核查已经结束（月份已关闭），不能再导入这个月的预警" if r.month in closed else None,
        WarningImport,
    )
    if errors and not skip_bad:
        return report
    found = match_households(session, [r.id_hash for r in good])
    unknown = MatchResult(Match.UNKNOWN)
    report.months = sorted({r.month for r in good})
    known_months = set(
        session.scalars(select(MonitoringMonth.month).where(MonitoringMonth.month.in_(report.months)))
    )
    for m in report.months:
        if m not in known_months:
            session.add(MonitoringMonth(month=m))
    existing: dict[tuple[str, str, str], tuple] = {}
    for m in report.months:
        for rec in session.execute(
            select(
                MonitoringWarning.id,
                MonitoringWarning.id_hash,
                *[getattr(MonitoringWarning, f) for f in _FIELDS],
            ).where(MonitoringWarning.month == m)
        ):
            existing[(m, rec[1], rec[2 + _FIELDS.index("kind")])] = rec
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    for r in good:
        result = found.get(r.id_hash, unknown)
        report.matches[result.match.value] += 1
        values = _values(r, result)
        old = existing.get(r.key)
        if old is None:
            new.append({"month": r.month, "id_hash": r.id_hash, **values})
        elif all(_same(old[2 + i], values[f]) for i, f in enumerate(_FIELDS)):
            report.unchanged += 1
        else:
            changed.append({"id": old[0], **values})
    for start in range(0, len(new), WRITE_BATCH):
        session.execute(insert(MonitoringWarning), new[start : start + WRITE_BATCH])
    for start in range(0, len(changed), WRITE_BATCH):
        session.execute(update(MonitoringWarning), changed[start : start + WRITE_BATCH])
    report.added, report.updated = len(new), len(changed)
    session.flush()
    report.tasks_created = create_tasks(session, report.months, today=today, params=params)
    report.imported = True
    return report
