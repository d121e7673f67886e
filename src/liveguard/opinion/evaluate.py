"""How well the opinion classifier does on a labelled set (``data/eval/opinion.jsonl``,
and ``opinion_holdout.jsonl``, which no training or tuning ever read).

    liveguard evaluate opinion [--data PATH] [--mistakes]

Each line: ``{"id", "text", "categories": [...], "negative": bool, "sentiment":
"negative" | "neutral" | "positive"}``. A post may have two categories; ``other`` is a
post about none of the nine problems. Scoring is per post, per category (a true positive
when the model's categories and the label both have it), so a post about two problems
counts for both; macro-F1 is the mean of the ten categories' F1. Beside it: how often the
main category is one of the labelled ones, whether the post is negative, and the
three-way sentiment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liveguard.opinion import classify
from liveguard.opinion.enums import Category
from liveguard.scoring import Score, read_labelled

SENTIMENTS = ("negative", "neutral", "positive")


def _check(item: dict[str, Any]) -> str | None:
    unknown = [c for c in item["categories"] if c not in Category.__members__]
    if unknown or not item["categories"]:
        return f"categories must be some of {', '.join(Category)}: {unknown or 'none given'}"
    if item["sentiment"] not in SENTIMENTS:
        return f"sentiment must be one of {', '.join(SENTIMENTS)}"
    return None


def read_lines(path: Path) -> list[dict[str, Any]]:
    return read_labelled(path, ("text", "categories", "negative", "sentiment"), _check)


@dataclass
class Mistake:
    line_id: str
    what: str  # "category", "negative" or "sentiment"
    expected: str
    got: str
    text: str


@dataclass
class Report:
    lines: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {c.value: Score() for c in Category})
    main_right: int = 0
    negative: Score = field(default_factory=Score)
    negative_right: int = 0
    sentiment_right: int = 0
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.scores.values()) / len(self.scores)

    def table(self) -> list[str]:
        rows = [f"{'category':<26} {'posts':>5} {'precision':>9} {'recall':>7} {'F1':>6}"]
        for name, s in self.scores.items():
            rows.append(
                f"{name:<26} {s.tp + s.fn:>5} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}"
            )
        n = max(self.lines, 1)
        rows += [
            f"{'macro-F1':<26} {self.macro_f1:>30.3f}",
            f"main category among the labelled ones: {self.main_right / n:.3f}",
            f"negative: accuracy {self.negative_right / n:.3f}, precision "
            f"{self.negative.precision:.3f}, recall {self.negative.recall:.3f}",
            f"sentiment (negative / neutral / positive) accuracy: {self.sentiment_right / n:.3f}",
        ]
        return rows


def evaluate(classifier: classify.Classifier, items: list[dict[str, Any]]) -> Report:
    report = Report()
    for item in items:
        report.lines += 1
        result = classifier.classify(item["text"])
        labelled, found = set(item["categories"]), set(result.categories)
        line_id = str(item.get("id", report.lines))
        for name, score in report.scores.items():
            if name in labelled and name in found:
                score.tp += 1
            elif name in found:
                score.fp += 1
            elif name in labelled:
                score.fn += 1
        if result.category in labelled:
            report.main_right += 1
        if labelled != found:
            report.mistakes.append(
                Mistake(
                    line_id,
                    "category",
                    ",".join(sorted(labelled)),
                    ",".join(result.categories),
                    item["text"],
                )
            )
        negative = bool(item["negative"])
        report.negative.tp += negative and result.negative
        report.negative.fp += result.negative and not negative
        report.negative.fn += negative and not result.negative
        if negative == result.negative:
            report.negative_right += 1
        else:
            report.mistakes.append(
                Mistake(line_id, "negative", str(negative), str(result.negative), item["text"])
            )
        sentiment = classify.sentiment_class(result, classifier.thresholds)
        if sentiment == item["sentiment"]:
            report.sentiment_right += 1
        else:
            report.mistakes.append(
                Mistake(line_id, "sentiment", item["sentiment"], sentiment, item["text"])
            )
    return report
