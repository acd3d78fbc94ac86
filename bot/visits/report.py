"""The county report by town: share of 分散供养 people visited on time, average visit scores, flagged caregivers.

As rows (``county_report``), as an XLSX workbook with a native bar chart (``write_xlsx``), and as a PNG bar chart
for the chat (``chart_png`` + ``chart_caption``: towns as numbered bars, the caption names them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot import reports
from bot.cases.workdays import get_calendar
from bot.charts import bar_chart
from bot.db.models import CaregiverEvaluation, CareRecipient, CareVisit, Case
from bot.parsing.towns import towns as all_towns
from bot.visits import texts
from bot.visits.rules import TWO_PLACES, VisitParams, add_months, earliest_on_time_base
from bot.visits.service import DISPERSED, current_flags, last_visit_column


@dataclass(frozen=True)
class TownRow:
    town: str
    recipients: int
    on_time: int
    overdue: int
    visits: int  # in the last evaluation period's length of months
    avg_score: Decimal | None
    flagged: int

    @property
    def on_time_share(self) -> Decimal | None:
        return reports.percent(self.on_time, self.recipients)


def county_report(
    session: Session, today: date, params: VisitParams, *, towns: Sequence[str] | None = None
) -> list[TownRow]:
    """One row per town (every town of the county, or ``towns``), in the county's order."""
    names = [t.name for t in all_towns()] if towns is None else list(towns)
    # visited on time = last visit (or start date) on or after one date: counted by the database
    first_on_time = earliest_on_time_base(today, params, get_calendar().is_working_day)
    base = func.coalesce(last_visit_column(), CareRecipient.since)
    counts = (
        select(
            Case.town,
            func.count(CareRecipient.id),
            func.sum(case((base >= first_on_time, 1), else_=0)),
        )
        .select_from(CareRecipient)
        .join(Case, CareRecipient.case_id == Case.id)
        .where(CareRecipient.active.is_(True), CareRecipient.support_mode == DISPERSED)
        .group_by(Case.town)
    )
    if towns is not None:
        counts = counts.where(Case.town.in_(names))
    recipients: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    for town, total, timely in session.execute(counts):
        recipients[town], on_time[town] = int(total), int(timely or 0)
    since = add_months(today, -params.evaluation_period_months) + timedelta(days=1)
    score_rows = session.execute(
        select(Case.town, func.count(CareVisit.id), func.avg(CareVisit.score))
        .select_from(CareVisit)
        .join(CareRecipient, CareVisit.recipient_id == CareRecipient.id)
        .join(Case, CareRecipient.case_id == Case.id)
        .where(
            CareRecipient.active.is_(True),
            CareRecipient.support_mode == DISPERSED,
            CareVisit.visited_on >= since,
            CareVisit.visited_on <= today,
        )
        .group_by(Case.town)
    ).all()
    visits = {town: (count, avg) for town, count, avg in score_rows}
    flagged: dict[str, int] = defaultdict(int)
    for town, count in session.execute(
        current_flags(select(Case.town, func.count(CaregiverEvaluation.id)).select_from(CaregiverEvaluation))
        .group_by(Case.town)
    ):
        flagged[town] = count
    rows = []
    for name in names:
        count, avg = visits.get(name, (0, None))
        rows.append(
            TownRow(
                town=name,
                recipients=recipients[name],
                on_time=on_time[name],
                overdue=recipients[name] - on_time[name],
                visits=count,
                avg_score=None if avg is None else Decimal(str(avg)).quantize(TWO_PLACES),
                flagged=flagged[name],
            )
        )
    return rows


HEADER = (
    "镇（街道）",
    "分散供养人数",
    "按时探访人数",
    "逾期未探访人数",
    "按时探访比例(%)",
    "近期探访次数",
    "近期平均分",
    "被标记照料人",
)


def write_xlsx(rows: Sequence[TownRow], path: Path, *, today: date, params: VisitParams) -> Path:
    """The report as a workbook: one sheet by town with totals, a bar chart of the on-time share, and a note on
    the parameters (unverified until the bureau confirms)."""
    towns = [
        (
            r.town,
            r.recipients,
            r.on_time,
            r.overdue,
            float(r.on_time_share) if r.on_time_share is not None else None,
            r.visits,
            float(r.avg_score) if r.avg_score is not None else None,
            r.flagged,
        )
        for r in rows
    ]
    total = sum(r.recipients for r in rows)
    on_time = sum(r.on_time for r in rows)
    wb = reports.town_workbook(
        HEADER,
        towns,
        (
            "合计",
            total,
            on_time,
            total - on_time,
            round(100 * on_time / total, 1) if total else None,
            sum(r.visits for r in rows),
            None,
            sum(r.flagged for r in rows),
        ),
        share_col=5,
        chart_title="按时探访比例(%)",
        widths=(14, 14, 14, 16, 16, 14, 12, 14),
    )
    notes = [
        f"统计日期：{today}",
        f"探访间隔：{params.interval_months} 个月，到期日遇节假日顺延；近期＝最近 {params.evaluation_period_months} 个月",
        f"评分：{params.score_scale} 分制；评价平均分低于 {params.low_score_threshold} 分为不合格，连续 {params.flag_after_low_evaluations} 次不合格标记照料人",
    ]
    reports.add_notes(wb, notes, verified=params.verified, unverified_note=texts.UNVERIFIED_NOTE)
    return reports.save(wb, path)


def chart_png(rows: Sequence[TownRow]) -> bytes:
    """Towns as numbered bars (on-time share in %); red below 80 %."""
    values = [float(r.on_time_share) if r.on_time_share is not None else None for r in rows]
    return bar_chart(values, maximum=100.0, suffix="%", low_below=80.0)


def chart_caption(rows: Sequence[TownRow], today: date) -> str:
    legend = []
    for i, r in enumerate(rows, start=1):
        share = f"{r.on_time_share}%" if r.on_time_share is not None else "无对象"
        avg = f"，均分 {r.avg_score}" if r.avg_score is not None else ""
        flags = f"，标记 {r.flagged}" if r.flagged else ""
        legend.append(f"{i} {r.town}：{share}（{r.on_time}/{r.recipients}）{avg}{flags}")
    return texts.REPORT_CAPTION.format(date=today, legend="\n".join(legend))
