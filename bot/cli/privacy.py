"""Privacy and audit commands.

`lueyang purge [--days N] [--dry-run]`: delete history older than RETENTION_DAYS (tracker store, closed tickets,
sent outbox rows, cancelled subscriptions, stored pre-checks), lookup/bind attempts older than
VERIFICATION_RETENTION_DAYS and audit entries older than AUDIT_RETENTION_DAYS. Run daily: deploy/systemd's
lueyang-purge.timer, or by `lueyang run`/`serve`/`production` themselves (``bot.runner.DailyJobs``).
`lueyang report unanswered [--days N] [--threshold X] [--out DIR]`: CSV + Markdown of questions the assistant
could not answer, read from the tracker store.
`lueyang audit [--case CASE_NO] [--limit N]`: recent audit entries.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot import clock
from bot.audit.log import entries
from bot.audit.purge import purge
from bot.audit.unanswered import DEFAULT_THRESHOLD, build_report, to_csv, to_markdown
from bot.db.session import make_engine, session_scope
from bot.precheck.store import purge_expired
from bot.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    purge_cmd = subparsers.add_parser(
        "purge", help="delete conversations, lookup attempts and audit entries older than their retention periods"
    )
    purge_cmd.add_argument(
        "--days", type=int, default=None, help="conversation history, in days (default: RETENTION_DAYS)"
    )
    purge_cmd.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    purge_cmd.set_defaults(func=_purge)

    report = subparsers.add_parser("report", help="reports for the bureau")
    rsub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    un = rsub.add_parser("unanswered", help="fallback and low-confidence messages, grouped (CSV + Markdown)")
    un.add_argument("--days", type=int, default=30, help="look back this many days (0 = everything)")
    un.add_argument(
        "--threshold", type=float, default=None, help="confidence below this counts (default 0.6)"
    )
    un.add_argument("--out", type=Path, default=None, help="directory for the files (default: var/reports)")
    un.set_defaults(func=_unanswered)

    audit = subparsers.add_parser("audit", help="show recent audit log entries")
    audit.add_argument("--case", default=None, help="only entries for this case number")
    audit.add_argument("--limit", type=int, default=50)
    audit.set_defaults(func=_audit)


def tracker_engine(settings=None):
    return make_engine((settings or get_settings()).tracker_store_url)


def _purge(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.check_production()  # a systemd timer starts it (deploy/systemd/lueyang-purge.service)
    days = args.days if args.days is not None else settings.retention_days
    engine = tracker_engine(settings)
    try:
        with session_scope() as session:
            report = purge(session, engine, days=days, dry_run=args.dry_run, settings=settings)
            if args.dry_run:
                session.rollback()
    finally:
        engine.dispose()
    if not args.dry_run:
        report.precheck_results = purge_expired(days)
    prefix = "将删除（演练，未删除）" if args.dry_run else "已删除"
    print(f"{prefix}{report.summary()}")
    return 0


def _unanswered(args: argparse.Namespace) -> int:
    settings = get_settings()
    since = datetime.now(timezone.utc) - timedelta(days=args.days) if args.days else None
    engine = tracker_engine(settings)
    try:
        report = build_report(engine, threshold=args.threshold or DEFAULT_THRESHOLD, since=since)
    finally:
        engine.dispose()
    out = args.out or settings.var_dir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    stamp = clock.today().strftime("%Y%m%d")
    csv_path, md_path = out / f"unanswered-{stamp}.csv", out / f"unanswered-{stamp}.md"
    csv_path.write_text(to_csv(report), encoding="utf-8-sig")  # BOM: opens correctly in Excel
    md_path.write_text(to_markdown(report), encoding="utf-8")
    print(f"{report.unanswered} unanswered of {report.total_messages} messages, {len(report.groups)} groups")
    print(f"written: {csv_path}\n         {md_path}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    with session_scope() as session:
        rows = entries(session, case_no=args.case, limit=args.limit)
    for r in rows:
        who = f"staff#{r.staff_id}" if r.staff_id else r.user_ref
        print(
            f"{r.at:%Y-%m-%d %H:%M:%S}Z {r.role:<8} {who:<20} {r.action:<18} {r.intent or '-':<22} "
            f"{r.case_no or '-':<14} {r.topic or ''}  [policy {r.policy_version or '?'}, params {r.params_version or '?'}]"
        )
    if not rows:
        print("(no audit entries)")
    return 0
