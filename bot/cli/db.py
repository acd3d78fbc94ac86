"""`lueyang db ...`: case database migrations."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import OperationalError

from bot.db import migrate
from bot.db.session import get_engine, safe_url
from bot.errors import DatabaseUnavailable
from bot.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("db", help="case database: migrations")
    sub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = sub.add_parser("upgrade", help="create or upgrade the schema (alembic upgrade head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_upgrade)
    cur = sub.add_parser("current", help="show the schema revision")
    cur.set_defaults(func=_current)


def _upgrade(args: argparse.Namespace) -> int:
    try:
        migrate.upgrade(get_engine(), args.revision)
        rev = migrate.current_revision()
    except OperationalError as exc:
        raise DatabaseUnavailable(
            f"cannot reach {safe_url(get_settings().database_url)}: {exc.orig.__class__.__name__}"
        ) from exc
    print(f"case database at revision {rev} ({safe_url(get_settings().database_url)})")
    return 0


def _current(args: argparse.Namespace) -> int:
    rev = migrate.current_revision()
    head = migrate.head_revision()
    print(f"current: {rev or '(empty)'}  head: {head}")
    return 0 if rev == head else 1
