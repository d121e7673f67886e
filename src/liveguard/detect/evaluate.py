"""Precision and recall of the detectors on a labelled set (``data/eval/detect.jsonl``).

Each line: ``{"id", "text", "source", "role", "category", "labels": [...], "note"}``. A
line counts as a true positive for a category when the detector reports at least one
finding of that category and the label lists it; scoring is per line, per category.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from liveguard.detect.engine import Context, Detector
from liveguard.detect.rulefile import Role, Source


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


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


def read_lines(path: Path) -> list[dict]:
    items = []
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path.name}:{number}: not JSON: {error.msg}") from None
            for key in ("text", "labels"):
                if key not in item:
                    raise ValueError(f"{path.name}:{number}: missing {key!r}")
            items.append(item)
    return items


def evaluate(detector: Detector, items: Iterable[dict], categories: set[str]) -> Report:
    report = Report(scores={name: Score() for name in sorted(categories)})
    for item in items:
        report.lines += 1
        context = Context(
            role=Role(item["role"]) if item.get("role") else None,
            category=item.get("category"),
            source=Source(item["source"]) if item.get("source") else None,
        )
        findings = detector.detect(item["text"], context)
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
