"""Claims about numbers: the data file's examples hold, numbers are read as people say them."""

from __future__ import annotations

import pytest

from liveguard.legal import quote_problem
from liveguard.live import claims

RULES = claims.rules()


@pytest.mark.parametrize(
    ("spoken", "value"),
    [
        ("3", 3),
        ("三", 3),
        ("10万", 100_000),
        ("1.5w", 15_000),
        ("100,000", 100_000),
        ("两千", 2000),
    ],
)
def test_it_reads_numbers_as_anchors_say_them(spoken, value):
    assert claims.number(spoken) == value


def test_it_refuses_to_read_what_is_not_a_number():
    assert claims.number("很多") is None


@pytest.mark.parametrize("rule", RULES.claims, ids=lambda r: r.id)
def test_each_claim_rule_finds_its_positive_examples_and_judges_them(rule):
    for example in rule.examples.positive:
        [found] = [c for c in claims.find(example["text"]) if c.rule.id == rule.id]
        if rule.when != "catalog_problem":
            assert rule.contradicted(found.claimed, example["actual"]), example
    for example in rule.examples.negative:
        found = [c for c in claims.find(example["text"]) if c.rule.id == rule.id]
        if rule.when == "catalog_problem":
            assert found == [], example
        else:
            assert not any(rule.contradicted(c.claimed, example["actual"]) for c in found)


def test_every_legal_basis_in_the_claims_file_quotes_its_article():
    bases = [b for r in RULES.claims for b in r.legal_basis]
    bases += RULES.listing_change.legal_basis + RULES.traffic.legal_basis
    assert [quote_problem(b) for b in bases] == [None] * len(bases)


def test_a_pattern_without_the_number_group_is_refused():
    data = RULES.claims[0].model_dump()
    data["patterns"] = ["最后几件"]
    with pytest.raises(ValueError, match="group named n"):
        claims.ClaimRule.model_validate(data)
