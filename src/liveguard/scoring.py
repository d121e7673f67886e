"""Precision and recall counts, shared by the evaluators of rules on labelled data."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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


def read_labelled(
    path: Path,
    keys: tuple[str, ...],
    check: Callable[[dict[str, Any]], str | None] = lambda _: None,
) -> list[dict[str, Any]]:
    """The JSON lines of a labelled set; a bad line is named by file and line number."""
    items: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path.name}:{number}: not JSON: {error.msg}") from None
            for key in keys:
                if key not in item:
                    raise ValueError(f"{path.name}:{number}: missing {key!r}")
            if (problem := check(item)) is not None:
                raise ValueError(f"{path.name}:{number}: {problem}")
            items.append(item)
    return items
