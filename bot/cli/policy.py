"""`lueyang policy validate` and `lueyang policy unverified`."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.policy.parameters import load_parameters
from bot.policy.referrals import load_referrals
from bot.policy.validate import validate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("policy", help="check the policy knowledge and county parameter files")
    sub = parser.add_subparsers(dest="policy_command", metavar="ACTION")

    p_validate = sub.add_parser("validate", help="validate topics, sources, citations and county parameters")
    p_validate.add_argument(
        "--data-dir", type=Path, default=None, help="knowledge folder (default: bot/policy/data)"
    )
    p_validate.add_argument(
        "--county", type=Path, default=None, help="county parameter file (default: <data-dir>/county.yml)"
    )
    p_validate.set_defaults(func=cmd_validate)

    p_unverified = sub.add_parser("unverified", help="list every unverified county value with its source")
    p_unverified.add_argument("--county", type=Path, default=None, help="county parameter file")
    p_unverified.set_defaults(func=cmd_unverified)

    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def cmd_validate(args: argparse.Namespace) -> int:
    report = validate(args.data_dir, args.county)
    for warning in report.warnings:
        print(f"warning: {warning}")
    for error in report.errors:
        print(f"error: {error}")
    if report.errors:
        print(f"policy data: {len(report.errors)} error(s)")
        return 1
    print(f"policy data OK: {report.topics} topics; {len(report.unverified)} unverified county values")
    return 0


def cmd_unverified(args: argparse.Namespace) -> int:
    params = load_parameters(args.county)
    items = params.unverified()
    for referral in load_referrals(params.path).values():  # the offices of the benefits the assistant refers
        items.extend(p for p in referral.values() if not p.verified)
    for p in items:
        value = "null" if p.value is None else repr(p.value)
        print(f"{p.key}\tvalue={value}\tsource={p.source}" + (f"\tnote={p.note}" if p.note else ""))
    print(f"{len(items)} unverified value(s) in {params.path.name} (version {params.version})")
    return 0
