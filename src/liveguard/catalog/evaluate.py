"""Precision and recall of listing review on a labelled set (``data/eval/listings.jsonl``).

    .venv/bin/python -m liveguard.catalog.evaluate [PATH] [--mistakes]

Each line: ``{"id", "listing": {...}, "labels": [family, ...], "note"}``. ``listing`` holds
the facts of ``checks.ListingFacts`` as JSON: ``now`` and the ``price_history`` times are
ISO 8601 with an offset, ``price_history`` is ``[[time, fen], ...]`` and
``merchant_documents`` a list or null. Labels name check families: the first part of a
check id (``price`` for ``price.fake_original``). A line counts as a true positive for a
family when review reports at least one problem of that family and the label lists it;
scoring is per line, per family, as in ``liveguard.detect.evaluate``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from liveguard.catalog.checks import ListingFacts, Problem, Reviewer
from liveguard.catalog.schemas import LISTING_FIELDS
from liveguard.scoring import Score, read_labelled

FAMILIES = (
    "three_no",
    "qualification",
    "claims",
    "prohibited",
    "price",
    "shipping",
    "placeholder_link",
    "terms",
)
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "data" / "eval" / "listings.jsonl"
LISTING_KEYS = frozenset(LISTING_FIELDS) | {"merchant_documents", "price_history", "now"}


@dataclass
class Mistake:
    line_id: str
    family: str
    kind: str  # "missed" or "false alarm"
    title: str
    checks: list[str]  # what review reported in that family (none when missed)


@dataclass
class Report:
    lines: int = 0
    scores: dict[str, Score] = field(default_factory=dict)
    listing: Score = field(default_factory=Score)  # "has a problem" against "is labelled bad"
    mistakes: list[Mistake] = field(default_factory=list)

    def micro(self) -> Score:
        return Score(
            sum(s.tp for s in self.scores.values()),
            sum(s.fp for s in self.scores.values()),
            sum(s.fn for s in self.scores.values()),
        )

    def table(self) -> list[str]:
        def row(name: str, s: Score) -> str:
            return f"{name:<16} {s.tp + s.fn:>6} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}"

        rows = [f"{'check':<16} {'lines':>6} {'precision':>9} {'recall':>7} {'F1':>6}"]
        rows += [row(name, score) for name, score in self.scores.items()]
        rows.append(row("(micro)", self.micro()))
        rows.append(row("(any problem)", self.listing))
        return rows


def facts_from_json(listing: Mapping[str, Any]) -> ListingFacts:
    """A listing's facts from their JSON form (see the module docstring)."""
    unknown = set(listing) - LISTING_KEYS
    if unknown:
        raise ValueError(f"unknown listing fields {sorted(unknown)}")
    documents = listing.get("merchant_documents")
    return ListingFacts(
        title=listing["title"],
        description=listing.get("description", ""),
        category=listing["category"],
        price_fen=int(listing["price_fen"]),
        original_price_fen=listing.get("original_price_fen"),
        shipping_fee_fen=int(listing.get("shipping_fee_fen", 0)),
        stock=int(listing.get("stock", 0)),
        label={k: v for k, v in (listing.get("label") or {}).items() if v is not None},
        store_terms=listing.get("store_terms", ""),
        merchant_documents=None if documents is None else frozenset(documents),
        price_history=tuple(
            (datetime.fromisoformat(at), int(fen)) for at, fen in listing.get("price_history", [])
        ),
        now=datetime.fromisoformat(listing["now"]),
    )


def read_lines(path: Path) -> list[dict[str, Any]]:
    return read_labelled(path, ("id", "listing", "labels"), _prepare)


def _prepare(item: dict[str, Any]) -> str | None:
    """Why a labelled line is unusable, or None (its facts are then in ``item["facts"]``)."""
    unknown = set(item["labels"]) - set(FAMILIES)
    if unknown:
        return f"labels {sorted(unknown)} are not check families ({', '.join(FAMILIES)})"
    try:
        item["facts"] = facts_from_json(item["listing"])
    except (KeyError, TypeError, ValueError) as error:
        return f"listing: {error}"
    return None


def evaluate(reviewer: Reviewer, items: Iterable[dict[str, Any]]) -> Report:
    items = list(items)
    report = Report(scores={name: Score() for name in FAMILIES})
    facts = [item.get("facts") or facts_from_json(item["listing"]) for item in items]
    for item, problems in zip(items, reviewer.review_many(facts), strict=True):
        report.lines += 1
        found: dict[str, list[str]] = {}
        for problem in problems:
            found.setdefault(problem.family, []).append(problem.check)
        labels = set(item["labels"])
        title = item["listing"]["title"]
        for name, score in report.scores.items():
            if name in labels and name in found:
                score.tp += 1
            elif name in found:
                score.fp += 1
                report.mistakes.append(Mistake(item["id"], name, "false alarm", title, found[name]))
            elif name in labels:
                score.fn += 1
                report.mistakes.append(Mistake(item["id"], name, "missed", title, []))
        flagged, bad = bool(problems), bool(labels)
        report.listing.tp += flagged and bad
        report.listing.fp += flagged and not bad
        report.listing.fn += bad and not flagged
    return report


def describe(problem: Problem) -> str:
    return f"{problem.check} [{problem.severity}] {problem.message}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--mistakes", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    try:
        items = read_lines(args.path)
    except (OSError, ValueError) as error:
        print(f"{args.path}: {error}", file=sys.stderr)
        return 1
    reviewer = Reviewer()
    report = evaluate(reviewer, items)
    print(f"{args.path}: {report.lines} listings, claim rules {reviewer.claims.ruleset.version}")
    for row in report.table():
        print(row)
    if args.mistakes:
        for m in report.mistakes:
            print(f"{m.line_id} {m.family}: {m.kind} {m.title!r} {m.checks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
