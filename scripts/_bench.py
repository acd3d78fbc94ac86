"""What the database benchmarks share (``bench_visits.py``, ``bench_monitoring.py``): the load average line and a
throw-away PostgreSQL schema. Benchmark code only; nothing in ``bot`` uses it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from bot.db.session import make_engine


def load_average_line() -> str:
    return f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}"


@contextmanager
def postgres_schema(url: str) -> Iterator[Engine]:
    """An engine whose search path is a new schema ``bench_<random>``, dropped with all it holds at the end."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url, connect_args={"connect_timeout": 5})
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
