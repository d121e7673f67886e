"""A seeded generator of labelled live rooms for the bought-traffic detector: the demo's
S11 room, the evaluation files under ``data/eval/`` and the tests use it.

Honest rooms are the hard negatives: flash sales and a raid from a bigger room make the
audience jump, but chat and orders jump with it; some rooms are quiet talk shows that
sell little (low conversion, but a small audience); returning viewers like and chat.
Bought rooms vary in what was bought: viewers (a jump nobody talks in), likes (from
accounts seen nowhere else), orders (from accounts registered the same day), or several.
Each room is a list of events in the shape the ingest API takes, and a label per sign.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

BOUGHT_KINDS = ("viewers", "likes", "orders")
SIGN_OF = {
    "viewers": "traffic.viewer_jump",
    "likes": "traffic.idle_likers",
    "orders": "traffic.fresh_buyers",
}
CATEGORIES = ("food", "beauty", "clothing", "household")


@dataclass
class Room:
    name: str
    category: str
    bought: list[str]  # what was bought: viewers, likes, orders
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "bought" if self.bought else "honest"

    def signs(self) -> set[str]:
        return {SIGN_OF[kind] for kind in self.bought}


class _Builder:
    def __init__(self, rng: random.Random, start: datetime, room: Room) -> None:
        self.rng, self.start, self.room, self.n = rng, start, room, 0
        self.likes = 0
        self.clicks = 0

    def add(self, kind: str, second: float, **fields: Any) -> None:
        self.n += 1
        at = self.start + timedelta(seconds=second)
        self.room.events.append(
            {
                "event_id": f"{self.room.name}-{self.n}",
                "kind": kind,
                "occurred_at": at.isoformat(),
                **fields,
            }
        )


def make_room(
    rng: random.Random,
    name: str,
    *,
    start: datetime,
    bought: list[str],
    category: str | None = None,
    minutes: int = 30,
    listing_id: int | None = None,
    regulars: list[str] | None = None,
    hard: bool = False,
) -> Room:
    """One room, ``minutes`` long, with the given things bought (none: an honest room).

    ``hard`` adds what the thresholds were not set on: bought viewers ramped in over a few
    minutes, bought chat from bot accounts beside bought viewers, and honest rooms running
    a new-user promotion (many buyers registered that day)."""
    room = Room(name, category or rng.choice(CATEGORIES), list(bought))
    b = _Builder(rng, start, room)
    base = rng.randint(200, 2500)
    chat_rate = rng.uniform(0.002, 0.006)  # chat lines per viewer per minute
    buy_rate = rng.uniform(0.0004, 0.0015)  # orders per viewer per minute
    regulars = regulars or [f"u{rng.randint(1, 400)}" for _ in range(200)]
    talk_show = not bought and rng.random() < 0.2
    if talk_show:
        buy_rate /= 8
    ramp = rng.randint(2, 6) if hard and rng.random() < 0.5 else 1
    bot_chat = hard and "viewers" in bought and rng.random() < 0.4
    new_user_promo = hard and not bought and rng.random() < 0.3
    spikes = {rng.randint(5, minutes - 8): rng.uniform(3.5, 8) for _ in range(rng.randint(0, 2))}
    jump_at = rng.randint(6, minutes - 6) if "viewers" in bought else None
    jump_by = rng.randint(20000, 200000) if jump_at is not None else 0
    if jump_at is not None and rng.random() < 0.3:
        base = rng.randint(100, 600)  # a small room blown up
    if listing_id is not None:
        b.add("listing_shown", 1, data={"listing_id": listing_id})
    real = base
    for minute in range(minutes):
        real = max(50, int(real * rng.uniform(0.93, 1.08)))
        boost = spikes.get(minute)
        organic = int(real * boost) if boost else real
        if boost:
            real = int(real * 1.6)  # a raid or flash sale leaves some viewers behind
        added = 0
        if jump_at is not None and minute >= jump_at:
            added = jump_by * min(minute - jump_at + 1, ramp) // ramp
        shown = organic + added
        chats = _poisson(rng, organic * chat_rate * (2.5 if boost else 1))
        orders = _poisson(rng, organic * buy_rate * (4 if boost else 1))
        likers = [rng.choice(regulars) for _ in range(_poisson(rng, organic * 0.004))]
        if "likes" in bought:
            likers += [f"bot{rng.randint(1, 10**7)}" for _ in range(rng.randint(20, 80))]
        likes_added = len(likers) * rng.randint(3, 15)
        b.likes += likes_added
        b.clicks += _poisson(rng, organic * 0.01)
        data: dict[str, Any] = {"viewers": shown, "likes": b.likes, "clicks": b.clicks}
        if likers:
            data["likers"] = sorted(set(likers))[:500]
        b.add("counters", minute * 60 + rng.uniform(0, 3), data=data)
        if bot_chat and added:
            for _ in range(_poisson(rng, 3)):
                b.add(
                    "chat",
                    minute * 60 + rng.uniform(0, 59),
                    text="主播好",
                    data={"user": f"bot{rng.randint(1, 10**7)}"},
                )
        for _ in range(chats):
            b.add(
                "chat",
                minute * 60 + rng.uniform(0, 59),
                text=rng.choice(("好看", "多少钱", "链接呢", "已拍", "主播好", "有优惠吗")),
                data={"user": rng.choice(regulars)},
            )
        fake_orders = _poisson(rng, 2.5) if "orders" in bought else 0
        for i in range(orders + fake_orders):
            second = minute * 60 + rng.uniform(0, 59)
            at = start + timedelta(seconds=second)
            fake = i >= orders
            if fake:
                created = at - timedelta(minutes=rng.randint(5, 600))
                buyer = f"new{rng.randint(1, 10**7)}"
            else:
                created = at - timedelta(days=rng.randint(2, 2000))
                if rng.random() < (0.2 if new_user_promo else 0.04):  # signed up today
                    created = at - timedelta(hours=rng.randint(1, 20))
                buyer = rng.choice(regulars)
            data = {
                "order_id": f"{name}-o{minute}-{i}",
                "amount_fen": rng.choice((990, 4990, 9900, 19900)),
                "buyer": buyer,
                "buyer_created_at": created.isoformat(),
            }
            if listing_id is not None:
                data["listing_id"] = listing_id
            b.add("order", second, data=data)
    room.events.sort(key=lambda e: e["occurred_at"])
    return room


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw by counting exponential gaps (fine for the small means used here)."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    count, total = 0, rng.expovariate(1)
    while total < mean:
        count += 1
        total += rng.expovariate(1)
    return count


def make_rooms(seed: int, count: int, start: datetime, *, hard: bool = False) -> list[Room]:
    """``count`` rooms, about half of them bought in one or more ways."""
    rng = random.Random(seed)
    rooms = []
    for i in range(count):
        bought: list[str] = []
        if rng.random() < 0.5:
            bought = sorted(rng.sample(BOUGHT_KINDS, rng.randint(1, 3)))
        rooms.append(
            make_room(
                rng, f"r{seed}-{i}", start=start + timedelta(hours=i), bought=bought, hard=hard
            )
        )
    return rooms
