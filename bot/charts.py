"""A bar chart as a PNG, with the standard library only (zlib): no plotting library and no fonts to install.

Bars are numbered (1, 2, 3 ...) with their value above them in a small built-in digit font; the caption sent
with the image names what each number stands for (the towns), so Chinese text never has to be drawn.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

# 3x5 glyphs, rows top to bottom, "1" = ink
_GLYPHS = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
    "%": ("101", "001", "010", "100", "101"),
    ".": ("000", "000", "000", "000", "010"),
    "-": ("000", "000", "111", "000", "000"),
}
WHITE = (255, 255, 255)
INK = (40, 40, 40)
GRID = (210, 210, 210)
BAR = (46, 117, 182)
LOW = (217, 83, 79)


class Canvas:
    def __init__(self, width: int, height: int, background: tuple[int, int, int] = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: tuple[int, int, int]) -> None:
        """Fill [x0, x1) x [y0, y1), clipped to the canvas."""
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        if x0 >= x1:
            return
        row = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start : start + len(row)] = row

    def text(self, x: int, y: int, value: str, color: tuple[int, int, int] = INK, scale: int = 3) -> None:
        """Draw ``value`` (digits, '%', '.', '-') with its top-left corner at (x, y)."""
        for ch in value:
            glyph = _GLYPHS.get(ch)
            if glyph is not None:
                for gy, line in enumerate(glyph):
                    for gx, bit in enumerate(line):
                        if bit == "1":
                            self.rect(
                                x + gx * scale,
                                y + gy * scale,
                                x + (gx + 1) * scale,
                                y + (gy + 1) * scale,
                                color,
                            )
            x += 4 * scale

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * self.width * 3 : (y + 1) * self.width * 3])
            for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (
                struct.pack(">I", len(data))
                + kind
                + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
            )

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def text_width(value: str, scale: int = 3) -> int:
    return max(0, len(value) * 4 * scale - scale)


def bar_chart(
    values: Sequence[float | None],
    *,
    maximum: float = 100.0,
    suffix: str = "%",
    low_below: float | None = None,
) -> bytes:
    """Bars numbered 1..n, the value above each (None: no bar, "-"), gridlines at quarters of ``maximum``.
    Bars below ``low_below`` are drawn in red."""
    n = max(1, len(values))
    bar_w, gap, left, top, plot_h, bottom = 36, 16, 20, 40, 300, 40
    width = left * 2 + n * bar_w + (n - 1) * gap
    height = top + plot_h + bottom
    canvas = Canvas(width, height)
    base = top + plot_h
    for q in range(5):
        y = base - plot_h * q // 4
        canvas.rect(left - 8, y, width - left + 8, y + 1, GRID if q else INK)
    for i, value in enumerate(values):
        x = left + i * (bar_w + gap)
        label = str(i + 1)
        canvas.text(x + (bar_w - text_width(label)) // 2, base + 12, label)
        if value is None:
            canvas.text(x + (bar_w - text_width("-")) // 2, base - 24, "-")
            continue
        h = round(plot_h * max(0.0, min(value, maximum)) / maximum)
        color = LOW if low_below is not None and value < low_below else BAR
        canvas.rect(x, base - h, x + bar_w, base, color)
        shown = f"{value:.0f}{suffix}"
        scale = 2 if text_width(shown) > bar_w + gap else 3
        canvas.text(x + (bar_w - text_width(shown, scale)) // 2, base - h - 6 * scale - 4, shown, scale=scale)
    return canvas.png()
