#!/usr/bin/env python
"""Benchmark of the room's real picture (S11): the per-minute table and the four signs of
bought traffic over one room's events, in memory (the database read is the ordinary
indexed read of one session's events).

    .venv/bin/python benchmarks/bench_room_picture.py            # a 3-hour room
    .venv/bin/python benchmarks/bench_room_picture.py --quick    # a 30-minute room

The room comes from the labelled generator (live/room_samples.py) with bought viewers,
likes and orders. Timed, rounds interleaved, medians printed with their ratio against a
baseline run in the same process: a plain pass that only buckets the same events per
minute (what any picture must at least do), so the ratio is the cost of the signs.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _report import median, pin, section, table

from liveguard.live import picture, room_samples


def baseline(events: list[picture.Event]) -> Counter[tuple[datetime, str]]:
    """Events counted per minute and kind, nothing else."""
    return Counter((e.at.replace(second=0, microsecond=0), e.kind) for e in events)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    minutes = 30 if args.quick else 180
    print(pin(None))
    room = room_samples.make_room(
        random.Random(5),
        "bench",
        start=datetime(2026, 6, 1, 12, tzinfo=UTC),
        bought=["likes", "orders", "viewers"],
        category="food",
        minutes=minutes,
    )
    events = [
        picture.Event(e["kind"], datetime.fromisoformat(e["occurred_at"]), e.get("data", {}), n)
        for n, e in enumerate(room.events, start=1)
    ]
    section(f"one room: {minutes} minutes, {len(events):,} events")
    timings: dict[str, list[float]] = {"picture": [], "baseline": []}
    for _ in range(args.rounds):
        for name, run in (
            ("baseline", lambda: baseline(events)),
            ("picture", lambda: picture.picture(events, category="food")),
        ):
            gc.collect()
            start = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - start)
    base = median(timings["baseline"])
    rows = [
        (
            name,
            f"{median(t) * 1000:.1f} ms",
            f"{len(events) / median(t):,.0f} events/s",
            f"{median(t) / base:.1f}x",
        )
        for name, t in timings.items()
    ]
    table(("", "median", "rate", "vs baseline"), rows)
    signs = sorted(s.rule for s in picture.picture(events, category="food").signals)
    print(f"  signs: {', '.join(signs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
