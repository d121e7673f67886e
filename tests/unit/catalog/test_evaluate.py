"""The labelled listing set and the evaluator: the review must keep precision and recall
of every check family at 0.95 or above on data/eval/listings.jsonl."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from liveguard.catalog.evaluate import (
    DEFAULT_PATH,
    FAMILIES,
    Report,
    Score,
    evaluate,
    main,
    read_lines,
)

TARGET = 0.95


@pytest.fixture(scope="module")
def items():
    return read_lines(DEFAULT_PATH)


@pytest.fixture(scope="module")
def report(reviewer, items) -> Report:
    return evaluate(reviewer, items)


def test_the_set_is_large_and_balanced(items):
    assert len(items) >= 300
    bad = [i for i in items if i["labels"]]
    assert 0.35 < len(bad) / len(items) < 0.65
    counts = Counter(label for item in bad for label in item["labels"])
    assert set(counts) == set(FAMILIES)
    assert min(counts.values()) >= 15, counts


def test_every_line_has_a_unique_id_and_a_note(items):
    ids = [i["id"] for i in items]
    assert len(set(ids)) == len(ids)
    assert all(i.get("note") for i in items)


def test_the_set_holds_s3_and_the_hard_negatives(items):
    notes = " ".join(i["note"] for i in items)
    for needle in ("S3", "exactly 7 days ago", "art. 25 exempts", "freight", "福利 in the title"):
        assert needle in notes


@pytest.mark.parametrize("family", FAMILIES)
def test_precision_and_recall_meet_the_target(report, family):
    score = report.scores[family]
    mistakes = [m for m in report.mistakes if m.family == family]
    assert score.precision >= TARGET, mistakes
    assert score.recall >= TARGET, mistakes


def test_the_table_has_a_row_per_family_and_the_totals(report):
    rows = report.table()
    assert rows[0].split() == ["check", "lines", "precision", "recall", "F1"]
    assert [r.split()[0] for r in rows[1:-2]] == list(FAMILIES)
    assert rows[-2].startswith("(micro)") and rows[-1].startswith("(any problem)")


def test_scores_with_nothing_to_score_are_perfect():
    assert (Score().precision, Score().recall) == (1.0, 1.0)
    assert Score(tp=1, fp=1, fn=0).f1 == pytest.approx(2 / 3)


def _write(tmp_path: Path, line: dict) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _line(items) -> dict:
    return {k: v for k, v in items[0].items() if k != "facts"}


def test_it_refuses_a_label_that_is_not_a_family(tmp_path, items):
    line = {**_line(items), "labels": ["price.fake_original"]}
    with pytest.raises(ValueError, match=r"set\.jsonl:1: labels \['price\.fake_original'\]"):
        read_lines(_write(tmp_path, line))


def test_it_refuses_an_unknown_listing_field(tmp_path, items):
    line = _line(items)
    line["listing"] = {**line["listing"], "colour": "red"}
    with pytest.raises(ValueError, match=r"set\.jsonl:1: listing: unknown listing fields"):
        read_lines(_write(tmp_path, line))


def test_it_refuses_a_naive_time(tmp_path, items):
    line = _line(items)
    line["listing"] = {**line["listing"], "now": "2025-03-15T12:00:00"}
    with pytest.raises(ValueError, match="timezone-aware"):
        read_lines(_write(tmp_path, line))


def test_the_command_prints_the_table(tmp_path, items, capsys):
    path = _write(tmp_path, _line(items))
    assert main([str(path), "--mistakes"]) == 0
    out = capsys.readouterr().out
    assert "1 listings" in out and "(micro)" in out


def test_the_command_reports_a_missing_file(tmp_path, capsys):
    assert main([str(tmp_path / "none.jsonl")]) == 1
    assert "none.jsonl" in capsys.readouterr().err


def test_liveguard_evaluate_listings_prints_the_table():
    from typer.testing import CliRunner

    from liveguard.cli.main import app

    result = CliRunner().invoke(app, ["evaluate", "listings"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["check", "lines", "precision", "recall", "F1"]
    assert any(line.startswith("shipping") for line in lines)
