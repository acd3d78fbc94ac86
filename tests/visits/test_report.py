"""The county report and chart generated from the demo data (DB tests on SQLite and PostgreSQL)."""

from __future__ import annotations

import struct
import zlib

from openpyxl import load_workbook

from bot.charts import bar_chart
from bot.db.session import session_scope
from bot.parsing.towns import towns
from bot.visits import report
from bot.visits.demo import load_visits_demo
from bot.visits.rules import DueState, VisitParams
from bot.visits.service import visit_states
from tests.visits.conftest import TODAY

P = VisitParams()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def decode_rgb(data: bytes) -> tuple[int, int, bytes]:
    """The pixels of a PNG written by bot.charts (one IDAT, filter 0 on every row)."""
    width, height = png_size(data)
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows = [raw[y * (width * 3 + 1) + 1 : (y + 1) * (width * 3 + 1)] for y in range(height)]
    return width, height, b"".join(rows)


def test_report_xlsx_and_chart_from_demo_data(demo_db, tmp_path):
    with session_scope() as s:
        demo = load_visits_demo(s, today=TODAY, params=P)
        assert demo.recipients > 20 and demo.visits > 200 and demo.evaluations > 0
        assert load_visits_demo(s, today=TODAY, params=P).skipped  # idempotent
    with session_scope() as s:
        rows = report.county_report(s, TODAY, P)
    assert [r.town for r in rows] == [t.name for t in towns()]  # every town, in the county's order
    assert sum(r.recipients for r in rows) == demo.agreements  # every 分散 person has a caregiver in the demo
    assert all(0 <= r.on_time <= r.recipients and r.overdue == r.recipients - r.on_time for r in rows)
    assert any(r.overdue for r in rows) and any(r.flagged for r in rows)
    with session_scope() as s:  # the database's on-time count is the rules' answer person by person
        states = visit_states(s, None, TODAY, P)
    for r in rows:
        mine = [i for i in states if i.ref.town == r.town]
        assert (r.recipients, r.on_time) == (len(mine), sum(i.state is not DueState.OVERDUE for i in mine))
    assert all(r.avg_score is None or 1 <= r.avg_score <= 5 for r in rows)

    path = report.write_xlsx(rows, tmp_path / "visits.xlsx", today=TODAY, params=P)
    ws = load_workbook(path)["按镇汇总"]
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == report.HEADER and len(values) == len(rows) + 2
    assert values[-1][0] == "合计" and values[-1][1] == sum(r.recipients for r in rows)
    assert len(ws._charts) == 1  # the native bar chart
    assert "待县民政局确认" in "".join(str(c) for row in load_workbook(path)["说明"].iter_rows(values_only=True) for c in row)

    png = report.chart_png(rows)
    width, height = png_size(png)
    assert width > 17 * 36 and height > 300
    caption = report.chart_caption(rows, TODAY)
    assert caption.count("\n") >= len(rows) and f"1 {rows[0].town}" in caption and f"{len(rows)} {rows[-1].town}" in caption


def test_bars_are_as_high_as_their_values():
    width, height, pixels = decode_rgb(bar_chart([100.0, 50.0, None, 0.0]))

    def column_height(x):
        return sum(1 for y in range(height) if pixels[(y * width + x) * 3 : (y * width + x) * 3 + 3] == bytes((46, 117, 182)))

    left, bar_w, gap = 20, 36, 16
    centre = [left + i * (bar_w + gap) + bar_w // 2 for i in range(4)]
    full, half, missing, zero = (column_height(x) for x in centre)
    assert full == 300 and half == 150 and missing == 0 and zero == 0
