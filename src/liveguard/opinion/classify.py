"""The opinion classifier: a post's categories, whether it is negative, its sentiment.

Features are detection's (``detect.classifier.features``: hashed character 1-3-grams of
the text normalised by ``detect.normalize``, so traditional characters, full-width forms
and look-alikes read as their plain simplified forms), plus one feature per category (and
per feeling) whose cue words (``data/categories.yaml``) occur in the text: a word buyers
use that no labelled post happened to contain still counts. One logistic regression per
output (the nine problem categories, ``negative`` and ``positive``), trained in NumPy on
the labelled posts the project ships (``data/eval/opinion.jsonl``); each output's
threshold is calibrated on out-of-fold predictions (the F1-best threshold of a 4-fold
split), so a rare category is not drowned by a frequent one. A post may be in two
categories; one in none is ``other``.

Retrain with ``python -m liveguard.opinion.classify train data/eval/opinion.jsonl``; the
model (weights, thresholds, version) is written to ``data/model.npz`` and ships in the
package: nothing is downloaded. ``data/eval/opinion_holdout.jsonl`` is never trained on.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from liveguard.datafiles import Strict, load
from liveguard.detect import classifier as text_model
from liveguard.detect.normalize import default as normaliser
from liveguard.legal import LegalBasis
from liveguard.opinion.enums import Category

MODEL_FILE = "model.npz"
PROBLEMS = tuple(c.value for c in Category if c is not Category.other)
OUTPUTS = (*PROBLEMS, "negative", "positive")
CUE_WEIGHT = 0.5  # a cue feature's value, beside n-grams of about 1/sqrt(n) each


class CategoryEntry(Strict):
    label_zh: str
    description: str
    legal_basis: list[LegalBasis]
    cues: list[str]
    examples: list[str]


class SentimentCues(Strict):
    negative_cues: list[str]
    positive_cues: list[str]


class CategoriesFile(Strict):
    categories: dict[Category, CategoryEntry]
    sentiment: SentimentCues


@cache
def categories_file() -> CategoriesFile:
    return load("liveguard.opinion", "categories.yaml", CategoriesFile)


def label_zh(category: str) -> str:
    """The Chinese name of a category id (the id itself when unknown)."""
    entry = categories_file().categories.get(Category(category)) if _known(category) else None
    return entry.label_zh if entry else category


def _known(category: str) -> bool:
    return category in Category.__members__


@cache
def _cues() -> tuple[tuple[int, tuple[str, ...]], ...]:
    """(feature hash, normalised cue words) per output."""
    data = categories_file()
    term = normaliser().term
    groups: dict[str, list[str]] = {name: data.categories[Category(name)].cues for name in PROBLEMS}
    groups["negative"] = data.sentiment.negative_cues
    groups["positive"] = data.sentiment.positive_cues
    return tuple(
        (text_model.hash_text(f"opinion.cue={name}"), tuple(term(word) for word in words))
        for name, words in groups.items()
    )


def featurise(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(indices, values) of one post: detection's n-gram features and the cue features."""
    normalised = normaliser()(text)
    indices, values = text_model.features(normalised.base, "opinion", None)
    compact = normalised.compact
    hits = [key for key, words in _cues() if any(word in compact for word in words)]
    if not hits:
        return indices, values
    extra = np.array(hits, dtype=np.uint64) & np.uint64(text_model.DIMENSION - 1)
    return (
        np.concatenate([indices, extra.astype(np.int64)]),
        np.concatenate([values, np.full(len(hits), CUE_WEIGHT, dtype=np.float32)]),
    )


@dataclass(frozen=True)
class Result:
    category: str
    categories: list[str]
    negative: bool
    sentiment: float  # -1 .. +1
    scores: dict[str, float]


@dataclass(frozen=True)
class Classifier:
    model: text_model.Model
    thresholds: dict[str, float]
    version: str

    def probabilities(self, text: str) -> dict[str, float]:
        return self.model.scores(*featurise(text))

    def classify(self, text: str) -> Result:
        scores = self.probabilities(text)
        return decide(scores, self.thresholds)


def decide(scores: dict[str, float], thresholds: dict[str, float]) -> Result:
    """Categories above their thresholds (strongest first), ``other`` when none is."""
    above = sorted(
        (name for name in PROBLEMS if scores[name] >= thresholds[name]),
        key=lambda name: scores[name] / thresholds[name],
        reverse=True,
    )
    categories = above or [Category.other.value]
    negative = scores["negative"] >= thresholds["negative"]
    sentiment = round(max(-1.0, min(1.0, scores["positive"] - scores["negative"])), 3)
    return Result(
        categories[0],
        categories,
        negative,
        sentiment,
        {k: round(v, 4) for k, v in scores.items()},
    )


def sentiment_class(result: Result, thresholds: dict[str, float]) -> str:
    """negative / positive / neutral: what ``liveguard evaluate opinion`` compares."""
    if result.negative:
        return "negative"
    if result.scores["positive"] >= thresholds["positive"]:
        return "positive"
    return "neutral"


def _packaged_path() -> Path:
    return Path(str(resources.files("liveguard.opinion").joinpath("data", MODEL_FILE)))


def load_classifier(path: Path) -> Classifier:
    model = text_model.load(path)
    with np.load(path) as data:
        thresholds = dict(
            zip(model.categories, (float(t) for t in data["thresholds"]), strict=True)
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return Classifier(model, thresholds, f"opinion-{digest}")


@cache
def packaged() -> Classifier:
    """The model shipped with LiveGuard."""
    return load_classifier(_packaged_path())


def save(classifier: Classifier, path: Path) -> None:
    classifier.model.save(path)
    with np.load(path) as data:
        arrays = {key: data[key] for key in data.files}
    arrays["thresholds"] = np.array([classifier.thresholds[c] for c in classifier.model.categories])
    np.savez_compressed(path, **arrays)


# --- training ----------------------------------------------------------------------------


def _labels(item: dict[str, Any]) -> list[str]:
    names = [c for c in item["categories"] if c != Category.other.value]
    if item["negative"]:
        names.append("negative")
    if item.get("sentiment") == "positive":
        names.append("positive")
    return names


@dataclass(frozen=True)
class _Design:
    """The training posts' features as sorted sparse triples over the columns they use."""

    columns: np.ndarray  # the hashed feature index of each used column
    item_starts: np.ndarray  # where each post's entries start (entries sorted by post)
    entry_column: np.ndarray
    entry_value: np.ndarray
    by_column: np.ndarray  # entry order sorted by column
    column_starts: np.ndarray
    entry_item: np.ndarray


def _design(rows: list[tuple[np.ndarray, np.ndarray]]) -> _Design:
    lengths = np.array([len(i) for i, _ in rows])
    hashed = np.concatenate([i for i, _ in rows])
    values = np.concatenate([v for _, v in rows]).astype(np.float64)
    columns, inverse = np.unique(hashed, return_inverse=True)
    by_column = np.argsort(inverse, kind="stable")
    sorted_columns = inverse[by_column]
    column_starts = np.flatnonzero(np.r_[True, sorted_columns[1:] != sorted_columns[:-1]])
    item_starts = np.r_[0, np.cumsum(lengths)[:-1]]
    return _Design(
        columns,
        item_starts,
        inverse,
        values,
        by_column,
        column_starts,
        np.repeat(np.arange(len(rows)), lengths),
    )


def _fit(
    design: _Design, labels: np.ndarray, *, steps: int = 600, l2: float = 1e-5
) -> tuple[np.ndarray, np.ndarray]:
    """Class-balanced logistic regression per output by full-batch Adam (deterministic)."""
    count, width = labels.shape
    weights = np.zeros((len(design.columns), width))
    bias = np.zeros(width)
    moment, velocity = np.zeros_like(weights), np.zeros_like(weights)
    positive = labels.mean(axis=0).clip(1e-3, 1 - 1e-3)
    balance = np.where(labels > 0, 0.5 / positive, 0.5 / (1 - positive))
    rate, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        contributions = weights[design.entry_column] * design.entry_value[:, None]
        logits = np.add.reduceat(contributions, design.item_starts, axis=0) + bias
        error = (1 / (1 + np.exp(-logits)) - labels) * balance / count
        per_entry = error[design.entry_item] * design.entry_value[:, None]
        gradient = np.add.reduceat(per_entry[design.by_column], design.column_starts, axis=0)
        gradient += l2 * weights
        moment = beta1 * moment + (1 - beta1) * gradient
        velocity = beta2 * velocity + (1 - beta2) * gradient * gradient
        correction = rate * np.sqrt(1 - beta2**step) / (1 - beta1**step)
        weights -= correction * moment / (np.sqrt(velocity) + 1e-8)
        bias -= rate * error.sum(axis=0)
    return weights, bias


def _model(design: _Design, weights: np.ndarray, bias: np.ndarray) -> text_model.Model:
    full = np.zeros((text_model.DIMENSION, weights.shape[1]), dtype=np.float32)
    full[design.columns] = weights
    # as saved (float16), so the thresholds are calibrated on the numbers that ship
    full = full.astype(np.float16).astype(np.float32)
    return text_model.Model(OUTPUTS, full, bias.astype(np.float32))


def _best_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.2, 0.81, 0.025):
        predicted = scores >= threshold
        tp = float((predicted & truth).sum())
        f1 = 2 * tp / max(1.0, float(predicted.sum() + truth.sum()))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(threshold), f1
    return round(best, 3)


def train(items: list[dict[str, Any]], *, folds: int = 4) -> Classifier:
    """Fit on every item; thresholds from out-of-fold predictions."""
    rows = [featurise(item["text"]) for item in items]
    labels = np.array([[name in _labels(item) for name in OUTPUTS] for item in items], float)
    order = np.random.default_rng(20261207).permutation(len(items))
    out_of_fold = np.zeros_like(labels)
    for fold in np.array_split(order, folds):
        held = set(fold.tolist())
        kept = [n for n in range(len(items)) if n not in held]
        design = _design([rows[n] for n in kept])
        model = _model(design, *_fit(design, labels[kept]))
        for n in fold:
            scores = model.scores(*rows[n])
            out_of_fold[n] = [scores[name] for name in OUTPUTS]
    thresholds = {
        name: _best_threshold(out_of_fold[:, k], labels[:, k] > 0) for k, name in enumerate(OUTPUTS)
    }
    design = _design(rows)
    model = _model(design, *_fit(design, labels))
    return Classifier(model, thresholds, "trained")


def read_items(paths: list[Path]) -> list[dict[str, Any]]:
    return [
        json.loads(line) for path in paths for line in path.open(encoding="utf-8") if line.strip()
    ]


def main(argv: list[str]) -> int:
    """``python -m liveguard.opinion.classify train DATA.jsonl... [--out PATH]``."""
    if not argv or argv[0] != "train":
        print("usage: python -m liveguard.opinion.classify train DATA.jsonl... [--out model.npz]")
        return 2
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else _packaged_path()
    paths = [Path(a) for a in argv[1 : argv.index("--out") if "--out" in argv else None]]
    classifier = train(read_items(paths))
    save(classifier, out)
    print(f"thresholds: {json.dumps(classifier.thresholds)}")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
