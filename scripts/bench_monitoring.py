"""Benchmark: importing and matching a month's monitoring warnings (issue 18): 90,000 warning rows against
100,000 cases, on SQLite and on PostgreSQL (in six months of 2023 the county helped check the bank data of 87,256
people).

    nice .venvs/app/bin/python scripts/bench_monitoring.py [--cases 100000] [--warnings 90000]
        [--url postgresql://postgres@127.0.0.1:5432/test] [--no-postgres]

The cases (one applicant each; 60 % paid, 15 % being processed, 25 % refused) are written with bulk inserts. The
warning list is a CSV file: a third of its households are applicants of those cases, the rest are unknown. Timed
through the real function (``bot.monitoring.importer.import_warnings``: reading, validation with the keyed ID
hashes, matching, writing, tasks), in one transaction, then the same file again (the idempotent re-import), then
the monthly report. A figure, not a test: run it under ``nice`` on a quiet machine.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cases.demo import GIVEN, SURNAMES, VILLAGES  # noqa: E402
from bot.cases.identity import stored_id  # noqa: E402
from bot.cases.staff import add_staff  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.base import utcnow  # noqa: E402
from bot.db.models import Applicant, Case  # noqa: E402
from bot.db.session import make_engine, session_scope, set_engine  # noqa: E402
from bot.monitoring.importer import import_warnings  # noqa: E402
from bot.monitoring.report import monthly_report  # noqa: E402
from bot.monitoring.rules import KINDS, MonitoringParams  # noqa: E402
from bot.parsing.identity import generate_id_number  # noqa: E402
from bot.parsing.towns import towns  # noqa: E402
from scripts._bench import load_average_line, postgres_schema  # noqa: E402

TODAY = date(2024, 6, 28)
BATCH = 5000
GROUPS = ("边缘易致贫户", "脱贫不稳定户", "突发严重困难户", "一般农户")


def id_numbers(n: int, rng: random.Random) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        number = generate_id_number(rng)
        if number not in seen:
            seen.add(number)
            out.append(number)
    return out


def fill_cases(engine, numbers: list[str], rng: random.Random) -> None:
    town_names = [t.name for t in towns()]
    now = utcnow()
    with engine.begin() as conn:
        for start in range(0, len(numbers), BATCH):
            chunk = numbers[start : start + BATCH]
            rows = []
            for i, number in enumerate(chunk, start=start):
                ident = stored_id(number)
                rows.append({
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "id_hash": ident.id_hash,
                    "id_last6_hash": ident.id_last6_hash, "id_masked": ident.id_masked, "phone": None,
                    "town": town_names[i % len(town_names)], "village": rng.choice(VILLAGES), "household_size": 3,
                    "created_at": now, "updated_at": now,
                })  # fmt: skip
            conn.execute(insert(Applicant), rows)
        ids = [r[0] for r in conn.execute(select(Applicant.id).order_by(Applicant.id))]
        cases = []
        for i, applicant_id in enumerate(ids):
            roll = i % 20
            status = "已发放" if roll < 12 else ("调查核实中" if roll < 15 else "未通过")
            cases.append({
                "case_no": f"LY2023DB{i + 1:05d}" if i < 99999 else f"LY2022DB{i - 99998:05d}", "programme": "低保",
                "applicant_id": applicant_id, "town": town_names[i % len(town_names)], "village": None,
                "applied_on": date(2023, 1, 1), "accepted_on": date(2023, 1, 2), "decided_on": None,
                "status": status, "status_changed_on": date(2023, 2, 1), "amount": None, "decision_reason": None,
                "caseworker_id": None, "caseworker_name": None, "note": None, "created_at": now, "updated_at": now,
            })  # fmt: skip
            if len(cases) >= BATCH:
                conn.execute(insert(Case), cases)
                cases = []
        if cases:
            conn.execute(insert(Case), cases)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def write_warnings(path: Path, known: list[str], unknown: list[str], rng: random.Random) -> int:
    town_names = [t.name for t in towns()]
    households = known + unknown
    rng.shuffle(households)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["户主姓名", "身份证号码", "乡镇（街道）", "村（社区）", "人群类别", "预警类型", "家庭人口", "家庭年收入",
                    "家庭年支出", "预警日期"])  # fmt: skip
        for i, number in enumerate(households):
            w.writerow([
                rng.choice(SURNAMES) + rng.choice(GIVEN), number, town_names[i % len(town_names)], rng.choice(VILLAGES),
                rng.choice(GROUPS), rng.choice(KINDS), rng.randint(1, 6), rng.randrange(3000, 60000, 100),
                rng.randrange(1000, 80000, 100), f"2024-06-{rng.randint(1, 27):02d}",
            ])  # fmt: skip
    return len(households)


def run(engine, label: str, args, numbers: list[str], csv_path: Path) -> list[str]:
    migrate.upgrade(engine)
    set_engine(engine)
    params = MonitoringParams()
    try:
        started = time.perf_counter()
        fill_cases(engine, numbers, random.Random(5))
        with session_scope() as s:
            for i, t in enumerate(towns()):
                add_staff(s, f"经办{i}", "caseworker", [t.name], [])
        lines = [f"{label}: {len(numbers)} cases written in {time.perf_counter() - started:.1f} s"]
        for name in ("import and match", "re-import (idempotent)"):
            start, start_cpu = time.perf_counter(), time.process_time()
            with session_scope() as s:
                rep = import_warnings(s, csv_path, today=TODAY, params=params, max_bytes=200 * 1024 * 1024)
            wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            lines.append(
                f"  {name}: {rep.total} rows in {wall:.1f} s = {rep.total / wall:,.0f} rows/s "
                f"(this process's CPU {cpu:.1f} s); {rep.summary()}"
            )
        start = time.perf_counter()
        with session_scope() as s:
            rows = monthly_report(s, "2024-06", TODAY)
        lines.append(
            f"  monthly report (17 towns, {sum(r.warned for r in rows)} warnings): "
            f"{(time.perf_counter() - start) * 1000:.0f} ms"
        )
        return lines
    finally:
        set_engine(None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--warnings", type=int, default=90_000)
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args(argv)
    print(load_average_line())
    rng = random.Random(18)
    known_n = min(args.cases, args.warnings // 3)
    numbers = id_numbers(args.cases + args.warnings - known_n, rng)
    cases, extra = numbers[: args.cases], numbers[args.cases :]
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "warnings.csv"
        n = write_warnings(csv_path, rng.sample(cases, known_n), extra, rng)
        out.append(f"warning list: {n} rows ({known_n} applicants of the cases), {csv_path.stat().st_size / 1e6:.1f} MB")
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        out += run(engine, "SQLite", args, cases, csv_path)
        engine.dispose()
        if not args.no_postgres:
            with postgres_schema(args.url) as engine:
                out += run(engine, "PostgreSQL", args, cases, csv_path)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
