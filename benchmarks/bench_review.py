#!/usr/bin/env python
"""Benchmark of listing review (src/liveguard/catalog/checks.py), one core, in memory.

    .venv/bin/python benchmarks/bench_review.py            # full run: 100,000 listings
    .venv/bin/python benchmarks/bench_review.py --quick    # smoke run: 20,000 listings

The listings are made from data/eval/listings.jsonl (good and bad, every category): each
copy gets its own title and description (a model number and a batch line appended), a
price moved by up to 20 %, and its review time and price history moved by up to a year,
so no two listings share their texts; store terms repeat, as they do across a shop's
listings. Building the facts is not timed. Every figure is measured in rounds
interleaved with a baseline, the process pinned to one core, and the medians printed,
as in the other benchmarks. There is no target: the issue asks for the figure.

Sections
  0. loading: Reviewer() (the detect rule set compiled, the lexicons compiled).
  1. Reviewer.review_many over all listings (the bulk path), listings/s, beside the
     claim scan alone on the same texts (Detector.detect_many, title + description).
  2. Reviewer.review one listing at a time over a slice, listings/s.
  3. where bulk time goes: the fact checks alone (labels, qualifications, price,
     shipping), the claim scan alone, the lexicon scan alone.       (informational)
  4. review_many batch sizes 32 / 256 / 2,048 over a slice.          (informational)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _report import median, pin, rate, section, table

from liveguard.catalog import checks as review
from liveguard.catalog.checks import CLAIM_FIELDS, ListingFacts, Reviewer, listing_texts
from liveguard.catalog.evaluate import DEFAULT_PATH, read_lines

BATCH_LINES = [
    "批次{n}：{month}月生产",
    "型号LG-{n}",
    "规格{n}号",
    "货号{n}，现货",
    "{month}月批次",
]


def listings(count: int, seed: int) -> list[ListingFacts]:
    """``count`` listings varied from the labelled set (see the module docstring)."""
    rng = random.Random(seed)
    base = [item["facts"] for item in read_lines(DEFAULT_PATH)]
    out = []
    for n in range(count):
        facts = base[n % len(base)]
        shift = timedelta(days=rng.randrange(-365, 1), minutes=rng.randrange(1440))
        factor = rng.uniform(0.8, 1.2)
        line = rng.choice(BATCH_LINES).format(n=n, month=1 + n % 12)
        out.append(
            replace(
                facts,
                title=f"{facts.title} {n:06d}",
                description=f"{facts.description}{line}。",
                price_fen=max(1, int(facts.price_fen * factor)),
                original_price_fen=(
                    None
                    if facts.original_price_fen is None
                    else max(1, int(facts.original_price_fen * factor))
                ),
                price_history=tuple(
                    (at + shift, max(1, int(fen * factor))) for at, fen in facts.price_history
                ),
                now=facts.now + shift,
            )
        )
    return out


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleaved(cases: list[tuple[str, Callable[[], object]]], rounds: int) -> dict[str, float]:
    """Median seconds of each case over ``rounds`` rounds, the cases alternating."""
    times: dict[str, list[float]] = {name: [] for name, _ in cases}
    for r in range(rounds):
        for name, fn in cases:
            times[name].append(timed(fn))
        print(
            f"  round {r + 1}/{rounds}: "
            + ", ".join(f"{name} {times[name][-1]:.2f} s" for name, _ in cases),
            flush=True,
        )
    return {name: median(values) for name, values in times.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 listings, fewer rounds")
    parser.add_argument("--listings", type=int, help="listings reviewed in bulk (100,000)")
    parser.add_argument("--rounds", type=int, help="rounds per section (3; quick 2)")
    parser.add_argument("--core", type=int, help="core to pin to (default: the last one)")
    parser.add_argument("--seed", type=int, default=20250315)
    args = parser.parse_args(argv)
    count = args.listings or (20_000 if args.quick else 100_000)
    rounds = args.rounds or (2 if args.quick else 3)
    one_by_one = min(count, 2_000 if args.quick else 10_000)

    pinned = pin(args.core)
    print(
        f"LiveGuard listing-review benchmark: python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, {pinned}; {'quick' if args.quick else 'full'} run"
    )
    print(f"liveguard from {Path(review.__file__).parent.parent}")

    section("0. loading")
    started = time.perf_counter()
    reviewer = Reviewer()
    load_s = time.perf_counter() - started
    print(
        f"  Reviewer(): {load_s:.2f} s (claim rules {reviewer.claims.ruleset.version}, "
        f"{len(reviewer.claims.ruleset.rules)} rules; lexicons "
        f"{len(reviewer.phrases.ruleset.rules)} entries)"
    )
    started = time.perf_counter()
    data = listings(count, args.seed)
    chars = sum(len(f.title) + len(f.description) + len(f.store_terms) for f in data)
    print(
        f"  {count:,} listings built in {time.perf_counter() - started:.1f} s (not timed "
        f"below): {chars / count:.0f} characters of text each on average"
    )
    flagged = sum(1 for problems in reviewer.review_many(data[:5_000]) if problems)
    print(f"  warm-up: {flagged:,} of the first 5,000 listings have a problem")

    claim_texts = [listing_texts(f) for f in data]
    texts = [t[field] for t in claim_texts for field in CLAIM_FIELDS if t[field]]
    contexts = [
        reviewer.contexts[f.category]
        for f, t in zip(data, claim_texts, strict=True)
        for field in CLAIM_FIELDS
        if t[field]
    ]
    del claim_texts

    def claims_only() -> None:
        for start in range(0, len(texts), 512):
            reviewer.claims.detect_many(texts[start : start + 512], contexts[start : start + 512])

    section(f"1. bulk: Reviewer.review_many, {count:,} listings")
    bulk = interleaved(
        [
            ("review_many", lambda: reviewer.review_many(data)),
            ("claim scan alone", claims_only),
        ],
        rounds,
    )
    bulk_rate = count / bulk["review_many"]
    table(
        ["case", "median", "listings/s", "vs claim scan"],
        [
            ["Reviewer.review_many", f"{bulk['review_many']:.2f} s", rate(bulk_rate), "1.00x"],
            [
                "claim scan alone (baseline)",
                f"{bulk['claim scan alone']:.2f} s",
                rate(count / bulk["claim scan alone"]),
                f"{bulk['claim scan alone'] / bulk['review_many']:.2f}x",
            ],
        ],
    )

    section(f"2. one by one: Reviewer.review, {one_by_one:,} listings")
    subset = data[:one_by_one]
    single = interleaved(
        [
            ("review", lambda: [reviewer.review(f) for f in subset]),
            ("review_many", lambda: reviewer.review_many(subset)),
        ],
        rounds,
    )
    single_rate = one_by_one / single["review"]
    table(
        ["case", "median", "listings/s", "per listing"],
        [
            [
                "Reviewer.review, one at a time",
                f"{single['review']:.2f} s",
                rate(single_rate),
                f"{single['review'] / one_by_one * 1e6:,.0f} us",
            ],
            [
                "Reviewer.review_many, same listings",
                f"{single['review_many']:.2f} s",
                rate(one_by_one / single["review_many"]),
                f"{single['review_many'] / one_by_one * 1e6:,.0f} us",
            ],
        ],
    )

    section("3. where bulk time goes (informational)")
    phrase_texts = sorted({t for f in data for t in listing_texts(f).values() if t})

    def phrases_only() -> None:
        for start in range(0, len(phrase_texts), 1024):
            reviewer.phrases.detect_many(phrase_texts[start : start + 1024])

    parts = interleaved(
        [
            ("fact checks", lambda: [reviewer.checks.all(f) for f in data]),
            ("claim scan", claims_only),
            ("lexicon scan", phrases_only),
        ],
        rounds,
    )
    table(
        ["stage", "median", "share of review_many"],
        [[name, f"{s:.2f} s", f"{s / bulk['review_many']:.0%}"] for name, s in parts.items()],
    )

    section("4. batch size (informational)")
    slice_ = data[: min(count, 20_000)]
    sizes = [32, 256, 2_048]
    sweep = interleaved(
        [
            (str(size), lambda size=size: Reviewer.review_many(_sized(reviewer, size), slice_))
            for size in sizes
        ],
        rounds,
    )
    table(
        ["batch size", "median", "listings/s"],
        [[size, f"{s:.2f} s", rate(len(slice_) / s)] for size, s in sweep.items()],
    )

    section("summary")
    table(
        ["figure", "value"],
        [
            [f"bulk review, {count:,} listings, one core", f"{rate(bulk_rate)} listings"],
            ["one-by-one review", f"{rate(single_rate)} listings"],
            ["Reviewer() load", f"{load_s:.2f} s"],
        ],
    )
    print(
        json.dumps(
            {
                "listings": count,
                "bulk_listings_per_s": round(bulk_rate),
                "single_listings_per_s": round(single_rate),
            }
        )
    )
    return 0


def _sized(reviewer: Reviewer, batch_size: int) -> Reviewer:
    """The same reviewer with another batch size (a shallow copy shares the rule sets)."""
    copy = object.__new__(Reviewer)
    copy.__dict__.update(reviewer.__dict__, batch_size=batch_size)
    return copy


if __name__ == "__main__":
    sys.exit(main())
