"""A complaint after a price cut under a price-protection promise is owed the difference
(it was owed 0 yuan before the fact existed), from the seller, citing the price promise."""

from __future__ import annotations

from datetime import date

from liveguard.liability import service
from liveguard.liability.facts import CaseFacts


def owed(**facts: object) -> dict[str, int | None]:
    answer = service.resolve(facts=CaseFacts.model_validate(facts), today=date(2026, 5, 4))
    return {r.kind.value: r.amount_fen for r in answer.remedies}


def test_the_difference_is_owed_by_the_seller_with_its_sum():
    answer = service.resolve(
        facts=CaseFacts(price_paid_fen=199900, price_protection_owed_fen=20000),
        today=date(2026, 5, 4),
    )
    [remedy] = [r for r in answer.remedies if r.kind.value == "price_protection"]
    assert remedy.amount_fen == 20000 and "200.00元" in remedy.arithmetic
    assert [role.value for role in remedy.owed_by] == ["seller"]
    cited = {(b.law, b.article) for b in remedy.rule.legal_basis}
    assert ("明码标价和禁止价格欺诈规定", 19) in cited and ("民法典·合同编", 509) in cited


def test_without_a_price_protection_fact_nothing_is_owed_for_it():
    assert "price_protection" not in owed(price_paid_fen=199900)
    assert "price_protection" not in owed(price_paid_fen=199900, price_protection_owed_fen=0)
