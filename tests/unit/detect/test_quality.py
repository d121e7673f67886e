"""Detection quality on the shipped labelled set: the issue's floor, per category."""

from __future__ import annotations

from pathlib import Path

from liveguard.detect import engine, evaluate, ruleset

EVAL = Path(__file__).parents[3] / "data" / "eval"


def test_each_category_meets_precision_and_recall_on_the_development_set():
    rules = ruleset.packaged()
    report = evaluate.evaluate(
        engine.Detector(rules),
        evaluate.read_lines(EVAL / "detect.jsonl"),
        {rule.category for rule in rules.rules},
    )
    assert report.lines >= 1000
    weak = {
        name: (round(score.precision, 3), round(score.recall, 3))
        for name, score in report.scores.items()
        if score.precision < 0.95 or score.recall < 0.90
    }
    assert not weak, "\n".join(report.table())


def test_the_held_out_set_keeps_precision():
    # recall on text nobody tuned the rules on is reported, not asserted (see docs/detection.md);
    # a false alarm there is a rule firing on ordinary speech, which must stay rare
    rules = ruleset.packaged()
    report = evaluate.evaluate(
        engine.Detector(rules),
        evaluate.read_lines(EVAL / "detect_holdout.jsonl"),
        {rule.category for rule in rules.rules},
    )
    assert all(score.precision >= 0.85 for score in report.scores.values()), report.table()
