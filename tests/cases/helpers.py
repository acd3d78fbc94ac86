"""Synthetic rows for import tests (valid check digits, invented names)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from openpyxl import Workbook

from bot.cases.importer import COLUMNS
from bot.parsing.identity import generate_id_number

EN_HEADER = list(COLUMNS)
ZH_HEADER = [
    "案件编号",
    "救助项目",
    "申请人姓名",
    "身份证号码",
    "联系电话",
    "镇（街道）",
    "村（社区）",
    "申请日期",
    "受理日期",
    "办理状态",
    "状态变更日期",
    "金额",
    "经办人",
    "备注",
]


def make_rows(n: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    towns = ["接官亭镇", "郭镇", "兴州街道", "白水江镇"]
    rows = []
    for i in range(n):
        rows.append(
            [
                f"LY2025DB{i + 1:05d}",
                "低保",
                f"测试{'甲乙丙丁戊'[i % 5]}{'一二三四五六七八九十'[i % 10]}",
                generate_id_number(rng),
                f"139{rng.randint(0, 99999999):08d}",
                towns[i % len(towns)],
                "新华村",
                "2025-03-03",
                "2025-03-05",
                "调查核实中",
                "2025-03-10",
                "",
                "",
                "",
            ]
        )
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path
