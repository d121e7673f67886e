"""Confident-learning audit of the classifier's training labels (issue 18).

Every training line is scored by a model that did not see it (two folds: train on the
even lines, score the odd, and the other way round), the out-of-fold logits are Platt
calibrated per category, and the lines whose probability strongly disagrees with their
label are listed, worst first, for a person to review against docs/labelling.md. The
list is a review queue, not a verdict: most entries are the model's errors; a label is
changed only where the guide says it is wrong.

    PYTHONPATH=src python data/eval/audit_labels.py [--low 0.1] [--high 0.9] [--cache DIR]

The scores are cached in ``--cache`` (default /tmp/audit), keyed by the files' contents,
so a rerun with other thresholds costs nothing; two trainings of about a minute each
otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from liveguard.detect import classifier

EVAL = Path(__file__).resolve().parent
# the files the classifier trains on (docs/detection.md); never the sealed sets
TRAINING = ["detect.jsonl", "detect_tuning.jsonl", "detect_more.jsonl", "detect_composed.jsonl"]


# Sets by authors who wrote for testing, each scored once at a freeze and then read for a
# round of rules: seen, so their phrasing (every author's own) is training data too. A set
# joins only once it has been scored and read; a sealed set never (listed by name, no glob).
# (detect_untuned5.jsonl is the same lines as its policy copy, labelled before labelling.md.)
READ_UNTUNED = [
    "detect_holdout.jsonl",
    "detect_untuned.jsonl",
    *(f"detect_untuned{n}.jsonl" for n in ("2", "3", "4", "5_policy", "6")),
    *(f"detect_untuned7{x}.jsonl" for x in "abcdefghijklmnopqrstuv"),
]


def training_files() -> list[Path]:
    return (
        [EVAL / name for name in TRAINING]
        + sorted(EVAL.glob("detect_written_*.jsonl"))
        + [EVAL / name for name in READ_UNTUNED]
    )


def load(paths: list[Path]) -> list[dict[str, Any]]:
    items = []
    for path in paths:
        for number, line in enumerate(path.open(encoding="utf-8"), 1):
            item = json.loads(line)
            item["_file"], item["_line"] = path.name, number
            items.append(item)
    return items


def out_of_fold(items: list[dict[str, Any]], categories: list[str], cache: Path) -> np.ndarray:
    """Calibrated probabilities (lines, categories), each from a model that never saw it."""
    digest = hashlib.sha256(
        json.dumps(
            [[i["text"], i.get("role"), i.get("category"), sorted(i["labels"])] for i in items]
        ).encode()
    ).hexdigest()[:16]
    path = cache / f"oof-{digest}.npz"
    if path.exists():
        cached: np.ndarray = np.load(path)["probability"]
        return cached
    labels = classifier._labels(items, categories)
    rows = classifier._rows(items)
    fold = np.arange(len(items)) % 2
    logits = np.zeros((len(items), len(categories)))
    for k in range(2):
        model = classifier.train(
            [i for i, f in zip(items, fold, strict=True) if f != k], categories
        )
        logits[fold == k] = model.logits([r for r, f in zip(rows, fold, strict=True) if f == k])
    probability = np.zeros_like(logits)
    for c in range(len(categories)):
        scale, shift = classifier._platt(logits[:, c], labels[:, c])
        probability[:, c] = 1 / (1 + np.exp(-(scale * logits[:, c] + shift)))
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, probability=probability, categories=np.array(categories))
    return probability


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--low", type=float, default=0.1, help="labelled positive below this")
    parser.add_argument("--high", type=float, default=0.9, help="labelled negative above this")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/audit"))
    args = parser.parse_args(argv)
    items = load(training_files())
    categories = sorted({label for item in items for label in item["labels"]})
    probability = out_of_fold(items, categories, args.cache)
    suspects = []
    for item, p in zip(items, probability, strict=True):
        for c, name in enumerate(categories):
            has = name in item["labels"]
            if (has and p[c] < args.low) or (not has and p[c] > args.high):
                suspects.append((abs(float(has) - p[c]), item, name, has, p[c]))
    suspects.sort(key=lambda s: -s[0])
    for _gap, item, name, has, p in suspects:
        print(
            json.dumps(
                {
                    "file": item["_file"],
                    "line": item["_line"],
                    "id": item.get("id"),
                    "category": name,
                    "labelled": has,
                    "p": round(float(p), 3),
                    "text": item["text"],
                    "role": item.get("role"),
                    "labels": item["labels"],
                    "note": item.get("note"),
                },
                ensure_ascii=False,
            )
        )
    print(f"{len(suspects)} disagreements over {len(items)} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
