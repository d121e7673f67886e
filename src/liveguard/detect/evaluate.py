"""Precision and recall of the detectors on a labelled set (``data/eval/detect.jsonl``).

Each line: ``{"id", "text", "source", "role", "category", "labels": [...], "note"}``. A
line counts as a true positive for a category when the detector reports at least one
finding of that category and the label lists it; scoring is per line, per category.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liveguard.detect.engine import Context, Detector
from liveguard.detect.rulefile import Role, Source
from liveguard.scoring import Score, read_labelled


@dataclass
class Mistake:
    line_id: str
    category: str
    kind: str  # "missed" or "false alarm"
    text: str
    quotes: list[str]


@dataclass
class Report:
    lines: int = 0
    scores: dict[str, Score] = field(default_factory=dict)
    mistakes: list[Mistake] = field(default_factory=list)

    def table(self) -> list[str]:
        rows = [f"{'category':<16} {'lines':>6} {'precision':>9} {'recall':>7} {'F1':>6}"]
        for name, s in sorted(self.scores.items()):
            rows.append(
                f"{name:<16} {s.tp + s.fn:>6} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}"
            )
        total = Score(
            sum(s.tp for s in self.scores.values()),
            sum(s.fp for s in self.scores.values()),
            sum(s.fn for s in self.scores.values()),
        )
        rows.append(
            f"{'(micro)':<16} {total.tp + total.fn:>6} {total.precision:>9.3f} "
            f"{total.recall:>7.3f} {total.f1:>6.3f}"
        )
        return rows


def read_lines(path: Path) -> list[dict[str, Any]]:
    return read_labelled(path, ("text", "labels"))


def context_of(item: dict[str, Any]) -> Context:
    """The detection context a labelled line was written in (speaker, product, source)."""
    return Context(
        role=Role(item["role"]) if item.get("role") else None,
        category=item.get("category"),
        source=Source(item["source"]) if item.get("source") else None,
    )


def evaluate(detector: Detector, items: Iterable[dict[str, Any]], categories: set[str]) -> Report:
    report = Report(scores={name: Score() for name in sorted(categories)})
    for item in items:
        report.lines += 1
        findings = detector.detect(item["text"], context_of(item))
        found: dict[str, list[str]] = {}
        for finding in findings:
            found.setdefault(finding.rule.category, []).append(finding.quote)
        labels = set(item["labels"])
        for name, score in report.scores.items():
            if name in labels and name in found:
                score.tp += 1
            elif name in found:
                score.fp += 1
                report.mistakes.append(
                    Mistake(item.get("id", "?"), name, "false alarm", item["text"], found[name])
                )
            elif name in labels:
                score.fn += 1
                report.mistakes.append(
                    Mistake(item.get("id", "?"), name, "missed", item["text"], [])
                )
    return report
