"""Engine and session handling.

The engine is created lazily, once per process, from ``get_settings().database_url``. ``session_scope()``
commits on success, rolls back on error and turns driver/connection errors into ``DatabaseUnavailable``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import DatabaseUnavailable
from bot.settings import get_settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None


def normalize_url(url: str) -> str:
    """Map ``postgresql://`` / ``postgres://`` to the psycopg 3 driver; leave everything else alone."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def safe_url(url: str) -> str:
    """The URL with any password hidden, for log lines and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as a placeholder
        return "<invalid database url>"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for ``url`` (SQLite directory created, PostgreSQL via psycopg 3)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        db = make_url(url).database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


def get_engine() -> Engine:
    """The process-wide engine (created on first use)."""
    global _engine, _factory
    if _engine is None:
        with _lock:
            if _engine is None:
                engine = make_engine(get_settings().database_url)
                _factory = sessionmaker(bind=engine, expire_on_commit=False)
                _engine = engine
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Replace the process-wide engine (tests, benchmarks). ``None`` forgets it (it is rebuilt lazily)."""
    global _engine, _factory
    with _lock:
        old = _engine
        _engine = engine
        _factory = sessionmaker(bind=engine, expire_on_commit=False) if engine is not None else None
    if old is not None and old is not engine:
        old.dispose()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A transactional session: commit on success, rollback on error.

    Connection and driver errors are raised as ``DatabaseUnavailable`` (never a raw driver exception).
    """
    try:
        get_engine()
    except (OperationalError, InterfaceError) as exc:  # pragma: no cover - create_engine does not connect
        raise DatabaseUnavailable(f"cannot create the engine: {exc.__class__.__name__}") from exc
    assert _factory is not None
    session = _factory()
    try:
        yield session
        session.commit()
    except (OperationalError, InterfaceError) as exc:
        _rollback(session)
        log.warning("case database error: %s", exc.__class__.__name__)
        raise DatabaseUnavailable(f"case database error: {exc.__class__.__name__}") from exc
    except BaseException:
        _rollback(session)
        raise
    finally:
        session.close()


def _rollback(session: Session) -> None:
    try:
        session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone already
        log.debug("rollback failed", exc_info=True)
