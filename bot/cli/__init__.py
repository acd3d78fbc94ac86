"""`lueyang` command line. Each area registers its sub-commands from its own module.

A module exposes ``register(subparsers)``; each sub-command sets ``func`` (args -> exit code) via
``set_defaults``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# one module per area; order = order in --help
COMMAND_MODULES = (
    "bot.cli.run",
    "bot.cli.frontends",
    "bot.cli.db",
    "bot.cli.cases",
    "bot.cli.staff",
    "bot.cli.policy",
    "bot.cli.demo",
    "bot.cli.handoff",
    "bot.cli.notify",
    "bot.cli.privacy",
    "bot.cli.production",
    "bot.precheck.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lueyang", description="略阳县社会救助助手: run, train and administer")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # area not installed in this checkout
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    from bot.errors import AssistantError

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
