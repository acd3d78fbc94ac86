"""Synthetic visits demo data on top of the demo cases (``lueyang demo load`` first): the demo 特困供养 cases in
care become recipients (every fifth in 集中供养), each 分散 one with an invented caregiver and agreement, about
monthly visits since they came into care (some people not visited lately, so lists have overdue entries; a few
caregivers rated low, so the evaluations flag them), and evaluations of the last three complete quarters.

Fixed seed, invented names and phone numbers; only demo cases (``bot.cases.numbering``) are used. Loading is
idempotent: once demo recipients exist nothing changes unless ``refresh`` (which rebuilds them relative to today).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.cases.demo import DEMO_STAFF, GIVEN, SURNAMES
from bot.cases.numbering import is_demo_case_no
from bot.clock import today as china_today
from bot.db.models import CareAgreement, Caregiver, CareRecipient, CareVisit, Case, Staff
from bot.programmes import TEKUN
from bot.visits.rules import (
    CARE_LEVELS,
    ITEM_KEYS,
    VisitParams,
    add_months,
    period_of,
    previous_period,
    visit_score,
)
from bot.visits.service import evaluate_period

SEED = 20230701
NOT_IN_CARE = ("未通过", "已撤回")
RELATIONS = ("侄子", "侄女", "邻居", "村民", "外甥", "远房亲属", "村干部")
DEMO_NOTE = "演示数据"


@dataclass
class VisitsDemoReport:
    recipients: int = 0
    agreements: int = 0
    visits: int = 0
    evaluations: int = 0
    skipped: bool = False


def _demo_cases(session: Session) -> list[Case]:
    cases = session.scalars(select(Case).where(Case.programme == TEKUN).order_by(Case.case_no))
    return [c for c in cases if is_demo_case_no(c.case_no) and c.status not in NOT_IN_CARE]


def _visitor(town: str, staff_ids: dict[str, int]) -> tuple[str, int | None]:
    for s in DEMO_STAFF:
        if s.role == "caseworker" and town in s.towns:
            return s.name, staff_ids.get(s.name)
    return f"{town}民政办", None


def _ratings(rng: random.Random, quality: float) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for key in ITEM_KEYS:
        out[key] = max(1, min(5, round(rng.gauss(quality, 0.7))))
    return out


def load_visits_demo(
    session: Session, *, today: date | None = None, refresh: bool = False, params: VisitParams | None = None
) -> VisitsDemoReport:
    today = today or china_today()
    params = params or VisitParams()
    report = VisitsDemoReport()
    cases = _demo_cases(session)
    case_ids = [c.id for c in cases]
    existing = session.scalars(select(CareRecipient.id).where(CareRecipient.case_id.in_(case_ids))).all()
    if existing and not refresh:
        report.skipped = True
        report.recipients = len(existing)
        return report
    if existing:
        session.execute(delete(CareRecipient).where(CareRecipient.id.in_(existing)))
        session.flush()
    rng = random.Random(SEED)
    staff_ids = {s.name: s.id for s in session.scalars(select(Staff))}
    for i, case in enumerate(cases):
        mode = "集中" if i % 5 == 4 else "分散"
        since = today - timedelta(days=rng.randint(420, 800))
        level = rng.choice(CARE_LEVELS)
        recipient = CareRecipient(
            case_id=case.id, support_mode=mode, care_level=level, since=since, note=DEMO_NOTE
        )
        session.add(recipient)
        report.recipients += 1
        if mode != "分散":
            continue
        giver = Caregiver(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
        )
        session.add(giver)
        session.flush()
        recipient.agreements.append(
            CareAgreement(
                caregiver_id=giver.id, relation=rng.choice(RELATIONS), starts_on=since, note=DEMO_NOTE
            )
        )
        report.agreements += 1
        quality = 2.2 if i % 7 == 3 else rng.uniform(3.6, 4.8)  # every seventh caregiver cares badly
        stop_months = rng.choice((0, 0, 0, 0, 1, 2, 3))  # some people have not been visited lately
        visitor, visitor_id = _visitor(case.town, staff_ids)
        month = 1
        while True:
            day = add_months(since, month) - timedelta(days=rng.randint(0, 6))
            if day > add_months(today, -stop_months) or day > today:
                break
            month += 1
            if rng.random() < 0.08:
                continue  # a missed month
            ratings = _ratings(rng, quality)
            session.add(
                CareVisit(
                    recipient_id=recipient.id,
                    visited_on=day,
                    visitor_id=visitor_id,
                    visitor_name=visitor,
                    caregiver_id=giver.id,
                    ratings=ratings,
                    score=visit_score(ratings, params),
                    notes="屋里较乱，已提醒照料人打扫" if quality < 3 and rng.random() < 0.5 else None,
                    photos=[],
                    source="demo",
                )
            )
            report.visits += 1
    session.flush()
    period = previous_period(
        period_of(today, params.evaluation_period_months), params.evaluation_period_months
    )
    periods = []
    for _ in range(3):
        periods.append(period)
        period = previous_period(period, params.evaluation_period_months)
    for p in reversed(periods):
        report.evaluations += len(evaluate_period(session, p, params))
    return report
