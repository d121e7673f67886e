"""A platform overlay over the shipped rules: own rules, disabled rules, new severities;
every mistake named by file and line."""

from __future__ import annotations

import pytest

from liveguard.detect import overlay, ruleset
from liveguard.detect.rulefile import RuleFileError
from liveguard.vocab import Severity

DIVERSION = "加我微信 abc12345 私聊下单"

OVERLAY = """\
category: platform_words
title: 平台自定用语
legal_basis:
  - law: 广告法
    article: 9
    quote: （三）使用“国家级”、“最高级”、“最佳”等用语；
rules:
  - id: platform_words.sales_champion
    severity: low
    message: 平台不许说“销量冠军”。
    terms: [销量冠军]
    examples:
      positive: [我们家是销量冠军]
      negative: [今天有冠军赛]
disable: [diversion.order_elsewhere]
severity:
  diversion.contact_invite: critical
"""


@pytest.fixture(scope="module")
def applied() -> overlay.Applied:
    return overlay.apply(overlay.parse_overlay(OVERLAY, "douyin.yaml"), tag="douyin.v3")


def test_the_version_builds_on_the_shipped_one(applied):
    assert applied.ruleset.version == f"{ruleset.packaged().version}+douyin.v3"
    assert overlay.version_tag("douyin", 3) == "douyin.v3"


def test_it_disables_changes_severity_and_adds_rules(applied):
    found = {f.rule.id: f for f in applied.detector().detect(DIVERSION + "，我们家是销量冠军")}
    assert "diversion.order_elsewhere" not in found
    assert found["diversion.contact_invite"].rule.severity is Severity.critical
    assert found["platform_words.sales_champion"].ruleset_version.endswith("+douyin.v3")
    assert applied.disabled == {"diversion.order_elsewhere"}


def test_the_shipped_rules_are_left_as_they_were(applied):
    assert ruleset.packaged().rule("diversion.contact_invite").severity is Severity.high
    assert applied.ruleset.rule("diversion.contact_invite").file == "diversion.yaml"


def test_its_own_examples_hold(applied):
    spec = overlay.parse_overlay(OVERLAY, "douyin.yaml")
    assert overlay.example_problems([spec], applied.detector()) == []
    wrong = overlay.parse_overlay(OVERLAY.replace("[今天有冠军赛]", "[销量冠军]"), "douyin.yaml")
    assert overlay.example_problems([wrong], applied.detector()) == [
        "douyin.yaml:14: rules.0.examples.negative.0: '销量冠军' is flagged by "
        "platform_words.sales_champion"
    ]


def test_unknown_rule_ids_are_named_with_file_and_line():
    text = "disable:\n  - diversion.order_elsewere\nseverity:\n  nosuch.rule: low\n"
    with pytest.raises(RuleFileError) as raised:
        overlay.apply(overlay.parse_overlay(text, "kuaishou.yaml"), tag="kuaishou.v1")
    assert raised.value.problems == [
        "kuaishou.yaml:2: disable.0: there is no rule 'diversion.order_elsewere' "
        "(did you mean 'diversion.order_elsewhere'?)",
        "kuaishou.yaml:4: severity.nosuch.rule: there is no rule 'nosuch.rule' "
        "(`liveguard rules list` shows them)",
    ]


def test_an_overlay_rule_may_not_take_a_shipped_id():
    text = OVERLAY.replace("platform_words.sales_champion", "diversion.contact_invite")
    with pytest.raises(RuleFileError) as raised:
        overlay.apply(overlay.parse_overlay(text, "douyin.yaml"), tag="douyin.v1")
    assert any(
        p.startswith("douyin.yaml:8: rule id 'diversion.contact_invite' is also used in")
        for p in raised.value.problems
    )


def test_an_overlay_with_rules_needs_a_category():
    with pytest.raises(RuleFileError) as raised:
        overlay.parse_overlay(OVERLAY.replace("category: platform_words\n", ""), "douyin.yaml")
    assert "a file with rules needs a category" in str(raised.value)


def test_a_bad_severity_is_named_with_its_line():
    with pytest.raises(RuleFileError) as raised:
        overlay.parse_overlay("severity:\n  diversion.contact_invite: urgent\n", "douyin.yaml")
    assert raised.value.problems[0].startswith(
        "douyin.yaml:2: severity.diversion.contact_invite: Input should be"
    )
