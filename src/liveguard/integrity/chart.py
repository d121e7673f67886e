"""The geometry of a finding's small chart: each order of a window as a dot, time across,
one row per buyer, so a burst of one account stands out. Pure: pages draw it as SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from liveguard.integrity.schemas import FindingOrder, FindingWindow

WIDTH, ROW, LEFT, TOP = 560, 16, 4, 6


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    dots: list[Dot]
    rows: int
    start: datetime
    end: datetime


def window_chart(
    window: FindingWindow, orders: list[FindingOrder], *, margin_minutes: int = 5
) -> Chart:
    """The orders inside ``window`` (and its margin) placed on a strip."""
    start = window.start - timedelta(minutes=margin_minutes)
    end = window.end + timedelta(minutes=margin_minutes)
    span = max((end - start).total_seconds(), 1.0)
    shown = [
        o
        for o in orders
        if start <= o.at <= end and (window.shop is None or o.shop in (None, window.shop))
    ]
    buyers = sorted({o.buyer for o in shown})
    row_of = {b: n for n, b in enumerate(buyers)}
    dots = [
        Dot(
            x=round(LEFT + (o.at - start).total_seconds() / span * (WIDTH - 2 * LEFT), 1),
            y=TOP + row_of[o.buyer] * ROW + ROW / 2,
            title=f"{o.order_no} · {o.buyer}",
        )
        for o in shown
    ]
    return Chart(WIDTH, TOP * 2 + max(1, len(buyers)) * ROW, dots, len(buyers), start, end)
