"""`lueyang staff ...`: staff records, bind codes, and messages left while the assistant was down."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import timedelta

from bot.cases.pending import list_pending, mark_handled
from bot.cases.staff import add_staff, create_bind_code, get_staff, list_staff
from bot.db.session import session_scope
from bot.errors import InputError
from bot.frontends.web.accounts import clear_password, set_password
from bot.identity import binding_forms


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("staff", help="staff accounts and bind codes")
    sub = p.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a staff member")
    add.add_argument("name")
    add.add_argument("--role", choices=("caseworker", "hotline", "admin"), required=True)
    add.add_argument("--towns", default="", help="comma-separated town names (caseworker/hotline scope)")
    add.add_argument(
        "--channel",
        action="append",
        default=[],
        help=f"chat identity ({' or '.join(binding_forms())}; repeatable; the production profile refuses term:)",
    )
    add.set_defaults(func=_add)
    lst = sub.add_parser("list", help="list staff")
    lst.set_defaults(func=_list)
    code = sub.add_parser("bind-code", help="make a one-time code the person sends to the bot as /bind CODE")
    code.add_argument("staff", help="staff id or exact name")
    code.add_argument("--hours", type=int, default=24, help="validity in hours (default 24)")
    code.set_defaults(func=_bind_code)
    pw = sub.add_parser("set-password", help="set (or --clear) a staff member's password for the web staff console")
    pw.add_argument("staff", help="staff id or exact name")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    pw.add_argument("--clear", action="store_true", help="remove the password (no console login)")
    pw.set_defaults(func=_set_password)
    pend = sub.add_parser("pending", help="messages received while the assistant was unavailable")
    pend.add_argument("--all", action="store_true", help="include handled messages")
    pend.add_argument("--done", type=int, metavar="ID", help="mark a message as handled")
    pend.set_defaults(func=_pending)


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]


def _add(args: argparse.Namespace) -> int:
    with session_scope() as session:
        staff = add_staff(session, args.name, args.role, _split(args.towns), args.channel)
        print(f"added staff #{staff.id} {staff.name} ({staff.role})")
    return 0


def _list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        rows = list_staff(session)
        if not rows:
            print("no staff yet: lueyang staff add NAME --role caseworker --towns 接官亭镇")
        for s in rows:
            scope = "全部" if s.all_towns else ("、".join(s.towns) or "-")
            state = "" if s.active else " (inactive)"
            print(
                f"#{s.id:<4} {s.name:<8} {s.role:<10} 范围: {scope}  渠道: {', '.join(s.channel_ids) or '-'}{state}"
            )
    return 0


def _bind_code(args: argparse.Namespace) -> int:
    with session_scope() as session:
        staff = get_staff(session, args.staff)
        bind = create_bind_code(session, staff, ttl=timedelta(hours=max(1, args.hours)))
        print(
            f"bind code for {staff.name}: {bind.code}  (send “/bind {bind.code}” to the bot in a private chat; valid {args.hours} h, once)"
        )
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码（至少10个字符）：")
    if getpass.getpass("再输入一次：") != first:
        raise InputError("两次输入的密码不一致")
    return first


def _set_password(args: argparse.Namespace) -> int:
    password = "" if args.clear else _read_password(args)
    with session_scope() as session:
        staff = get_staff(session, args.staff)
        if args.clear:
            clear_password(session, staff)
            print(f"console password of {staff.name} removed")
            return 0
        set_password(session, staff, password)
        print(f"console password of {staff.name} set; log in at /staff as “{staff.name}” (or #{staff.id})")
    return 0


def _pending(args: argparse.Namespace) -> int:
    with session_scope() as session:
        if args.done is not None:
            ok = mark_handled(session, args.done)
            print(f"message {args.done} marked handled" if ok else f"no open message {args.done}")
            return 0 if ok else 1
        rows = list_pending(session, include_handled=args.all)
        if not rows:
            print("no pending messages")
        for m in rows:
            state = f" handled {m.handled_at:%Y-%m-%d %H:%M}" if m.handled_at else ""
            print(f"#{m.id} {m.created_at:%Y-%m-%d %H:%M} UTC {m.channel} {m.sender_id}{state}: {m.text}")
    return 0
