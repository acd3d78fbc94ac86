"""Benchmark: the overdue list and the county report of the visits (issue 17) on 2,000 people in 分散供养 with two
years of monthly visits (48,000 visits), on PostgreSQL and on SQLite.

    .venvs/app/bin/python scripts/bench_visits.py [--people 2000] [--months 24] [--repeat 50]
        [--url postgresql://postgres@127.0.0.1:5432/test] [--no-postgres]

PostgreSQL works in a throw-away schema (dropped at the end), SQLite in a temporary file. The data is written with
bulk inserts (cases, applicants, recipients, caregivers, agreements, visits, one evaluation per person); the timings
go through the real functions, one session each: ``bot.visits.service.due_list`` for a caseworker of three towns
and for the whole county, and ``bot.visits.report.county_report``.
Targets: overdue list p95 < 50 ms, county report p95 < 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cases.demo import GIVEN, SURNAMES, VILLAGES  # noqa: E402
from bot.cases.identity import stored_id  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.base import utcnow  # noqa: E402
from bot.db.models import (  # noqa: E402
    Applicant,
    CareAgreement,
    Caregiver,
    CaregiverEvaluation,
    CareRecipient,
    CareVisit,
    Case,
)
from bot.db.session import make_engine, session_scope, set_engine  # noqa: E402
from bot.parsing.identity import generate_id_number  # noqa: E402
from bot.parsing.towns import towns  # noqa: E402
from bot.visits.report import county_report  # noqa: E402
from bot.visits.rules import ITEM_KEYS, VisitParams, add_months, period_of, previous_period, visit_score  # noqa: E402
from bot.visits.service import due_list  # noqa: E402
from scripts._bench import load_average_line, postgres_schema  # noqa: E402

TODAY = date(2024, 6, 28)
BATCH = 5000


def fill(engine, people: int, months: int, rng: random.Random, params: VisitParams) -> int:
    town_names = [t.name for t in towns()]
    now = utcnow()
    with engine.begin() as conn:
        applicants, cases = [], []
        for i in range(people):
            ident = stored_id(generate_id_number(rng))
            applicants.append({
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "id_hash": ident.id_hash,
                "id_last6_hash": ident.id_last6_hash, "id_masked": ident.id_masked, "phone": None,
                "town": town_names[i % len(town_names)], "village": rng.choice(VILLAGES), "household_size": 1,
                "created_at": now, "updated_at": now,
            })  # fmt: skip
        conn.execute(insert(Applicant), applicants)
        ids = [r[0] for r in conn.execute(select(Applicant.id).order_by(Applicant.id))]
        for i, applicant_id in enumerate(ids):
            cases.append({
                "case_no": f"LY2022TK{i + 1:05d}", "programme": "特困供养", "applicant_id": applicant_id,
                "town": town_names[i % len(town_names)], "village": None, "applied_on": date(2022, 1, 1),
                "accepted_on": date(2022, 1, 2), "decided_on": date(2022, 2, 1), "status": "已发放",
                "status_changed_on": date(2022, 2, 1), "amount": None, "decision_reason": None, "caseworker_id": None,
                "caseworker_name": None, "note": None, "created_at": now, "updated_at": now,
            })  # fmt: skip
        conn.execute(insert(Case), cases)
        case_ids = [r[0] for r in conn.execute(select(Case.id).order_by(Case.id))]
        since = add_months(TODAY, -months)
        conn.execute(insert(CareRecipient), [
            {"case_id": c, "support_mode": "分散", "care_level": None, "since": since, "active": True, "note": None,
             "created_at": now, "updated_at": now} for c in case_ids
        ])  # fmt: skip
        recipient_ids = [r[0] for r in conn.execute(select(CareRecipient.id).order_by(CareRecipient.id))]
        conn.execute(insert(Caregiver), [{"name": f"照料人{i}", "phone": None, "created_at": now} for i in recipient_ids])
        giver_ids = [r[0] for r in conn.execute(select(Caregiver.id).order_by(Caregiver.id))]
        conn.execute(insert(CareAgreement), [
            {"recipient_id": r, "caregiver_id": g, "relation": "邻居", "starts_on": since, "ends_on": None, "note": None,
             "created_at": now} for r, g in zip(recipient_ids, giver_ids, strict=True)
        ])  # fmt: skip
        visits = []
        written = 0
        for r, g in zip(recipient_ids, giver_ids, strict=True):
            stop = rng.choice((0, 0, 0, 1, 2))  # some people not visited lately
            for m in range(1, months + 1 - stop):
                ratings = {k: rng.randint(1, 5) for k in ITEM_KEYS}
                visits.append({
                    "recipient_id": r, "visited_on": add_months(since, m) - timedelta(days=rng.randint(0, 6)),
                    "visitor_id": None, "visitor_name": "经办", "caregiver_id": g, "ratings": ratings,
                    "score": visit_score(ratings, params), "notes": None, "photos": [], "source": "bench",
                    "created_at": now,
                })  # fmt: skip
            if len(visits) >= BATCH:
                conn.execute(insert(CareVisit), visits)
                written += len(visits)
                visits = []
        if visits:
            conn.execute(insert(CareVisit), visits)
            written += len(visits)
        last = previous_period(period_of(TODAY, params.evaluation_period_months), params.evaluation_period_months)
        conn.execute(insert(CaregiverEvaluation), [
            {"recipient_id": r, "caregiver_id": g, "period": last.label, "period_start": last.start,
             "period_end": last.end, "visits": 3, "score": Decimal("2.50") if r % 9 == 0 else Decimal("4.00"),
             "decision": "replace" if r % 9 == 0 else "keep", "flagged": r % 9 == 0, "reason": None,
             "decided_by": None, "created_at": now, "updated_at": now}
            for r, g in zip(recipient_ids, giver_ids, strict=True)
        ])  # fmt: skip
    with engine.begin() as conn:  # statistics, as autovacuum (PostgreSQL) or a maintenance run would have them
        conn.execute(text("ANALYZE"))
    return written


def _p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]


def timed(fn, repeat: int) -> tuple[float, float, float, int]:
    """(wall p50, wall p95, this process's CPU p95, rows) in ms; CPU time is not inflated by other processes
    waiting for the same cores (the database server's own work is in the wall time only)."""
    wall, cpu, size = [], [], 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        with session_scope() as s:
            size = len(fn(s))
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), _p95(wall), _p95(cpu), size


def run(engine, label: str, args, params: VisitParams) -> list[str]:
    migrate.upgrade(engine)
    set_engine(engine)
    try:
        started = time.perf_counter()
        written = fill(engine, args.people, args.months, random.Random(17), params)
        fill_s = time.perf_counter() - started
        three = [t.name for t in towns()][:3]
        lines = [f"{label}: {args.people} people, {written} visits written in {fill_s:.1f} s"]
        for name, fn, target in (
            ("overdue list, caseworker of 3 towns", lambda s: due_list(s, three, TODAY, params), 50),
            ("overdue list, whole county", lambda s: due_list(s, None, TODAY, params), 50),
            ("county report (17 towns)", lambda s: county_report(s, TODAY, params), 1000),
        ):
            timed(fn, 2)  # warm-up
            p50, p95, cpu95, size = timed(fn, args.repeat)
            verdict = "ok" if p95 < target else "SLOW"
            lines.append(
                f"  {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, CPU p95 {cpu95:.1f} ms ({size} rows; "
                f"target p95 < {target} ms: {verdict})"
            )
        return lines
    finally:
        set_engine(None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args(argv)
    print(load_average_line())
    params = VisitParams()
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        out += run(engine, "SQLite", args, params)
        engine.dispose()
    if not args.no_postgres:
        with postgres_schema(args.url) as engine:
            out += run(engine, "PostgreSQL", args, params)
    print("\n".join(out))
    return 0 if all("SLOW" not in line for line in out) else 1


if __name__ == "__main__":
    sys.exit(main())
