"""`lueyang monitoring ...`: import a month's warning list (matching and tasks), open tasks, record a result, the
monthly report (XLSX and PNG chart), the 三类人群 summary, closing a month and the daily overdue reminders."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot import clock, reports
from bot.db.session import session_scope
from bot.errors import InputError
from bot.monitoring import importer, report, service
from bot.monitoring.rules import Outcome, parse_month, parse_outcome, parse_reasons
from bot.monitoring.service import Result
from bot.parsing.towns import normalize_town
from bot.programmes import resolve
from bot.staff_access import StaffMember

CLI_MEMBER = StaffMember(name="命令行", role="admin")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "monitoring", help="monitoring warnings (常态化监测预警): import, tasks, results, report"
    )
    sub = p.add_subparsers(dest="monitoring_command", metavar="ACTION", required=True)
    imp = sub.add_parser(
        "import", help="import a warning list (CSV/XLSX), match it and create follow-up tasks"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--month", type=parse_month, help="the month of every row (default: each warning's date)"
    )
    imp.add_argument(
        "--skip-bad", action="store_true", help="import the valid rows even if some rows are bad"
    )
    imp.set_defaults(func=_import)
    tasks = sub.add_parser("tasks", help="open tasks (earliest deadline first), masked")
    tasks.add_argument("--town", action="append", help="only this town (repeatable)")
    tasks.add_argument("--date", type=date.fromisoformat, help="as of this date (default today)")
    tasks.set_defaults(func=_tasks)
    rec = sub.add_parser("record", help="record (or correct) the result of a task")
    rec.add_argument("task", type=int)
    rec.add_argument("outcome", help="纳入 | 不纳入 | 转其他部门")
    rec.add_argument("--programme", help="纳入: 低保, 特困供养, 临时救助, 低保边缘家庭")
    rec.add_argument("--case-no", help="纳入: the case number, once there is one")
    rec.add_argument("--reasons", help="不纳入: e.g. '收入情况：年收入6万元；财产情况：有小轿车'")
    rec.add_argument("--department", help="转其他部门: to whom")
    rec.add_argument("--by", required=True, help="who checked (a name, kept with the result)")
    rec.set_defaults(func=_record)
    rep = sub.add_parser(
        "report", help="monthly report by town: XLSX and/or PNG chart, and the 三类人群 summary"
    )
    rep.add_argument("--month", type=parse_month, help="default: this month")
    rep.add_argument("--xlsx", type=Path)
    rep.add_argument("--chart", type=Path)
    rep.add_argument("--date", type=date.fromisoformat, help="overdue as of this date (default today)")
    rep.set_defaults(func=_report)
    close = sub.add_parser("close", help="close a month: no more corrections, its tasks leave the lists")
    close.add_argument("month", type=parse_month)
    close.add_argument("--by", required=True)
    close.set_defaults(func=_close)
    rem = sub.add_parser("remind", help="queue today's overdue-task reminders to caseworkers (working days)")
    rem.add_argument("--date", type=date.fromisoformat)
    rem.set_defaults(func=_remind)


def _import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return 2
    with session_scope() as session:
        rep = importer.import_warnings(session, args.file, month=args.month, skip_bad=args.skip_bad)
        if rep.errors and not rep.imported:
            session.rollback()
    for err in rep.errors:
        print(f"第 {err.line} 行: {err.reason}")
    if rep.errors and not rep.imported:
        print(f"{len(rep.errors)} 行有错误，未导入任何数据。修正后重新导入，或加 --skip-bad 只导入正确的行。")
        return 1
    print(rep.summary())
    return 0


def _tasks(args: argparse.Namespace) -> int:
    params = service.monitoring_params()
    towns = [normalize_town(t) for t in args.town] if args.town else None
    with session_scope() as session:
        items = service.open_tasks(session, towns, args.date or clock.today())
        print(service.tasks_text(items, limit=100_000, verified=params.verified))
    return 0


def _record(args: argparse.Namespace) -> int:
    outcome = parse_outcome(args.outcome)
    if outcome is None:
        raise InputError("核查结论应为：纳入、不纳入 或 转其他部门")
    programme = resolve(args.programme) if args.programme else None
    result = Result(
        outcome,
        programme=programme.name if programme else args.programme,
        case_no=args.case_no,
        reasons=tuple(parse_reasons(args.reasons))
        if outcome is Outcome.NOT_INCLUDED and args.reasons
        else (),
        department=args.department,
    )
    member = StaffMember(name=args.by[:64], role="admin")  # an administrator at the server
    with session_scope() as session:
        task = service.record_result(
            session,
            member=member,
            sender_id=service.CONSOLE,
            task_id=args.task,
            result=result,
            today=clock.today(),
        )
        print(f"任务 {task.id}：{service.stored_result(task).describe()}")  # type: ignore[union-attr]
    return 0


def _report(args: argparse.Namespace) -> int:
    params = service.monitoring_params()
    today = args.date or clock.today()
    month = args.month or f"{today.year:04d}-{today.month:02d}"
    with session_scope() as session:
        rows = report.monthly_report(session, month, today)
        if args.xlsx:
            report.write_xlsx(session, rows, args.xlsx, month=month, today=today, params=params)
            print(f"XLSX: {args.xlsx}")
        summary = report.summary_text(report.group_summary(session, month), month)
    if args.chart:
        print(f"chart: {reports.write_png(args.chart, report.chart_png(rows))}")
    print(report.chart_caption(rows, month, today))
    print(summary)
    return 0


def _close(args: argparse.Namespace) -> int:
    with session_scope() as session:
        record = service.close_month(session, args.month, by=args.by)
        print(f"{record.month} 已关闭（{record.closed_by}）")
    return 0


def _remind(args: argparse.Namespace) -> int:
    with session_scope() as session:
        queued = service.remind_overdue(session, args.date or clock.today())
    print(f"queued {queued} reminder(s)")
    return 0
