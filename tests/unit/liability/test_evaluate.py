"""``liveguard evaluate cases``: the scoring, and the shipped set."""

import json

from liveguard.liability import evaluate

CASE = {
    "id": "fraud-off-platform",
    "today": "2026-03-02",
    "facts": {
        "channel": "off_platform",
        "diverted_by": "anchor",
        "room_operator": "anchor",
        "misrepresented_knowingly": True,
        "price_paid_fen": 9900,
    },
    "expected": {
        "parties": [["account_holder", "sole"], ["platform", "disclose_identity"]],
        "remedies": {"return_refund": 9900, "fraud_damages": 50000},
        "total_fen": 59900,
    },
}


def test_a_right_answer_scores_full_marks():
    report = evaluate.evaluate([CASE])
    assert (report.parties.right, report.kinds.right, report.amounts.right) == (1, 1, 1)
    assert report.mistakes == []


def test_a_wrong_amount_and_a_wrong_party_are_each_counted_as_mistakes():
    wrong = json.loads(json.dumps(CASE))
    wrong["expected"]["remedies"]["fraud_damages"] = 29700  # 3x without the 500-yuan floor
    wrong["expected"]["parties"][0] = ["seller", "sole"]
    report = evaluate.evaluate([wrong])
    assert (report.parties.right, report.kinds.right, report.amounts.right) == (0, 0, 0)
    assert report.pairs.fp == 1 and report.pairs.fn == 1
    assert any("amounts" in m and "29700" in m for m in report.mistakes)


def test_a_line_with_an_unknown_role_is_refused_with_its_line_number(tmp_path):
    bad = json.loads(json.dumps(CASE))
    bad["expected"]["parties"] = [["shop", "sole"]]
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    try:
        evaluate.read_lines(path)
    except ValueError as error:
        assert "cases.jsonl:1" in str(error)
    else:
        raise AssertionError("the bad line was accepted")


def test_the_shipped_set_has_forty_cases_or_more_and_every_rule_branch():
    items = evaluate.read_lines(evaluate.DEFAULT_PATH)
    assert len(items) >= 40
    channels = {item["facts"].get("channel") for item in items}
    assert {"platform", "off_platform"} <= channels
    categories = {item["facts"].get("category") for item in items}
    assert {"food", "drug", "other"} <= categories


def test_the_command_prints_the_figures_and_the_mistakes(tmp_path):
    from typer.testing import CliRunner

    from liveguard.cli.main import app

    wrong = json.loads(json.dumps(CASE))
    wrong["expected"]["total_fen"] = 1
    path = tmp_path / "cases.jsonl"
    lines = [json.dumps(c, ensure_ascii=False) for c in (CASE, wrong)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "cases", "--data", str(path), "--mistakes"])
    assert result.exit_code == 0, result.output
    assert "remedies and amounts     1/2 (50.0%)" in result.output
    assert "fraud-off-platform amounts: want" in result.output


def test_the_engine_answers_every_shipped_case_as_the_law_says():
    report = evaluate.evaluate(evaluate.read_lines(evaluate.DEFAULT_PATH))
    assert report.mistakes == []
