"""The SVG charts: well-formed, one bar or line per item with its label and number, the
same bytes for the same data (the page and the PDF embed one drawing), and a chart with
no data says so rather than drawing nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from liveguard.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_a_bar_chart_draws_a_bar_a_label_and_a_number_for_each_item() -> None:
    svg = charts.bars("按类别", [("虚假宣传", 120), ("售后服务", 55), ("物流<快递>", 3)])
    root = ET.fromstring(svg)
    bars = [r for r in root.iter(f"{SVG}rect")][1:]  # the first is the background
    assert len(bars) == 3
    widths = [float(r.get("width", 0)) for r in bars]
    assert widths[0] > widths[1] > widths[2] > 0
    assert widths[0] / widths[1] == pytest.approx(120 / 55, rel=0.01)
    assert {"按类别", "虚假宣传", "120", "售后服务", "55", "物流<快递>", "3"} <= set(_texts(svg))


def test_a_trend_chart_draws_one_line_a_series_with_a_legend_and_whole_number_ticks() -> None:
    days = [f"6-{d:02d}" for d in range(1, 21)]
    svg = charts.lines(
        "每日趋势",
        days,
        [charts.Series("虚假宣传", list(range(20))), charts.Series("物流", [3] * 20)],
    )
    root = ET.fromstring(svg)
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 2
    assert len(lines[0].get("points", "").split()) == 20
    texts = _texts(svg)
    assert {"虚假宣传", "物流", "6-01", "6-20"} <= set(texts)
    ticks = [int(t) for t in texts if t.isdigit()]
    assert ticks == sorted(ticks) and ticks[0] == 0 and ticks[-1] >= 19


def test_the_same_data_draws_the_same_bytes() -> None:
    items = [("虚假宣传", 7), ("物流", 2)]
    assert charts.bars("t", items) == charts.bars("t", list(items))


def test_a_chart_without_data_says_so() -> None:
    assert "本期无数据" in _texts(charts.bars("空", []))
    assert "本期无数据" in _texts(charts.lines("空", [], []))
