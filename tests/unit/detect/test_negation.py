"""A file's negation cues govern a match in their own clause only: "不能说最好" is no
claim, but a claim in the next clause still is."""

from __future__ import annotations

import pytest

from liveguard.detect.engine import Context, Detector
from liveguard.detect.rulefile import Role
from liveguard.detect.ruleset import packaged

ANCHOR = Context(role=Role.anchor, category="household")


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(packaged())


def rules_of(detector: Detector, text: str, context: Context = ANCHOR) -> set[str]:
    return {f.rule.category for f in detector.detect(text, context) if f.rule.spec.model is None}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我不说最便宜，我只说价格实在", "absolute_terms"),
        ("我们不会让大家加微信的，只在小黄车下单", "diversion"),
        ("千万不要私下转账", "diversion"),
    ],
)
def test_a_negation_before_the_words_undoes_them(detector, text, category):
    assert category not in rules_of(detector, text)


def test_a_warning_after_the_words_undoes_them(detector):
    viewer = Context(role=Role.viewer)
    assert "diversion" not in rules_of(detector, "平台外交易没保障", viewer)


def test_a_negation_reaches_no_further_than_its_clause(detector):
    assert "absolute_terms" in rules_of(detector, "我不吹，全网最低价")
    assert "diversion" in rules_of(detector, "平台不让说，加我微信abc12345私聊")
