"""What the county reports share (visits #17, monitoring #18): shares in per cent and the XLSX workbook layout.

- ``percent``: part of whole in %, to one decimal place (None when the whole is 0).
- ``town_workbook``: a workbook whose first sheet "按镇汇总" holds one row per town, a total row and a native bar
  chart (0–100 %) of one share column.
- ``add_notes``: the "说明" sheet (one line per row; the "unverified" note while the parameters are unconfirmed).
- ``save``, ``write_png``: write the workbook or a chart, creating the folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def town_workbook(
    header: Sequence[str],
    towns: Sequence[Sequence[Any]],
    total: Sequence[Any],
    *,
    share_col: int,
    chart_title: str,
    widths: Sequence[float],
) -> Workbook:
    """``share_col`` is 1-based; ``widths`` are the widths of the first columns (A, B, ...)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "按镇汇总"
    ws.append(tuple(header))
    for row in towns:
        ws.append(tuple(row))
    ws.append(tuple(total))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    chart = BarChart()
    chart.title = chart_title
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.add_data(Reference(ws, min_col=share_col, min_row=1, max_row=len(towns) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(towns) + 1))
    chart.width, chart.height = 24, 10
    ws.add_chart(chart, f"A{len(towns) + 4}")
    return wb


def add_notes(wb: Workbook, lines: Sequence[str], *, verified: bool, unverified_note: str) -> None:
    notes = wb.create_sheet("说明")
    for line in lines:
        notes.append((line,))
    if not verified:
        notes.append((unverified_note.strip("（）"),))


def write_png(path: Path, png: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path


def save(wb: Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
