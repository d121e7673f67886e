"""Labelled order streams for measuring the integrity detectors, from a seed.

Honest shops sell through the day with an evening peak; their buyers come back (a second
order minutes later for a forgotten item, another one days later), and some shops run
flash sales where hundreds of buyers pay within minutes, some shops at the same platform-
wide moment: the hard negatives. Brushing shops add a few accounts that pay again and
again in short bursts. Lockstep rings are groups of accounts that pay in the same few
minutes at one shop after another, each member also buying honestly now and then, often
sharing devices. The labels say which shops brush, with which accounts, and who is in
each ring. ``liveguard integrity generate`` writes a set; ``data/eval/trade_*.csv`` were
written with seed 1 (development) and seed 2 (held out: never tuned on).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from liveguard.clock import CHINA

HEADER = ("order_no", "merchant_id", "buyer", "paid_at", "amount_fen", "channel", "device")
START = datetime(2025, 6, 1, tzinfo=CHINA)


@dataclass
class Scale:
    honest_shops: int = 240
    brushing_shops: int = 12
    rings: int = 6
    buyers: int = 12000
    days: int = 7
    orders_per_shop_day: float = 12.0  # the median shop; volumes are log-normal around it
    flash_sales: int = 14


@dataclass
class Labels:
    brushing: dict[int, list[str]] = field(default_factory=dict)  # shop -> brushing accounts
    rings: list[list[str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"brushing": {str(k): v for k, v in self.brushing.items()}, "rings": self.rings}


Row = tuple[str, int, str, str, int, str, str]


def generate(seed: int, scale: Scale | None = None) -> tuple[Iterator[Row], Labels]:
    """The rows (streamed, in no particular order) and their labels."""
    scale = scale or Scale()
    rng = random.Random(seed)
    labels = Labels()
    shops = list(range(1, scale.honest_shops + scale.brushing_shops + 1))
    rng.shuffle(shops)
    brushers = set(shops[: scale.brushing_shops])
    for shop in brushers:
        labels.brushing[shop] = [f"b{seed}-{shop}-{i}" for i in range(rng.randint(1, 3))]
    ring_members: list[list[str]] = []
    for r in range(scale.rings):
        ring_members.append([f"r{seed}-{r}-{i}" for i in range(rng.randint(5, 14))])
    labels.rings = [list(m) for m in ring_members]
    return _rows(rng, scale, shops, labels, ring_members), labels


def _rows(
    rng: random.Random,
    scale: Scale,
    shops: list[int],
    labels: Labels,
    rings: list[list[str]],
) -> Iterator[Row]:
    counter = 0

    def order(shop: int, buyer: str, at: datetime, device: str = "") -> Row:
        nonlocal counter
        counter += 1
        amount = int(rng.lognormvariate(8.5, 0.9))
        channel = rng.choice(("live", "live", "video", "shop", "search"))
        return (
            f"o{counter}",
            shop,
            buyer,
            at.isoformat(timespec="seconds"),
            amount,
            channel,
            device or f"d-{buyer}",
        )

    buyers = [f"u{n}" for n in range(scale.buyers)]
    weights = [1.0 / (n + 10) ** 0.8 for n in range(scale.buyers)]  # some buyers buy a lot
    volume = {s: rng.lognormvariate(0, 0.9) * scale.orders_per_shop_day for s in shops}
    for shop in shops:
        for day in range(scale.days):
            for _ in range(_poisson(rng, volume[shop])):
                at = _evening_time(rng, day)
                buyer = rng.choices(buyers, weights)[0]
                yield order(shop, buyer, at)
                if rng.random() < 0.12:  # forgot something: a second order minutes later
                    yield order(shop, buyer, at + timedelta(seconds=rng.randint(30, 1500)))
                if rng.random() < 0.02:  # and a third, in a busy evening
                    yield order(shop, buyer, at + timedelta(seconds=rng.randint(600, 3000)))
    # Flash sales: hundreds of buyers in minutes; some at one platform-wide moment.
    platform_moment = START + timedelta(days=rng.randrange(scale.days), hours=20)
    for sale in range(scale.flash_sales):
        shop = rng.choice(shops)
        at = platform_moment if sale % 2 else _evening_time(rng, rng.randrange(scale.days))
        for buyer in rng.sample(buyers, rng.randint(80, 400)):
            yield order(shop, buyer, at + timedelta(seconds=int(rng.expovariate(1 / 120))))
            if rng.random() < 0.1:
                yield order(shop, buyer, at + timedelta(seconds=rng.randint(60, 900)))
    # Brushing: bursts of several orders by the same few accounts.
    for shop, fakes in labels.brushing.items():
        for _ in range(rng.randint(1, 4)):
            start = _evening_time(rng, rng.randrange(scale.days))
            span = rng.randint(10, 55) * 60
            for fake in fakes:
                for _ in range(rng.randint(3, 9)):
                    yield order(shop, fake, start + timedelta(seconds=rng.randint(0, span)))
    # Rings: every member pays within minutes at one shop after another.
    for members in rings:
        devices = [f"ring-dev-{members[0]}-{i}" for i in range(max(1, len(members) // 4))]
        for _ in range(rng.randint(4, 10)):
            shop = rng.choice(shops)
            start = _evening_time(rng, rng.randrange(scale.days))
            for member in members:
                if rng.random() < 0.85:  # not everyone every time
                    at = start + timedelta(seconds=rng.randint(0, 360))
                    yield order(shop, member, at, rng.choice(devices))
        for member in members:  # camouflage: honest-looking purchases elsewhere
            for _ in range(rng.randint(1, 5)):
                at = _evening_time(rng, rng.randrange(scale.days))
                yield order(rng.choice(shops), member, at)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is slow for large means: a normal approximation above 30.
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _evening_time(rng: random.Random, day: int) -> datetime:
    hour = min(23.99, max(0.0, rng.gauss(20, 3.5)))
    return START + timedelta(days=day, seconds=int(hour * 3600) + rng.randint(0, 59))


def write(seed: int, out: Path, scale: Scale | None = None) -> tuple[Path, Path, int]:
    """``<out>.csv`` and ``<out>.labels.json``; the number of orders written."""
    rows, labels = generate(seed, scale)
    csv_path, labels_path = out.with_suffix(".csv"), out.with_suffix(".labels.json")
    count = 0
    with csv_path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row)
            count += 1
    labels_path.write_text(
        json.dumps({"seed": seed, **labels.as_json()}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return csv_path, labels_path, count
