"""The failed-sample rule as data: it loads with verbatim quotes, and its message names
the failed items, the standard and the batch."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from liveguard.catalog import sampling
from liveguard.catalog.models import SampleKind, SampleOutcome
from liveguard.catalog.review_rules import ReviewRulesError, parse
from liveguard.catalog.sampling import SAMPLING_FILE, SamplingRules, sampling_rules
from liveguard.legal import quote_problem


def test_every_quote_is_verbatim_and_every_kind_is_named():
    rules = sampling_rules()
    bases = [*rules.legal_basis, *(b for v in rules.category_legal_basis.values() for b in v)]
    assert bases and all(quote_problem(b) is None for b in bases)
    assert set(rules.kinds) == set(SampleKind)


def test_it_refuses_a_misquoted_law():
    text = sampling.review_rules.data_text(SAMPLING_FILE).replace(
        "应当立即停止经营", "应当停止经营"
    )
    with pytest.raises(ReviewRulesError) as caught:
        parse(text, SAMPLING_FILE, SamplingRules)
    assert any("quote not found" in p for p in caught.value.problems)


def sample(**changes):
    fields = {
        "id": 7,
        "kind": SampleKind.mystery_shopping,
        "outcome": SampleOutcome.failed,
        "bought_at": datetime(2026, 11, 20, 13, 0, tzinfo=UTC),
        "batch": "20261020A",
        "tested_by": "某省产品质量监督检验研究院",
        "standard": "GB 19300-2014",
        "failed_items": [
            {"item": "酸价", "measured": "5.6 mg/g", "required": "≤ 3 mg/g"},
            {"item": "过氧化值", "measured": "0.82 g/100g", "required": "≤ 0.50 g/100g"},
        ],
        "ledger_seq": 41,
    }
    return SimpleNamespace(**{**fields, **changes})


def test_the_reason_names_what_failed_against_what():
    problem = sampling.reason_problem(sample=sample(), listing=SimpleNamespace(category="food"))
    assert problem["check"] == "sampling.failed" and problem["severity"] == "critical"
    message = problem["message"]
    assert message.startswith("体验式调查不合格：2026-11-20 购自直播间")  # Beijing date
    assert "（批次 20261020A）" in message
    assert "酸价实测 5.6 mg/g，标准要求 ≤ 3 mg/g、过氧化值实测 0.82 g/100g" in message
    assert {b["law"] for b in problem["legal_basis"]} >= {"产品质量法", "食品安全法"}
    assert problem["evidence"]["sample_ledger_seq"] == 41


def test_only_food_cites_the_food_recall_duty_and_no_batch_leaves_no_gap():
    problem = sampling.reason_problem(
        sample=sample(batch=None, kind=SampleKind.sampling),
        listing=SimpleNamespace(category="apparel"),
    )
    assert "食品安全法" not in {b["law"] for b in problem["legal_basis"]}
    assert problem["message"].startswith("抽检不合格") and "（批次" not in problem["message"]
    assert "本商品经某省" in problem["message"]


def test_a_buyer_of_the_batch_is_told_what_failed_and_where_the_result_is_recorded():
    listing = SimpleNamespace(category="food", title="古法压榨花生油 5L")
    summary = sampling.buyer_case_summary(sample=sample(), listing=listing)
    assert summary.startswith("您购买的「古法压榨花生油 5L」（批次 20261020A）")
    assert "按 GB 19300-2014 检验不合格：酸价实测 5.6 mg/g，标准要求 ≤ 3 mg/g" in summary
    assert "证据账本第 41 项" in summary
    assert "批次" not in sampling.buyer_case_summary(sample=sample(batch=None), listing=listing)
