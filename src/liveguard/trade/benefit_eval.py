"""Measure the promise reader on labelled texts (``liveguard evaluate promises``).

Each line: ``{"text": ..., "expect": {...}}`` in the shape of ``benefits.yaml``'s
examples (``{}``: promises nothing countable). A text counts as found when the reader
finds a promise, and as right when it finds exactly the expected terms. Precision and
recall are of finding a promise of the right kind; exactness is over the texts found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from liveguard.trade import benefits


@dataclass
class Report:
    texts: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    exact: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def lines(self) -> list[str]:
        return [
            f"{self.texts} texts",
            f"promise found   precision {self.precision:.3f}  recall {self.recall:.3f}  "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn})",
            f"terms exact     {self.exact}/{self.tp} of the promises found",
        ]


def evaluate(path: Path) -> Report:
    report = Report()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        expected = benefits.Expected.model_validate(item["expect"])
        got = benefits.as_expected(benefits.read(item["text"]))
        report.texts += 1
        if expected.kind is not None and got.kind == expected.kind:
            report.tp += 1
            report.exact += got == expected
        else:
            report.fp += got.kind is not None
            report.fn += expected.kind is not None
        if got != expected:
            shown = got.model_dump(exclude_none=True, mode="json")
            report.mistakes.append(f"{item['text']}: got {shown}")
    return report
