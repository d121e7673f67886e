"""liveguard rules / detect / evaluate: problems named by file and line, batch files
checked line by line (a bad line is reported and skipped), the evaluation table."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from liveguard.cli.main import app as cli
from liveguard.detect import ruleset
from liveguard.detect.engine import MAX_TEXT

runner = CliRunner()

DIVERSION = "加我微信 abc12345 私聊下单"


def test_rules_check_passes_the_shipped_rules():
    result = runner.invoke(cli, ["rules", "check"])
    assert result.exit_code == 0, result.output
    compiled = ruleset.packaged()
    assert result.output.strip() == (
        f"{len(compiled.rules)} rules, {compiled.literal_count} lexicon entries: OK"
    )


def test_rules_check_names_the_file_and_line_of_a_mistake(tmp_path: Path):
    shipped = next(p for p in ruleset.packaged_files() if p.name == "diversion.yaml")
    lines = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("severity:"))
    lines[number - 1] = lines[number - 1].replace("severity:", "severity: huge #")
    broken = tmp_path / "diversion.yaml"
    broken.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(cli, ["rules", "check", str(broken)])
    assert result.exit_code == 1
    assert f"diversion.yaml:{number}: rules.0.severity: Input should be" in result.output
    assert result.output.rstrip().endswith("1 problem")


def test_rules_check_runs_a_files_examples(tmp_path: Path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        """\
category: extra
title: Extra
legal_basis:
  - law: 广告法
    article: 9
    quote: （三）使用“国家级”、“最高级”、“最佳”等用语；
rules:
  - id: extra.champion
    severity: low
    message: 不许说“销量冠军”。
    terms: [销量冠军]
    examples:
      positive: [我们是冠军]
      negative: [冠军赛]
""",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["rules", "check", str(extra)])
    assert result.exit_code == 1
    assert "extra.yaml:13: rules.0.examples.positive.0: '我们是冠军' is not flagged" in (
        result.output
    )


def test_rules_list_shows_rules_version_and_lexicon(tmp_path: Path):
    result = runner.invoke(cli, ["rules", "list"])
    assert result.exit_code == 0, result.output
    compiled = ruleset.packaged()
    assert "diversion.contact_invite" in result.output
    assert f"rule set {compiled.version}: {len(compiled.rules)} rules" in result.output
    overlay = tmp_path / "douyin.yaml"
    overlay.write_text("disable: [diversion.order_elsewhere]\n", encoding="utf-8")
    changed = runner.invoke(cli, ["rules", "list", "--platform-file", str(overlay)])
    assert changed.exit_code == 0, changed.output
    assert f"rule set {compiled.version}+douyin:" in changed.output
    line = next(x for x in changed.output.splitlines() if x.startswith("diversion.order_else"))
    assert "(disabled)" in line


def test_detect_reports_bad_lines_and_checks_the_rest(tmp_path: Path):
    batch = tmp_path / "batch.txt"
    batch.write_bytes(
        b"\n".join(
            [
                DIVERSION.encode(),
                b"",
                "caf\u00e9 \u597d".encode("latin-1", "replace") + b"\xff\xfe",
                ("好" * (MAX_TEXT + 1)).encode(),
                b'{"text": "no closing quote}',
                json.dumps({"text": DIVERSION, "id": "c-7", "role": "anchor"}).encode(),
                b'{"text": "x", "role": "boss"}',
                "这件毛衣是羊毛的".encode(),
            ]
        )
        + b"\n"
    )
    result = runner.invoke(cli, ["detect", str(batch), "--format", "jsonl"])
    assert result.exit_code == 2
    assert "batch.txt:3: not UTF-8 text" in result.stderr
    assert f"batch.txt:4: the text is {MAX_TEXT + 1} characters long; the limit is {MAX_TEXT}" in (
        result.stderr
    )
    assert "batch.txt:5: not valid JSON" in result.stderr
    assert "batch.txt:7: role: 'boss' is not one of anchor" in result.stderr
    assert "batch.txt:2:" not in result.stderr  # a blank line is skipped silently
    assert "3 lines checked" in result.stderr and "4 refused" in result.stderr
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert {f["line"] for f in findings} == {1, 6}
    invite = next(f for f in findings if f["line"] == 6 and f["rule"] == "diversion.contact_invite")
    assert invite["id"] == "c-7" and invite["category"] == "diversion"
    assert DIVERSION[invite["start"] : invite["end"]] == invite["quote"]
    assert set(invite) == {"line", "id", "rule", "category", "severity", "quote", "start", "end"}


def test_detect_exits_0_when_every_line_was_checked_and_reads_stdin():
    result = runner.invoke(
        cli, ["detect", "-", "--role", "anchor"], input=f"{DIVERSION}\n\n今天天气很好\n"
    )
    assert result.exit_code == 0, result.output
    assert "line 1: high diversion.contact_invite" in result.stdout
    assert "2 lines checked" in result.stderr


def test_evaluate_detect_prints_the_table():
    result = runner.invoke(cli, ["evaluate", "detect"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["category", "lines", "precision", "recall", "F1"]
    assert any(line.startswith("diversion") for line in lines)
    assert lines[-1].startswith("(micro)")


def test_evaluate_detect_scores_each_set_it_is_given(tmp_path: Path):
    caught = tmp_path / "caught.jsonl"
    caught.write_text(
        json.dumps({"id": "a", "text": DIVERSION, "role": "anchor", "labels": ["diversion"]})
        + "\n",
        encoding="utf-8",
    )
    missed = tmp_path / "missed.jsonl"
    missed.write_text(
        json.dumps({"id": "b", "text": "今天天气很好", "labels": ["diversion"]}) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["evaluate", "detect", "--data", str(caught), "--data", str(missed)]
    )
    assert result.exit_code == 0, result.output
    tables = result.output.split("\n\n")
    assert [t.splitlines()[0].split(":")[0] for t in tables] == [str(caught), str(missed)]
    diversion = [next(r for r in t.splitlines() if r.startswith("diversion")) for t in tables]
    assert diversion[0].split()[2:4] == ["1.000", "1.000"]  # precision, recall
    assert diversion[1].split()[3] == "0.000"


def test_evaluate_detect_leaves_out_lines_seen_in_training(tmp_path: Path):
    lines = [
        {"id": "a", "text": DIVERSION, "role": "anchor", "labels": ["diversion"]},
        {"id": "b", "text": "今天天气很好", "labels": []},
    ]
    held = tmp_path / "held.jsonl"
    held.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    trained = tmp_path / "trained.jsonl"
    trained.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", "utf-8")
    result = runner.invoke(
        cli, ["evaluate", "detect", "--data", str(held), "--unseen-in", str(trained)]
    )
    assert result.exit_code == 0, result.output
    assert "1 lines (1 left out: seen in training)" in result.output
    assert (
        next(r for r in result.output.splitlines() if r.startswith("diversion")).split()[1] == "0"
    )


def test_evaluate_detect_refuses_a_missing_data_file(tmp_path: Path):
    result = runner.invoke(cli, ["evaluate", "detect", "--data", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 1
    assert "none.jsonl: no such file" in result.output


def test_rules_check_names_a_typo_in_the_enforcement_policy(monkeypatch):
    from liveguard import datafiles

    shipped = datafiles.shipped_bytes

    def with_typo(package: str, name: str) -> bytes:
        text = shipped(package, name)
        if name == "policy.yaml":
            return text.replace(b"personal_info, fake_traffic", b"personal_inf, fake_traffic")
        return text

    monkeypatch.setattr(datafiles, "shipped_bytes", with_typo)
    result = runner.invoke(cli, ["rules", "check"])
    assert result.exit_code == 1, result.output
    text = shipped("liveguard.enforcement", "policy.yaml").decode()
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "personal_info, fake" in row)
    assert (
        f"policy.yaml:{line}: policies.6.match.categories.1: there is no category "
        "'personal_inf' (did you mean 'personal_info'?)"
    ) in result.output
