"""SVG charts, drawn once and embedded as the same bytes in the web page and the PDF.

Plain SVG 1.1 (rect, line, polyline, text) that both a browser and fpdf2's SVG reader
draw alike: no CSS, no markers, no gradients. Text uses ``FONT_FAMILY``, the name the PDF
registers its embedded Noto CJK font under, so the PDF's charts carry the same glyphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT_FAMILY = "NotoSansCJK"
PALETTE = ("#c0392b", "#2471a3", "#d68910", "#239b56", "#7d3c98", "#5d6d7e", "#a04000")
WIDTH = 640
MARGIN_LEFT = 150
MARGIN_RIGHT = 40
TICKS = 4  # gridlines above the x axis on a trend chart


@dataclass(frozen=True)
class Series:
    """One line on a trend chart: its label and a value for each x label."""

    label: str
    values: Sequence[int]


def _text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT_FAMILY}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="#222222">{escape(text)}</text>'
    )


def _frame(height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" data-chart="{escape(title)}">'
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        + _text(WIDTH / 2, 20, title, size=14, anchor="middle")
        + "".join(body)
        + "</svg>"
    )


def _nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bars(title: str, items: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars, one a label, longest first as given."""
    row = 24
    height = 40 + row * max(len(items), 1) + 10
    top = _nice_top(max((v for _, v in items), default=0))
    span = WIDTH - MARGIN_LEFT - MARGIN_RIGHT - 40
    body: list[str] = []
    if not items:
        body.append(_text(WIDTH / 2, 50, "本期无数据", anchor="middle"))
    for n, (label, value) in enumerate(items):
        y = 36 + n * row
        length = span * value / top if top else 0
        body.append(_text(MARGIN_LEFT - 8, y + 15, label, anchor="end"))
        body.append(
            f'<rect x="{MARGIN_LEFT}" y="{y + 3}" width="{max(length, 1):.1f}" height="{row - 8}" '
            f'fill="{PALETTE[n % len(PALETTE)]}"/>'
        )
        body.append(_text(MARGIN_LEFT + length + 6, y + 15, str(value)))
    return _frame(height, title, body)


def lines(title: str, x_labels: Sequence[str], series: Sequence[Series]) -> str:
    """One line a series over the x labels (days), with a legend below."""
    plot_top, plot_height = 36, 180
    left, right = 50, WIDTH - 20
    legend_rows = (len(series) + 2) // 3
    height = plot_top + plot_height + 40 + 18 * legend_rows + 10
    highest = max((max(s.values, default=0) for s in series), default=0)
    tick = _nice_top(-(-highest // TICKS))  # whole numbers on every gridline
    top = tick * TICKS
    body: list[str] = []
    baseline = plot_top + plot_height
    for k in range(TICKS + 1):  # gridlines and the y axis's numbers
        y = baseline - plot_height * k / TICKS
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
            f'stroke="#dddddd" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y + 4, str(tick * k), size=10, anchor="end"))
    count = len(x_labels)
    step = (right - left) / max(count - 1, 1)
    every = max(1, (count + 9) // 10)  # at most about ten day labels
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == count - 1:
            body.append(_text(left + i * step, baseline + 16, label, size=10, anchor="middle"))
    if not x_labels or not series:
        body.append(_text(WIDTH / 2, plot_top + 60, "本期无数据", anchor="middle"))
    for n, one in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(
            f"{left + i * step:.1f},{baseline - (plot_height * v / top if top else 0):.1f}"
            for i, v in enumerate(one.values)
        )
        if len(one.values) > 1:
            body.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        lx = left + (n % 3) * 190
        ly = baseline + 36 + (n // 3) * 18
        body.append(f'<rect x="{lx}" y="{ly - 9}" width="12" height="10" fill="{colour}"/>')
        body.append(_text(lx + 16, ly, one.label, size=11))
    return _frame(height, title, body)
