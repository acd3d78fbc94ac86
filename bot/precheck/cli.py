"""`lueyang precheck ...`: township staff look up a saved pre-check by its reference number; retention purge.

Registered by ``bot.cli`` (``COMMAND_MODULES``) through ``register(subparsers)``.
"""

from __future__ import annotations

import argparse

from bot.precheck.flow import QUESTIONS, describe
from bot.precheck.model import Category, Outcome, Overall
from bot.precheck.rules import QUESTION_ORDER
from bot.precheck.store import find_by_reference, purge_expired
from bot.settings import get_settings

_CRITERIA = {
    "residency": "户籍或居住地",
    "event": "遭遇的困难",
    "timing": "发生时间",
    "burden": "损失或支出是否超出家庭承受能力",
    "income": "家庭收入",
    "property": "家庭存款等财产",
}


def format_record(record) -> str:
    """A saved pre-check as plain text for staff (it holds no name, ID number or phone)."""
    category = Category(record.category).label if record.category else "未确定"
    lines = [
        f"参考编号：{record.reference}",
        f"保存时间（UTC）：{record.created_at:%Y-%m-%d %H:%M}",
        f"所在镇（街道）：{record.town or '未说明'}",
        f"类型：{category}；预检结论：{Overall(record.overall).label}",
        f"原因：{record.reason}",
        "逐项：",
    ]
    for key, outcome in record.outcomes.items():
        lines.append(f"  - {_CRITERIA.get(key, key)}：{Outcome(outcome).label}")
    lines.append("回答：")
    for key in QUESTION_ORDER:
        value = record.answers.get(key)
        if value is not None:
            lines.append(f"  - {QUESTIONS[key].label}：{describe(key, value)}")
    lines.append(f"规则版本 {record.rules_version}；参数版本 {record.data_version}")
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    record = find_by_reference(args.reference)
    if record is None:
        print(f"没有找到参考编号 {args.reference} 的预检结果（可能已超过保存期限被删除）。")
        return 1
    print(format_record(record))
    return 0


def _purge(args: argparse.Namespace) -> int:
    days = args.days if args.days is not None else get_settings().retention_days
    print(f"deleted {purge_expired(days)} saved pre-check result(s) older than {days} days")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("precheck", help="saved temporary-relief pre-checks (reference numbers)")
    sub = parser.add_subparsers(dest="precheck_command", metavar="ACTION")
    show = sub.add_parser("show", help="show a saved pre-check by reference number (for township staff)")
    show.add_argument("reference")
    show.set_defaults(func=_show)
    purge = sub.add_parser("purge", help="delete saved pre-checks older than the retention period")
    purge.add_argument("--days", type=int, default=None, help="default: RETENTION_DAYS")
    purge.set_defaults(func=_purge)
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)
