"""Claims checked against the product's own label (S2): every example of the lexicon
holds, and the finding names the label field that contradicts the claim."""

from __future__ import annotations

import pytest

from liveguard.catalog import label_claims

CLAIMS = label_claims.rules().claims


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_every_example_of_the_lexicon_holds(claim):
    for example in claim.examples.positive:
        found = label_claims.check(example.text, example.label, example.category)
        assert claim.id in [f.claim.id for f in found], example
    for example in claim.examples.negative:
        found = label_claims.check(example.text, example.label, example.category)
        assert claim.id not in [f.claim.id for f in found], example


def test_the_finding_quotes_the_claim_and_names_the_contradicting_label_field():
    text = "家人们，正宗燕窝一瓶一盏"
    [found] = label_claims.check(text, {"product_type": "风味饮品"}, "food")
    assert text[found.start : found.end] == found.quote == "燕窝"
    assert found.field == "product_type" and "风味饮品" in found.message


def test_a_denied_or_flavour_mention_is_no_claim_and_an_unknown_label_proves_nothing():
    assert (
        label_claims.check("这不是燕窝，是燕窝味饮料", {"product_type": "风味饮品"}, "food") == []
    )
    assert label_claims.check("正宗燕窝", {}, "food") == []  # nothing on the label to compare


def test_a_health_claim_needs_registered_health_food():
    food = label_claims.check("喝了增强抵抗力", {}, "food")
    assert [f.evidence["why"] for f in food] == ["category"]
    unregistered = label_claims.check(
        "喝了增强抵抗力", {"registration_number": "无"}, "health_food"
    )
    assert [f.evidence["why"] for f in unregistered] == ["unregistered"]
    registered = {"registration_number": "国食健注G20190123"}
    assert label_claims.check("增强抵抗力", registered, "health_food") == []
