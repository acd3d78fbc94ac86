"""Import 特困 people in care (recipients) and their caregivers (care agreements) from CSV or XLSX.

Files are read by the case importer (``bot.cases.importer.read_rows``: encodings, size limits, XLSX defences) with
their own columns, and errors are reported the same way: line numbers, reasons in Chinese, nothing written when
any row is bad unless ``skip_bad``. Re-importing the same file changes nothing.

Recipients (one row per person): case_no (the person's 特困供养 case, imported before), support_mode
(分散/集中), care_level (自理/部分失能/完全失能), since, active (在供/终止), note.

Caregivers (one row per care agreement): case_no, caregiver_name, relation, phone, starts_on, ends_on, note.
A caregiver is the same person across rows by name and phone. A new agreement for a person ends the person's
earlier open agreement the day before it starts (the caregiver was replaced).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.importer import ImportReport, cell_text, read_date_cell, read_rows, screen, validate_each
from bot.clock import today as china_today
from bot.db.models import CareAgreement, Caregiver, CareRecipient, Case
from bot.errors import InputError
from bot.parsing.case_numbers import normalize_case_no
from bot.parsing.phones import normalize_phone
from bot.programmes import TEKUN
from bot.visits.rules import CARE_LEVELS

RECIPIENT_ALIASES: dict[str, str] = {
    **{c: c for c in ("case_no", "support_mode", "care_level", "since", "active", "note")},
    "案件编号": "case_no",
    "案件号": "case_no",
    "供养方式": "support_mode",
    "供养形式": "support_mode",
    "自理能力": "care_level",
    "生活自理能力": "care_level",
    "纳入日期": "since",
    "供养开始日期": "since",
    "开始日期": "since",
    "状态": "active",
    "供养状态": "active",
    "备注": "note",
}
RECIPIENT_REQUIRED = ("case_no", "support_mode")

CAREGIVER_ALIASES: dict[str, str] = {
    **{c: c for c in ("case_no", "caregiver_name", "relation", "phone", "starts_on", "ends_on", "note")},
    "案件编号": "case_no",
    "案件号": "case_no",
    "照料人": "caregiver_name",
    "照料人姓名": "caregiver_name",
    "照料护理人": "caregiver_name",
    "照料护理人姓名": "caregiver_name",
    "关系": "relation",
    "与供养对象关系": "relation",
    "联系电话": "phone",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "协议开始日期": "starts_on",
    "开始日期": "starts_on",
    "协议结束日期": "ends_on",
    "结束日期": "ends_on",
    "备注": "note",
}
CAREGIVER_REQUIRED = ("case_no", "caregiver_name", "starts_on")

_MODES = {"分散": "分散", "分散供养": "分散", "集中": "集中", "集中供养": "集中"}
_LEVELS = {
    "自理": "自理",
    "生活自理": "自理",
    "全自理": "自理",
    "部分失能": "部分失能",
    "半失能": "部分失能",
    "部分丧失生活自理能力": "部分失能",
    "完全失能": "完全失能",
    "全失能": "完全失能",
    "失能": "完全失能",
    "完全丧失生活自理能力": "完全失能",
}
_ACTIVE = {
    "": True,
    "在供": True,
    "是": True,
    "有效": True,
    "终止": False,
    "停止": False,
    "否": False,
    "已终止": False,
}


@dataclass(frozen=True)
class RecipientRow:
    line: int
    case_no: str
    support_mode: str
    care_level: str | None
    since: date | None
    active: bool
    note: str | None


@dataclass(frozen=True)
class AgreementRow:
    line: int
    case_no: str
    caregiver_name: str
    relation: str | None
    phone: str | None
    starts_on: date
    ends_on: date | None
    note: str | None


def _case_no(raw: dict[str, object], today: date) -> str:
    return normalize_case_no(cell_text(raw.get("case_no")), today=today)


def validate_recipient(line: int, raw: dict[str, object], *, today: date) -> RecipientRow:
    for col in RECIPIENT_REQUIRED:
        if not cell_text(raw.get(col)):
            raise InputError(f"缺少 {col}")
    case_no = _case_no(raw, today)
    mode = _MODES.get(cell_text(raw["support_mode"]))
    if mode is None:
        raise InputError(f"供养方式“{cell_text(raw['support_mode'])}”应为：分散 或 集中")
    level_text = cell_text(raw.get("care_level"))
    level = _LEVELS.get(level_text) if level_text else None
    if level_text and level is None:
        raise InputError(f"自理能力“{level_text}”应为：{'、'.join(CARE_LEVELS)}")
    since = read_date_cell(raw.get("since"), "纳入日期")
    if since is not None and since > today:
        raise InputError(f"纳入日期 {since} 晚于今天")
    active_text = cell_text(raw.get("active"))
    if active_text not in _ACTIVE:
        raise InputError(f"状态“{active_text}”应为：在供 或 终止")
    note = cell_text(raw.get("note")) or None
    return RecipientRow(line, case_no, mode, level, since, _ACTIVE[active_text], note)


def validate_agreement(line: int, raw: dict[str, object], *, today: date) -> AgreementRow:
    for col in CAREGIVER_REQUIRED:
        if not cell_text(raw.get(col)):
            raise InputError(f"缺少 {col}")
    case_no = _case_no(raw, today)
    name = cell_text(raw["caregiver_name"])
    if len(name) > 64:
        raise InputError("照料人姓名过长")
    relation = cell_text(raw.get("relation")) or None
    if relation is not None and len(relation) > 16:
        raise InputError("关系一栏过长（最多16个字）")
    phone_text = cell_text(raw.get("phone"))  # a number cell (13812345678.0) reads as its digits
    phone = normalize_phone(phone_text) if phone_text else None
    starts = read_date_cell(raw.get("starts_on"), "协议开始日期")
    ends = read_date_cell(raw.get("ends_on"), "协议结束日期")
    assert starts is not None  # required
    if ends is not None and ends < starts:
        raise InputError(f"协议结束日期 {ends} 早于开始日期 {starts}")
    return AgreementRow(
        line, case_no, name, relation, phone, starts, ends, cell_text(raw.get("note")) or None
    )


def _tekun_cases(session: Session, case_nos: list[str]) -> dict[str, Case]:
    out: dict[str, Case] = {}
    for start in range(0, len(case_nos), 500):
        chunk = case_nos[start : start + 500]
        out.update({c.case_no: c for c in session.scalars(select(Case).where(Case.case_no.in_(chunk)))})
    return out


def import_recipients(
    session: Session,
    path: Path,
    *,
    skip_bad: bool = False,
    today: date | None = None,
    max_bytes: int | None = None,
) -> ImportReport:
    """Validate and import a recipients file; see the module. ``report.imported`` is False when nothing was written."""
    today = today or china_today()
    raw_rows = read_rows(
        path, max_bytes=max_bytes, header_aliases=RECIPIENT_ALIASES, required=RECIPIENT_REQUIRED
    )
    rows, errors = validate_each(raw_rows, validate_recipient, today=today, key=lambda r: r.case_no)
    cases = _tekun_cases(session, [r.case_no for r in rows])

    def problem(r: RecipientRow) -> str | None:
        case = cases.get(r.case_no)
        if case is None:
            return f"案件编号 {r.case_no} 不在案件库中（请先导入案件）"
        if case.programme != TEKUN:
            return f"案件 {r.case_no} 是{case.programme}案件，不是特困供养"
        return None

    good, report = screen(rows, errors, problem, ImportReport)
    if errors and not skip_bad:
        return report
    existing = {
        rec.case_id: rec
        for rec in session.scalars(
            select(CareRecipient).where(CareRecipient.case_id.in_([cases[r.case_no].id for r in good]))
        )
    }
    for r in good:
        case_id = cases[r.case_no].id
        values = {
            "support_mode": r.support_mode,
            "care_level": r.care_level,
            "since": r.since,
            "active": r.active,
            "note": r.note,
        }
        old = existing.get(case_id)
        if old is None:
            session.add(CareRecipient(case_id=case_id, **values))
            report.added += 1
        elif any(getattr(old, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(old, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    report.imported = True
    return report


def import_caregivers(
    session: Session,
    path: Path,
    *,
    skip_bad: bool = False,
    today: date | None = None,
    max_bytes: int | None = None,
) -> ImportReport:
    """Validate and import a caregivers (care agreements) file; see the module."""
    today = today or china_today()
    raw_rows = read_rows(
        path, max_bytes=max_bytes, header_aliases=CAREGIVER_ALIASES, required=CAREGIVER_REQUIRED
    )
    rows, errors = validate_each(
        raw_rows,
        validate_agreement,
        today=today,
        key=lambda r: (r.case_no, r.caregiver_name, r.phone, r.starts_on),
    )
    recipients = {
        case_no: rec
        for case_no, rec in session.execute(
            select(Case.case_no, CareRecipient)
            .join(CareRecipient, CareRecipient.case_id == Case.id)
            .where(Case.case_no.in_([r.case_no for r in rows]))
        ).tuples()
    }
    good, report = screen(
        rows,
        errors,
        lambda r: None if r.case_no in recipients else f"案件 {r.case_no} 还不是供养对象（请先导入供养对象名单）",
        ImportReport,
    )
    if errors and not skip_bad:
        return report
    caregivers: dict[tuple[str, str | None], Caregiver] = {}
    for r in sorted(good, key=lambda r: (r.case_no, r.starts_on)):
        key = (r.caregiver_name, r.phone)
        giver = caregivers.get(key)
        if giver is None:
            giver = session.scalar(
                select(Caregiver).where(
                    Caregiver.name == r.caregiver_name,
                    Caregiver.phone.is_(None) if r.phone is None else Caregiver.phone == r.phone,
                )
            )
            if giver is None:
                giver = Caregiver(name=r.caregiver_name, phone=r.phone)
                session.add(giver)
                session.flush()
            caregivers[key] = giver
        recipient = recipients[r.case_no]
        same = next(
            (a for a in recipient.agreements if a.caregiver_id == giver.id and a.starts_on == r.starts_on),
            None,
        )
        if same is None:
            for other in recipient.agreements:  # the earlier open agreement ends when this one starts
                if other.starts_on < r.starts_on and (other.ends_on is None or other.ends_on >= r.starts_on):
                    other.ends_on = r.starts_on - timedelta(days=1)
            recipient.agreements.append(
                CareAgreement(
                    caregiver_id=giver.id,
                    relation=r.relation,
                    starts_on=r.starts_on,
                    ends_on=r.ends_on,
                    note=r.note,
                )
            )
            report.added += 1
        elif (same.relation, same.ends_on, same.note) != (r.relation, _ends_on(r, same, recipient), r.note):
            same.relation, same.ends_on, same.note = r.relation, _ends_on(r, same, recipient), r.note
            report.updated += 1
        else:
            report.unchanged += 1
        session.flush()
    report.imported = True
    return report


def _ends_on(row: AgreementRow, agreement: CareAgreement, recipient: CareRecipient) -> date | None:
    """The end of an agreement the file leaves open: the day before the person's next agreement, if any."""
    if row.ends_on is not None:
        return row.ends_on
    later = [a.starts_on for a in recipient.agreements if a.starts_on > agreement.starts_on]
    return min(later) - timedelta(days=1) if later else None
