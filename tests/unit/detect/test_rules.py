"""Every shipped rule's examples run; rule files with mistakes are refused with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveguard.detect import engine, ruleset
from liveguard.detect.rulefile import Example, RuleFileError, parse


def _examples():
    for rule in ruleset.packaged().rules:
        for expected, examples in (
            (True, rule.spec.examples.positive),
            (False, rule.spec.examples.negative),
        ):
            for example in examples:
                if isinstance(example, str):
                    example = Example(text=example)
                yield pytest.param(rule.id, example, expected, id=f"{rule.id}-{example.text[:12]}")


@pytest.fixture(scope="module")
def detector() -> engine.Detector:
    return engine.Detector(ruleset.packaged())


@pytest.mark.parametrize(("rule_id", "example", "expected"), list(_examples()))
def test_rule_examples(detector, rule_id, example, expected):
    rule = ruleset.packaged().rule(rule_id)
    context = engine.Context(
        role=example.role or (next(iter(rule.roles)) if rule.roles else None),
        category=example.category,
        source=example.source,
    )
    found = detector.detect(example.text, context)
    fired = {f.rule.id for f in found}
    categories = {f.rule.category for f in found}
    if expected:
        # a hit may be reported under a sibling rule of the same category (merged spans)
        assert rule.category in categories, (example.text, fired)
    else:
        assert rule_id not in fired, (example.text, [(f.rule.id, f.quote) for f in found])


def test_the_shipped_lexicon_is_large():
    compiled = ruleset.packaged()
    assert compiled.literal_count >= 5_000
    assert {r.category for r in compiled.rules} == {
        "absolute_terms",
        "medical_claims",
        "diversion",
        "false_promises",
        "personal_info",
    }


GOOD_RULE = """
category: demo
title: Demo
legal_basis:
  - law: 广告法
    article: 9
    quote: （三）使用“国家级”、“最高级”、“最佳”等用语；
rules:
  - id: demo.one
    severity: low
    message: demo rule
    terms: [最佳]
    examples:
      positive: [最佳]
      negative: [最近]
"""


def test_a_good_file_parses():
    spec = parse(GOOD_RULE, "demo.yaml")
    assert spec.rules[0].id == "demo.one"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("severity: low", "severity: huge"), "demo.yaml:10: rules.0.severity: Input should be"),
        (("    article: 9", "    article: 999"), "demo.yaml:5: legal_basis.0: 广告法"),
        (("“最佳”等用语", "“最好”等用语"), "demo.yaml:5: legal_basis.0: quote not found"),
        (("    terms: [最佳]\n", ""), "demo.yaml:9: rules.0: Value error, a rule needs terms"),
        (("title: Demo", "title: Demo\ntitle: Again"), "demo.yaml:4: duplicate key 'title'"),
        (("rules:", "rules: ["), "demo.yaml:"),
        (
            ("    message: demo rule\n", "    message: demo rule\n    colour: red\n"),
            "rules.0.colour",
        ),
    ],
)
def test_mistakes_are_named_with_file_line_and_field(change, says):
    old, new = change
    assert old in GOOD_RULE
    with pytest.raises(RuleFileError) as raised:
        parse(GOOD_RULE.replace(old, new), "demo.yaml")
    assert says in str(raised.value)


def test_compile_problems_name_the_line(tmp_path: Path):
    bad = GOOD_RULE.replace(
        "    terms: [最佳]", "    templates: ['{nosuch}最佳']\n    patterns: ['(']"
    )
    with pytest.raises(RuleFileError) as raised:
        ruleset.compile_files([parse(bad, "demo.yaml")])
    assert "demo.yaml:12: template '{nosuch}最佳' names no group 'nosuch'" in str(raised.value)


def test_a_regex_that_does_not_compile_is_named():
    bad = GOOD_RULE.replace("    terms: [最佳]", "    patterns: ['最(佳']")
    with pytest.raises(RuleFileError) as raised:
        ruleset.compile_files([parse(bad, "demo.yaml")])
    assert "demo.yaml:12: pattern '最(佳' does not compile" in str(raised.value)


def test_a_compiled_rule_set_is_cached_and_a_bad_cache_file_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_CACHE_DIR", str(tmp_path))
    first = ruleset.compile_files([parse(GOOD_RULE, "demo.yaml")])
    cached = list(tmp_path.glob("*.hsdb"))
    assert cached

    def no_compile(*_args, **_kwargs):
        raise AssertionError("compiled again")

    with monkeypatch.context() as patch:
        patch.setattr(ruleset.hyperscan, "Database", no_compile)
        again = ruleset.compile_files([parse(GOOD_RULE, "demo.yaml")])
    assert [f.rule.id for f in engine.Detector(again).detect("最佳")] == ["demo.one"]
    again.database.scan(b"x", match_event_handler=lambda *_: None)  # scans without a scratch
    assert again.version == first.version
    for path in cached:
        path.write_bytes(b"not a database")
    rebuilt = ruleset.compile_files([parse(GOOD_RULE, "demo.yaml")])
    assert [f.rule.id for f in engine.Detector(rebuilt).detect("最佳")] == ["demo.one"]


PINYIN_RULE = GOOD_RULE.replace(
    "rules:",
    "groups:\n  best:\n    terms: [最佳, 极品]\n    pinyin: [full, initials]\nrules:",
).replace("    terms: [最佳]", "    templates: ['{best}']")


def test_pinyin_spellings_are_cached_so_a_later_compile_needs_no_pypinyin(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEGUARD_CACHE_DIR", str(tmp_path))
    first = ruleset.compile_files([parse(PINYIN_RULE, "demo.yaml")])
    assert {b"zuijia", b"zj", b"jipin", b"jp"} <= set(first.expressions)
    assert list(tmp_path.glob("pinyin-*.json"))

    def no_pypinyin(*_args, **_kwargs):
        raise AssertionError("spelled again")

    with monkeypatch.context() as patch:
        patch.setattr(ruleset, "_pinyin", no_pypinyin)
        again = ruleset.compile_files([parse(PINYIN_RULE, "demo.yaml")])
    assert again.expressions == first.expressions
    assert [f.rule.id for f in engine.Detector(again).detect("这款zuijia")] == ["demo.one"]
    for path in tmp_path.glob("pinyin-*.json"):
        path.write_text("[not json", "utf-8")
    rebuilt = ruleset.compile_files([parse(PINYIN_RULE, "demo.yaml")])
    assert rebuilt.expressions == first.expressions
