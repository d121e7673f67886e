"""The listing's standard terms named as the liability engine's `standard_terms` fact
(S12): read from the lexicon's unfair terms, so the answer can call them void unasked."""

import pytest

from liveguard.catalog import checks, review
from liveguard.catalog.review_rules import LexiconEntry


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("特价商品，售出概不退换", ["no_returns"]),
        ("本活动最终解释权归本店所有", ["final_interpretation"]),
        ("直播间专属价，不支持退货", ["no_returns"]),
        ("签收即视为商品完好，差评不退", ["excludes_main_rights"]),
        ("售出概不退换。最终解释权归本店所有。", ["final_interpretation", "no_returns"]),
        ("质量问题包退换，支持七天无理由退货", []),
        ("生鲜产品售出概不退换，坏果包赔", []),
    ],
)
def test_the_terms_a_listing_holds_are_named_for_the_engine(text, terms):
    assert checks.standard_terms(review.reviewer(), text) == terms


def test_only_a_term_unfair_whatever_is_sold_is_a_standard_term():
    entry = review.reviewer().lexicons.entry("terms.refuses_no_reason_return").model_dump()
    entry["standard_term"] = "no_returns"
    with pytest.raises(ValueError, match="unfair_term"):
        LexiconEntry.model_validate(entry)
