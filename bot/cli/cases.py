"""`lueyang cases ...` (import, show) and `lueyang demo load`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.audit.log import add_entry
from bot.cases.demo import demo_loaded, demo_samples, load_demo
from bot.cases.importer import import_file
from bot.cases.lookup import staff_lookup
from bot.cases.replies import staff_result
from bot.db.models import Staff
from bot.db.session import session_scope
from bot.errors import ConfigurationError
from bot.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("cases", help="case data: import files, show a case")
    sub = p.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import cases from a CSV or XLSX file")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--skip-bad", action="store_true", help="import the valid rows even if some rows are bad"
    )
    imp.set_defaults(func=_import)
    show = sub.add_parser("show", help="show a case (case number, applicant name or full ID number)")
    show.add_argument("query")
    show.set_defaults(func=_show)

    demo = subparsers.add_parser("demo", help="synthetic demo data")
    dsub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    load = dsub.add_parser("load", help="load ~200 synthetic cases and demo staff (idempotent)")
    load.add_argument("--refresh", action="store_true", help="re-date the demo cases relative to today")
    load.add_argument(
        "--on-this-machine",
        action="store_true",
        help="production profile only: a local demo (case database on this machine without real cases)",
    )
    load.set_defaults(func=_demo_load)


class ProgressBar:
    """A plain progress bar on stderr, shown only for large files."""

    def __init__(self, stream=sys.stderr, min_total: int = 2000) -> None:
        self.stream = stream
        self.min_total = min_total

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_total:
            return
        width = 30
        filled = int(width * done / total) if total else width
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return 2
    with session_scope() as session:
        demo = demo_loaded(session) if get_settings().profile == "production" else 0
        if demo:
            raise ConfigurationError(
                f"the case database holds {demo} demo cases (a local demo of the production profile): real cases "
                "go into a database without demo data"
            )
        report = import_file(session, args.file, skip_bad=args.skip_bad, progress=ProgressBar())
    for err in report.errors:
        print(f"第 {err.line} 行: {err.reason}")
    if report.errors and not report.imported:
        print(
            f"{len(report.errors)} 行有错误，未导入任何数据。修正后重新导入，或加 --skip-bad 只导入正确的行。"
        )
        return 1
    print(report.summary())
    changes = [c for c in report.status_changes if c[1] is not None]
    if changes:
        print(f"状态变更 {len(changes)} 件（已记入办理历史）")
    return 0


def _show(args: argparse.Namespace) -> int:
    # the office PC acts with admin scope
    admin = Staff(name="cli", role="admin", towns=[])
    with session_scope() as session:
        result = staff_lookup(session, admin, args.query)
        for view in result.cases:  # audit: which case was shown, on the office PC
            add_entry(session, sender_id="cli", action="cli_case_show", intent=None, case_no=view.case_no,
                      role="staff", channel="cli")  # fmt: skip
        print(staff_result(result))
    return 0 if result.outcome == "found" else 1


def _demo_load(args: argparse.Namespace) -> int:
    with session_scope() as session:
        staff_created, report = load_demo(session, refresh=args.refresh, on_this_machine=args.on_this_machine)
    if report.imported:
        print(f"demo data: {report.summary()}; staff created: {staff_created}")
    else:
        print(
            f"demo data already loaded ({report.total} cases; --refresh to re-date); staff created: {staff_created}"
        )
    print("try a lookup with (case number + last six of the ID):")
    for case_no, last6, programme, status in demo_samples()[:4]:
        print(f"  {case_no}  {last6}  ({programme}, {status})")
    return 0
