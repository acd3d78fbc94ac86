"""Benchmark: fill PostgreSQL with synthetic cases, report import throughput and lookup latency.

    .venvs/app/bin/python scripts/bench_cases.py [--rows 100000] [--url postgresql://postgres@127.0.0.1:5432/test]

Works in a throw-away schema (dropped at the end unless --keep). Import goes through the real importer
(CSV file -> validation -> batched upserts); lookups through the real lookup functions, one session each.
Targets: import >= 2,000 rows/s, p95 < 5 ms per lookup.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cases.demo import GIVEN, SURNAMES, VILLAGES  # noqa: E402
from bot.cases.importer import COLUMNS, import_file  # noqa: E402
from bot.cases.lookup import my_cases, resident_lookup, staff_lookup  # noqa: E402
from bot.cases.staff import add_staff  # noqa: E402
from bot.cases.status import STATUSES  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.models import Staff  # noqa: E402
from bot.db.session import make_engine, session_scope, set_engine  # noqa: E402
from bot.parsing.identity import generate_id_number  # noqa: E402
from bot.parsing.towns import towns  # noqa: E402
from bot.programmes import case_codes  # noqa: E402


def write_file(path: Path, n: int, today: date, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """Write n synthetic rows; returns (case_no, last6, name, id_number) samples."""
    town_names = [t.name for t in towns()]
    statuses = list(STATUSES)
    codes = case_codes()
    programmes = list(codes)
    seen: set[str] = set()
    samples = []
    serial: dict[tuple[int, str], int] = {}
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for i in range(n):
            while True:
                id_number = generate_id_number(rng)
                if id_number not in seen:
                    seen.add(id_number)
                    break
            programme = programmes[i % 3]
            applied = today - timedelta(days=rng.randint(1, 700))
            accepted = min(today, applied + timedelta(days=rng.randint(0, 3)))
            changed = accepted + timedelta(days=rng.randint(0, max(0, min(60, (today - accepted).days))))
            key = (applied.year, programme)
            serial[key] = serial.get(key, 0) + 1
            case_no = f"LY{applied.year}{codes[programme]}{serial[key]:05d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", "", rng.choice(GIVEN)[0]))
            town = town_names[i % len(town_names)]
            w.writerow(
                [
                    case_no,
                    programme,
                    name,
                    id_number,
                    f"139{rng.randint(0, 99999999):08d}",
                    town,
                    rng.choice(VILLAGES),
                    applied.isoformat(),
                    accepted.isoformat(),
                    rng.choice(statuses),
                    changed.isoformat(),
                    "",
                    "",
                    "",
                ]
            )
            if i % max(1, n // 2000) == 0:
                samples.append((case_no, id_number[-6:], name, id_number))
    return samples


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--lookups", type=int, default=500, help="lookups per kind")
    ap.add_argument("--keep", action="store_true", help="keep the schema")
    args = ap.parse_args(argv)

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(args.url, connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5})
    set_engine(engine)
    rng = random.Random(42)
    today = date.today()
    try:
        migrate.upgrade(engine)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "cases.csv"
            t0 = time.perf_counter()
            samples = write_file(path, args.rows, today, rng)
            print(f"generated {args.rows} rows in {time.perf_counter() - t0:.1f} s")
            t0 = time.perf_counter()
            with session_scope() as s:
                report = import_file(s, path, today=today, skip_bad=True)
            for err in report.errors[:5]:
                print(f"  rejected line {err.line}: {err.reason}")
            elapsed = time.perf_counter() - t0
            print(f"import: {report.summary()}  {elapsed:.1f} s  -> {args.rows / elapsed:,.0f} rows/s")
            t0 = time.perf_counter()
            with session_scope() as s:
                again = import_file(s, path, today=today, skip_bad=True)
            elapsed2 = time.perf_counter() - t0
            print(
                f"re-import (unchanged): {again.summary()}  {elapsed2:.1f} s  -> {args.rows / elapsed2:,.0f} rows/s"
            )
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        with session_scope() as s:
            add_staff(s, "基准经办", "caseworker", ["接官亭镇", "郭镇"], ["term:bench"])
            add_staff(s, "基准管理员", "admin", [], ["term:bench-admin"])

        def staff(name):
            with session_scope() as s:
                return s.scalar(select(Staff).where(Staff.name == name))

        worker, admin_staff = staff("基准经办"), staff("基准管理员")
        n = args.lookups

        def resident(i):
            case_no, last6, _, _ = samples[i % len(samples)]
            with session_scope() as s:
                r = resident_lookup(s, f"bench-{i}", case_no, last6, today=today)
                assert r.outcome == "found", r

        def by_case(i):
            with session_scope() as s:
                staff_lookup(s, admin_staff, samples[i % len(samples)][0], today=today)

        def by_name(i):
            with session_scope() as s:
                staff_lookup(s, admin_staff, samples[i % len(samples)][2], today=today)

        def by_id(i):
            with session_scope() as s:
                r = staff_lookup(s, admin_staff, samples[i % len(samples)][3], today=today)
                assert r.outcome == "found"

        def mycases(i):
            with session_scope() as s:
                my_cases(s, worker, today=today)

        print(f"\nlookup latency over {n} lookups each (ms, including session + commit):")
        print(f"{'kind':<28}{'p50':>8}{'p95':>8}{'max':>8}")
        for label, fn in (
            ("resident (case no + last6)", resident),
            ("staff by case number", by_case),
            ("staff by name", by_name),
            ("staff by full ID number", by_id),
            ("/mycases (2 towns)", mycases),
        ):
            fn(0)  # warm-up
            times = timed(fn, n if fn is not mycases else max(20, n // 10))
            print(f"{label:<28}{statistics.median(times):>8.2f}{pct(times, 95):>8.2f}{max(times):>8.2f}")
    finally:
        set_engine(None)
        if not args.keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
