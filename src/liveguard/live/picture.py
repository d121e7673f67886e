"""A live room's real picture (S11): viewers, likes, chat, clicks and orders per minute,
conversion against what is typical for the category, and the signs of bought traffic.

Pure logic, no database: the room's events in, the picture and its signals out, every
threshold and the category figures in ``data/picture.yaml``. Four signals, each judged on
what the room itself reported:

- a viewer count that jumps (x3 and by thousands in a minute) while the chat and orders
  of that minute and the next two stay far below what that many viewers typically write;
- likes from accounts that never chatted or bought here and were seen in no other room;
- orders from accounts created within a day before they ordered;
- conversion (orders per viewer) under a tenth of the category's typical rate.

Who controlled the numbers comes from the anchor's relations (``controllers`` in the
file): the merchant's own staff means the merchant ran the room; an anchor signed to an
MCN means the agency and the anchor did; otherwise the anchor's own room.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from pydantic import Field

from liveguard import datafiles
from liveguard.clock import CHINA
from liveguard.datafiles import Strict
from liveguard.legal import LegalBasis

DATA_FILE = "picture.yaml"
NEW_LAW_FROM = date(2025, 10, 15)  # 反不正当竞争法 (2025) in force


@dataclass(frozen=True)
class Event:
    """What the picture reads of one stored event."""

    kind: str  # counters, chat, order (others are ignored)
    at: datetime
    data: dict[str, Any]
    seq: int = 0


@dataclass
class Minute:
    start: datetime
    viewers: int | None = None  # the last count reported in the minute
    likes: int = 0  # likes added in the minute (from the running counter)
    clicks: int = 0  # product clicks added in the minute
    chats: int = 0
    orders: int = 0
    order_fen: int = 0
    last_seq: int = 0  # the last counters event of the minute (a finding points at it)


@dataclass(frozen=True)
class Signal:
    rule: str
    severity: str
    message: str
    seq: int  # the event the finding is attached to
    evidence: dict[str, Any]


@dataclass
class Picture:
    minutes: list[Minute]
    mean_viewers: int
    peak_viewers: int
    chats: int
    orders: int
    order_fen: int
    conversion_per_mille: Decimal
    typical_conversion_per_mille: int
    signals: list[Signal] = field(default_factory=list)


# --- the data file ----------------------------------------------------------------------


class Typical(Strict):
    conversion_per_mille: int = Field(ge=0)
    chat_per_mille: int = Field(ge=0)


class Rule(Strict):
    id: str
    severity: str
    message: str


class ViewerJump(Rule):
    ratio: Decimal = Field(gt=1)
    min_rise: int = Field(ge=1)
    baseline_minutes: int = Field(ge=1, le=30)
    follow_minutes: int = Field(ge=0, le=10)
    interaction_share: Decimal = Field(gt=0, le=1)


class IdleLikers(Rule):
    min_likers: int = Field(ge=1)
    share: Decimal = Field(gt=0, le=1)


class FreshBuyers(Rule):
    max_age_hours: int = Field(ge=1)
    min_orders: int = Field(ge=1)
    share: Decimal = Field(gt=0, le=1)


class LowConversion(Rule):
    min_viewers: int = Field(ge=1)
    fraction: Decimal = Field(gt=0, le=1)


class Signals(Strict):
    viewer_jump: ViewerJump
    idle_likers: IdleLikers
    fresh_buyers: FreshBuyers
    low_conversion: LowConversion


class Controller(Strict):
    relation: str | None
    named: list[str] = Field(min_length=1)
    reason: str


class PictureRules(Strict):
    typical: dict[str, Typical]
    signals: Signals
    category: str
    legal_basis: list[LegalBasis] = Field(min_length=1)
    legal_basis_before_2025_10_15: list[LegalBasis] = Field(min_length=1)
    controllers: list[Controller] = Field(min_length=1)

    def typical_for(self, category: str | None) -> Typical:
        return self.typical.get(category or "default", self.typical["default"])

    def basis_on(self, day: date) -> list[LegalBasis]:
        """The provisions in force on the day of the conduct."""
        return self.legal_basis if day >= NEW_LAW_FROM else self.legal_basis_before_2025_10_15

    def controller(self, relations: Iterable[str]) -> Controller:
        held = set(relations)
        for entry in self.controllers:
            if entry.relation is None or entry.relation in held:
                return entry
        return self.controllers[-1]


@cache
def rules() -> PictureRules:
    loaded = datafiles.load("liveguard.live", DATA_FILE, PictureRules)
    if "default" not in loaded.typical:
        raise ValueError(f"{DATA_FILE}: typical: needs a default entry")
    return loaded


# --- the picture ------------------------------------------------------------------------


def _minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def minutes(events: Sequence[Event]) -> list[Minute]:
    """The room minute by minute, from its first event to its last, gaps included."""
    if not events:
        return []
    ordered = sorted(events, key=lambda e: (e.at, e.seq))
    by_minute: dict[datetime, Minute] = {}
    last_likes: int | None = None
    last_clicks: int | None = None
    for event in ordered:
        start = _minute_of(event.at)
        minute = by_minute.setdefault(start, Minute(start))
        if event.kind == "counters":
            data = event.data
            if data.get("viewers") is not None:
                minute.viewers = int(data["viewers"])
                minute.last_seq = event.seq
            if data.get("likes") is not None:
                likes = int(data["likes"])
                minute.likes += max(likes - last_likes, 0) if last_likes is not None else 0
                last_likes = likes
            if data.get("clicks") is not None:
                clicks = int(data["clicks"])
                minute.clicks += max(clicks - last_clicks, 0) if last_clicks is not None else 0
                last_clicks = clicks
        elif event.kind == "chat":
            minute.chats += 1
        elif event.kind == "order":
            minute.orders += 1
            minute.order_fen += int(event.data.get("amount_fen") or 0)
    first, last = min(by_minute), max(by_minute)
    filled, at, viewers = [], first, None
    while at <= last:
        minute = by_minute.get(at, Minute(at))
        if minute.viewers is None:
            minute.viewers = viewers  # the count stands until the room reports another
        viewers = minute.viewers
        filled.append(minute)
        at += timedelta(minutes=1)
    return filled


def _per_mille(part: int, whole: int) -> Decimal:
    if whole <= 0:
        return Decimal(0)
    return (Decimal(part) * 1000 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> int:
    return int((Decimal(part) * 100 / whole).to_integral_value(ROUND_HALF_UP)) if whole else 0


def picture(
    events: Sequence[Event],
    *,
    category: str | None,
    seen_elsewhere: frozenset[str] = frozenset(),
) -> Picture:
    """The room's picture and the signals of bought traffic in it."""
    table = rules()
    rows = minutes(events)
    counted = [m.viewers for m in rows if m.viewers is not None]
    mean = round(sum(counted) / len(counted)) if counted else 0
    orders = sum(m.orders for m in rows)
    typical = table.typical_for(category)
    shown = Picture(
        minutes=rows,
        mean_viewers=mean,
        peak_viewers=max(counted, default=0),
        chats=sum(m.chats for m in rows),
        orders=orders,
        order_fen=sum(m.order_fen for m in rows),
        conversion_per_mille=_per_mille(orders, mean),
        typical_conversion_per_mille=typical.conversion_per_mille,
    )
    shown.signals = [
        *_viewer_jumps(rows),
        *_idle_likers(events, seen_elsewhere),
        *_fresh_buyers(events),
        *_low_conversion(shown, rows),
    ]
    return shown


def _clock(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%H:%M")


def _mean(values: Sequence[int]) -> Decimal:
    return Decimal(sum(values)) / len(values) if values else Decimal(0)


def _viewer_jumps(rows: list[Minute]) -> list[Signal]:
    rule = rules().signals.viewer_jump
    found = []
    i = 1
    while i < len(rows):
        baseline = rows[max(0, i - rule.baseline_minutes) : i]
        before = _mean([m.viewers or 0 for m in baseline])
        after = rows[i].viewers
        if not before or after is None or after < before * rule.ratio:
            i += 1
            continue
        if after - before < rule.min_rise:
            i += 1
            continue
        window = rows[i : i + 1 + rule.follow_minutes]
        talk_before = _mean([m.chats + m.orders for m in baseline]) + 1
        talk_after = _mean([m.chats + m.orders for m in window]) + 1
        growth = Decimal(after) / before
        talk_growth = talk_after / talk_before
        if talk_growth >= growth * rule.interaction_share:
            i += 1
            continue
        chats = sum(m.chats for m in window)
        orders = sum(m.orders for m in window)
        found.append(
            Signal(
                rule.id,
                rule.severity,
                rule.message.format(
                    minute=_clock(rows[i].start),
                    before=round(before),
                    after=after,
                    growth=growth.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
                    interaction_growth=talk_growth.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
                ),
                rows[i].last_seq,
                {
                    "minute": rows[i].start.isoformat(),
                    "viewers_before": round(before),
                    "viewers_after": after,
                    "chats": chats,
                    "orders": orders,
                    "viewer_growth": str(growth.quantize(Decimal("0.01"))),
                    "interaction_growth": str(talk_growth.quantize(Decimal("0.01"))),
                },
            )
        )
        i += len(window)  # one jump, one signal
    return found


def _idle_likers(events: Sequence[Event], seen_elsewhere: frozenset[str]) -> list[Signal]:
    rule = rules().signals.idle_likers
    likers: dict[str, int] = {}
    active: set[str] = set()
    for event in events:
        if event.kind == "counters":
            for account in event.data.get("likers") or ():
                likers.setdefault(str(account), event.seq)
        elif event.kind == "chat" and event.data.get("user"):
            active.add(str(event.data["user"]))
        elif event.kind == "order" and event.data.get("buyer"):
            active.add(str(event.data["buyer"]))
    if len(likers) < rule.min_likers:
        return []
    idle = sorted(a for a in likers if a not in active and a not in seen_elsewhere)
    if Decimal(len(idle)) < rule.share * len(likers):
        return []
    share = _percent(len(idle), len(likers))
    return [
        Signal(
            rule.id,
            rule.severity,
            rule.message.format(idle=len(idle), share=share),
            max(likers[a] for a in idle),
            {"likers": len(likers), "idle": len(idle), "accounts": idle[:50]},
        )
    ]


def _fresh_buyers(events: Sequence[Event]) -> list[Signal]:
    rule = rules().signals.fresh_buyers
    orders = [e for e in events if e.kind == "order"]
    fresh = []
    for event in orders:
        created = event.data.get("buyer_created_at")
        if not created:
            continue
        created_at = datetime.fromisoformat(str(created))
        if timedelta(0) <= event.at - created_at <= timedelta(hours=rule.max_age_hours):
            fresh.append(event)
    if len(fresh) < rule.min_orders or Decimal(len(fresh)) < rule.share * len(orders):
        return []
    return [
        Signal(
            rule.id,
            rule.severity,
            rule.message.format(
                fresh=len(fresh),
                share=_percent(len(fresh), len(orders)),
                hours=rule.max_age_hours,
            ),
            fresh[-1].seq,
            {
                "orders": len(orders),
                "fresh": len(fresh),
                "examples": [
                    {
                        "order_id": e.data.get("order_id"),
                        "buyer": e.data.get("buyer"),
                        "ordered_at": e.at.isoformat(),
                        "buyer_created_at": e.data.get("buyer_created_at"),
                    }
                    for e in fresh[:20]
                ],
            },
        )
    ]


def _low_conversion(shown: Picture, rows: list[Minute]) -> list[Signal]:
    rule = rules().signals.low_conversion
    if shown.mean_viewers < rule.min_viewers or not rows:
        return []
    if shown.conversion_per_mille >= rule.fraction * shown.typical_conversion_per_mille:
        return []
    seq = max((m.last_seq for m in rows), default=0)
    return [
        Signal(
            rule.id,
            rule.severity,
            rule.message.format(
                viewers=shown.mean_viewers,
                orders=shown.orders,
                rate=shown.conversion_per_mille,
                typical=shown.typical_conversion_per_mille,
            ),
            seq,
            {
                "mean_viewers": shown.mean_viewers,
                "orders": shown.orders,
                "order_fen": shown.order_fen,
                "conversion_per_mille": str(shown.conversion_per_mille),
                "typical_per_mille": shown.typical_conversion_per_mille,
            },
        )
    ]


def series(rows: Sequence[Minute]) -> dict[str, list[int]]:
    """Each measure minute by minute, for a chart or the API."""
    per: dict[str, list[int]] = defaultdict(list)
    for m in rows:
        per["viewers"].append(m.viewers or 0)
        per["likes"].append(m.likes)
        per["clicks"].append(m.clicks)
        per["chats"].append(m.chats)
        per["orders"].append(m.orders)
    return dict(per)
