"""The monthly monitoring report by town and the 三类人群 summary.

Per town (``monthly_report``): warned households, already assisted, applied, tasks, checked, included by
programme, not included (and how often each of the five headings was a reason), referred, overdue. As an XLSX
workbook with a native bar chart (``write_xlsx``) and as a PNG bar chart for the chat (``chart_png`` +
``chart_caption``; ``bot.charts`` draws numbered bars, the caption names the towns).

``group_summary``: the 三类人群 in the shape of the county report's 六是 paragraph ("边缘易致贫户N户M人，享受低保X人、
特困供养Y人、落实临时救助Z人次；…"), counting distinct households warned up to the month. A household counts as
享受 a programme when matching found it assisted in it, or its check included it. People: the household size
(1 when the list has none) for 低保; one person per household for 特困供养 (individual support); one 人次 per
household for 临时救助.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import reports
from bot.charts import bar_chart
from bot.db.models import MonitoringTask, MonitoringWarning
from bot.monitoring import texts
from bot.monitoring.rules import HEADINGS, KEY_GROUPS, Match, MonitoringParams, Outcome
from bot.parsing.towns import towns as all_towns
from bot.programmes import DIBAO, TEKUN, TEMP_RELIEF, case_programmes


@dataclass
class TownRow:
    town: str
    warned: int = 0
    assisted: int = 0
    applied: int = 0
    tasks: int = 0
    checked: int = 0
    included: Counter[str] = field(default_factory=Counter)  # programme -> households
    not_included: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # heading key -> households
    referred: int = 0
    overdue: int = 0

    @property
    def checked_share(self) -> Decimal | None:
        return reports.percent(self.checked, self.tasks)


def monthly_report(
    session: Session, month: str, today: date, *, towns: Sequence[str] | None = None
) -> list[TownRow]:
    """One row per town (every town of the county, or ``towns``), in the county's order."""
    names = [t.name for t in all_towns()] if towns is None else list(towns)
    rows = {name: TownRow(name) for name in names}
    for town, match, n in session.execute(
        select(MonitoringWarning.town, MonitoringWarning.match, func.count())
        .where(MonitoringWarning.month == month, MonitoringWarning.town.in_(names))
        .group_by(MonitoringWarning.town, MonitoringWarning.match)
    ):
        row = rows[town]
        row.warned += n
        if match == Match.ASSISTED.value:
            row.assisted += n
        elif match == Match.APPLIED.value:
            row.applied += n
    for town, outcome, programme, reasons, due_on in session.execute(
        select(
            MonitoringTask.town,
            MonitoringTask.outcome,
            MonitoringTask.programme,
            MonitoringTask.reasons,
            MonitoringTask.due_on,
        ).where(MonitoringTask.month == month, MonitoringTask.town.in_(names))
    ):
        row = rows[town]
        row.tasks += 1
        if outcome is None:
            if due_on < today:
                row.overdue += 1
            continue
        row.checked += 1
        if outcome == Outcome.INCLUDED.value:
            row.included[programme or "未注明"] += 1
        elif outcome == Outcome.NOT_INCLUDED.value:
            row.not_included += 1
            for key in reasons or {}:
                row.reasons[key] += 1
        else:
            row.referred += 1
    return [rows[name] for name in names]


def _programme_names() -> list[str]:
    return [p.name for p in case_programmes()]


def header() -> tuple[str, ...]:
    return (
        "镇（街道）",
        "预警户数",
        "已在保",
        "正在申请",
        "核查任务",
        "已核查",
        *(f"纳入{p}" for p in _programme_names()),
        "不纳入",
        *(f"不纳入原因：{h.label}" for h in HEADINGS),
        "转其他部门",
        "逾期未核查",
        "核查完成比例(%)",
    )


def _cells(r: TownRow) -> tuple:
    share = r.checked_share
    return (
        r.town,
        r.warned,
        r.assisted,
        r.applied,
        r.tasks,
        r.checked,
        *(r.included.get(p, 0) for p in _programme_names()),
        r.not_included,
        *(r.reasons.get(h.key, 0) for h in HEADINGS),
        r.referred,
        r.overdue,
        float(share) if share is not None else None,
    )


def total_row(rows: Sequence[TownRow]) -> TownRow:
    total = TownRow("合计")
    for r in rows:
        for name in (
            "warned",
            "assisted",
            "applied",
            "tasks",
            "checked",
            "not_included",
            "referred",
            "overdue",
        ):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        total.included.update(r.included)
        total.reasons.update(r.reasons)
    return total


def write_xlsx(
    session: Session,
    rows: Sequence[TownRow],
    path: Path,
    *,
    month: str,
    today: date,
    params: MonitoringParams,
) -> Path:
    """The report as a workbook: the towns with a total row and a bar chart of the checked share, the 三类人群
    summary, and a note on the parameters. Counts only: no names or ID numbers."""
    head = header()
    wb = reports.town_workbook(
        head,
        [_cells(r) for r in rows],
        _cells(total_row(rows)),
        share_col=len(head),
        chart_title="核查完成比例(%)",
        widths=(14,),
    )
    groups = wb.create_sheet("三类人群")
    groups.append(("人群", "户数", "人数", "享受低保（人）", "特困供养（人）", "临时救助（人次）"))
    summary = group_summary(session, month)
    for g in summary:
        groups.append((g.group, g.households, g.people, g.dibao_people, g.tekun_people, g.temp_relief_times))
    groups.append((summary_text(summary, month),))
    notes = [
        f"月份：{month}；统计日期：{today}",
        f"核查时限：导入后 {params.check_working_days} 个工作日，遇节假日顺延",
        "已在保：身份证号与已批准或已发放的案件一致；正在申请：与办理中的案件一致；其余为核查任务",
    ]
    reports.add_notes(wb, notes, verified=params.verified, unverified_note=texts.UNVERIFIED_NOTE)
    return reports.save(wb, path)


def chart_png(rows: Sequence[TownRow]) -> bytes:
    """Towns as numbered bars (checked share in %); red below 80 %."""
    values = [float(r.checked_share) if r.checked_share is not None else None for r in rows]
    return bar_chart(values, maximum=100.0, suffix="%", low_below=80.0)


def chart_caption(rows: Sequence[TownRow], month: str, today: date) -> str:
    legend = []
    for i, r in enumerate(rows, start=1):
        share = f"{r.checked_share}%" if r.checked_share is not None else "无任务"
        overdue = f"，逾期 {r.overdue}" if r.overdue else ""
        legend.append(f"{i} {r.town}：{share}（{r.checked}/{r.tasks}，预警 {r.warned}）{overdue}")
    return texts.REPORT_CAPTION.format(month=month, date=today, legend="\n".join(legend))


# --- 三类人群 ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupLine:
    group: str
    households: int
    people: int
    dibao_people: int
    tekun_people: int
    temp_relief_times: int


def group_summary(session: Session, month: str, *, towns: Sequence[str] | None = None) -> list[GroupLine]:
    """The 三类人群 warned up to ``month`` (distinct households, the latest warning of each), see the module."""
    query = (
        select(
            MonitoringWarning.id_hash,
            MonitoringWarning.month,
            MonitoringWarning.group,
            MonitoringWarning.household_size,
            MonitoringWarning.match,
            MonitoringWarning.match_programme,
            MonitoringTask.outcome,
            MonitoringTask.programme,
        )
        .outerjoin(MonitoringTask, MonitoringTask.warning_id == MonitoringWarning.id)
        .where(MonitoringWarning.month <= month, MonitoringWarning.group.in_(KEY_GROUPS))
        .order_by(MonitoringWarning.month, MonitoringWarning.id)
    )
    if towns is not None:
        query = query.where(MonitoringWarning.town.in_(list(towns)))
    latest: dict[str, tuple] = {}
    programmes: dict[str, set[str]] = {}
    for id_hash, _month, group, size, match, match_programme, outcome, programme in session.execute(query):
        latest[id_hash] = (group, size or 1)
        got = programmes.setdefault(id_hash, set())
        if match == Match.ASSISTED.value and match_programme:
            got.add(match_programme)
        if outcome == Outcome.INCLUDED.value and programme:
            got.add(programme)
    out = []
    for group in KEY_GROUPS:
        members = [(h, size) for h, (g, size) in latest.items() if g == group]
        out.append(
            GroupLine(
                group=group,
                households=len(members),
                people=sum(size for _, size in members),
                dibao_people=sum(size for h, size in members if DIBAO in programmes[h]),
                tekun_people=sum(1 for h, _ in members if TEKUN in programmes[h]),
                temp_relief_times=sum(1 for h, _ in members if TEMP_RELIEF in programmes[h]),
            )
        )
    return out


def summary_text(lines: Sequence[GroupLine], month: str) -> str:
    """ "截至2024年6月底，边缘易致贫户3户7人，享受低保4人、特困供养0人、落实临时救助1人次；……。" """
    year, mon = month.split("-")
    parts = [
        f"{g.group}{g.households}户{g.people}人，享受低保{g.dibao_people}人、特困供养{g.tekun_people}人、"
        f"落实临时救助{g.temp_relief_times}人次"
        for g in lines
    ]
    return f"截至{int(year)}年{int(mon)}月底，" + "；".join(parts) + "。"
