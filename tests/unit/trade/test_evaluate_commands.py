"""``liveguard evaluate promises`` and ``traffic`` print precision and recall on the
shipped labelled files; a missing file is a clear error."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from liveguard.cli.main import app

EVAL = Path(__file__).resolve().parents[3] / "data" / "eval"
FIGURE = re.compile(r"precision (\d\.\d{3})\s+recall (\d\.\d{3})")


def test_the_promise_reader_is_measured_on_the_held_out_texts():
    result = CliRunner().invoke(
        app, ["evaluate", "promises", str(EVAL / "benefit_promises_holdout.jsonl")]
    )
    assert result.exit_code == 0, result.output
    assert "20 texts" in result.output and FIGURE.search(result.output)


def test_the_traffic_signs_are_measured_per_room_and_per_sign():
    result = CliRunner().invoke(app, ["evaluate", "traffic", str(EVAL / "rooms.jsonl.gz")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if FIGURE.search(line)]
    assert [line.split()[0] for line in lines] == [
        "bought",
        "traffic.viewer_jump",
        "traffic.idle_likers",
        "traffic.fresh_buyers",
    ]


def test_a_missing_file_is_named():
    result = CliRunner().invoke(app, ["evaluate", "traffic", "no-such-file.jsonl"])
    assert result.exit_code == 1 and "no such file" in result.output
