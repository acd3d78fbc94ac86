"""`lueyang` command line. Each area registers its sub-commands from its own module.

A module exposes ``register(subparsers)``; each sub-command sets ``func`` (args -> exit code) via
``set_defaults``.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli import (
    cases,
    db,
    frontends,
    handoff,
    monitoring,
    notify,
    policy,
    privacy,
    production,
    run,
    staff,
    visits,
)
from bot.errors import AssistantError
from bot.precheck import cli as precheck_cli

# one module per area; order = order in --help
COMMAND_MODULES = (run, frontends, db, cases, staff, policy, handoff, notify, privacy, production, precheck_cli, visits, monitoring)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lueyang", description="略阳县社会救助助手: run, train and administer")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
