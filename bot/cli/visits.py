"""`lueyang visits ...`: import recipients and caregivers, demo data, due list, history, caregiver evaluations and
decisions, flags, the county report (XLSX and PNG chart) and the daily overdue reminders."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot import clock, reports
from bot.db.session import session_scope
from bot.errors import InputError
from bot.parsing.towns import normalize_town
from bot.staff_access import StaffMember
from bot.visits import importer, report, service
from bot.visits.demo import load_visits_demo
from bot.visits.rules import Decision, parse_period, period_of, previous_period

CLI_MEMBER = StaffMember(name="命令行", role="admin")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("visits", help="visits to 分散供养特困 people and caregiver evaluations")
    sub = p.add_subparsers(dest="visits_command", metavar="ACTION", required=True)
    for name, func, what in (
        ("import-recipients", _import_recipients, "import 特困 people in care (case_no, 供养方式, ...)"),
        ("import-caregivers", _import_caregivers, "import caregivers and care agreements"),
    ):
        imp = sub.add_parser(name, help=what)
        imp.add_argument("file", type=Path)
        imp.add_argument(
            "--skip-bad", action="store_true", help="import the valid rows even if some rows are bad"
        )
        imp.set_defaults(func=func)
    demo = sub.add_parser(
        "demo", help="visits demo data on top of the demo cases (run `lueyang demo load` first)"
    )
    demo.add_argument("--refresh", action="store_true", help="rebuild the demo visits relative to today")
    demo.set_defaults(func=_demo)
    due = sub.add_parser("due", help="people due or overdue for a visit, the longest overdue first")
    due.add_argument("--town", action="append", help="only this town (repeatable)")
    due.add_argument("--date", type=date.fromisoformat, help="as of this date (default today)")
    due.set_defaults(func=_due)
    hist = sub.add_parser("history", help="a person's visits (case number or name)")
    hist.add_argument("query")
    hist.set_defaults(func=_history)
    ev = sub.add_parser("evaluate", help="evaluate caregivers for a period (default: the last complete one)")
    ev.add_argument("--period", help="e.g. 2023Q3, or any date inside the period")
    ev.add_argument("--town", action="append")
    ev.set_defaults(func=_evaluate)
    dec = sub.add_parser("decide", help="record the evaluation meeting's decision")
    dec.add_argument("evaluation", type=int)
    dec.add_argument("decision", choices=[d.value for d in Decision])
    dec.add_argument("--by", required=True, help="who decided (e.g. 白水江镇评价会议)")
    dec.set_defaults(func=_decide)
    flags = sub.add_parser("flags", help="flagged caregivers")
    flags.add_argument("--town", action="append")
    flags.set_defaults(func=_flags)
    rep = sub.add_parser("report", help="county report by town: XLSX and/or PNG chart")
    rep.add_argument("--xlsx", type=Path)
    rep.add_argument("--chart", type=Path)
    rep.add_argument("--date", type=date.fromisoformat)
    rep.set_defaults(func=_report)
    rem = sub.add_parser("remind", help="queue today's overdue-visit reminders to caseworkers (working days)")
    rem.add_argument("--date", type=date.fromisoformat)
    rem.set_defaults(func=_remind)


def _towns(names: list[str] | None) -> list[str] | None:
    return [normalize_town(n) for n in names] if names else None


def _print_report(rep) -> int:
    for err in rep.errors:
        print(f"第 {err.line} 行: {err.reason}")
    if rep.errors and not rep.imported:
        print(f"{len(rep.errors)} 行有错误，未导入任何数据。修正后重新导入，或加 --skip-bad 只导入正确的行。")
        return 1
    print(rep.summary())
    return 0


def _import(args: argparse.Namespace, func) -> int:
    if not args.file.is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return 2
    with session_scope() as session:
        rep = func(session, args.file, skip_bad=args.skip_bad)
        if rep.errors and not rep.imported:
            session.rollback()
    return _print_report(rep)


def _import_recipients(args: argparse.Namespace) -> int:
    return _import(args, importer.import_recipients)


def _import_caregivers(args: argparse.Namespace) -> int:
    return _import(args, importer.import_caregivers)


def _demo(args: argparse.Namespace) -> int:
    with session_scope() as session:
        rep = load_visits_demo(session, refresh=args.refresh, params=service.visit_params())
    if rep.skipped:
        print(f"visits demo data already loaded ({rep.recipients} people); --refresh rebuilds it")
    else:
        print(
            f"visits demo data: {rep.recipients} people, {rep.agreements} care agreements, {rep.visits} visits, "
            f"{rep.evaluations} evaluations"
        )
    return 0


def _due(args: argparse.Namespace) -> int:
    params = service.visit_params()
    with session_scope() as session:
        items = service.due_list(session, _towns(args.town), args.date or clock.today(), params)
        print(service.due_text(items, limit=10_000, verified=params.verified))
    return 0


def _history(args: argparse.Namespace) -> int:
    with session_scope() as session:
        match = service.find_person(session, CLI_MEMBER, args.query)
        refs = [match.found] if match.found else list(match.choices)
        if not refs:
            print(match.message)
            return 1
        for ref in refs:
            print(service.history_text(session, ref, clock.today(), limit=1000))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    params = service.visit_params()
    months = params.evaluation_period_months
    try:
        period = (
            parse_period(args.period, months)
            if args.period
            else previous_period(period_of(clock.today(), months), months)
        )
    except ValueError as exc:
        raise InputError(f"评价周期“{args.period}”无法识别（例如 2023Q3 或 2023-08-01）") from exc
    with session_scope() as session:
        evaluations = service.evaluate_period(session, period, params, towns=_towns(args.town))
        flagged = sum(1 for e in evaluations if e.flagged)
        warned = sum(1 for e in evaluations if e.decision == Decision.WARN.value)
    print(
        f"{period.label}（{period.start} 至 {period.end}）：评价 {len(evaluations)} 位照料人，提醒 {warned}，标记 {flagged}"
    )
    return 0


def _decide(args: argparse.Namespace) -> int:
    with session_scope() as session:
        ev = service.decide(session, args.evaluation, args.decision, by=args.by)
        print(f"评价 {ev.id}（{ev.period}）：{Decision(ev.decision).label}，决定人 {ev.decided_by}")
    return 0


def _flags(args: argparse.Namespace) -> int:
    with session_scope() as session:
        print(service.flags_text(service.flagged(session, _towns(args.town))))
    return 0


def _report(args: argparse.Namespace) -> int:
    params = service.visit_params()
    today = args.date or clock.today()
    with session_scope() as session:
        rows = report.county_report(session, today, params)
    if args.xlsx:
        report.write_xlsx(rows, args.xlsx, today=today, params=params)
        print(f"XLSX: {args.xlsx}")
    if args.chart:
        print(f"chart: {reports.write_png(args.chart, report.chart_png(rows))}")
    print(report.chart_caption(rows, today))
    return 0


def _remind(args: argparse.Namespace) -> int:
    with session_scope() as session:
        queued = service.remind_overdue(session, args.date or clock.today())
    print(f"queued {queued} reminder(s)")
    return 0
