"""The integrity data file: its quotes are the law's words, and the AUCL text in force
follows the date of the conduct."""

from __future__ import annotations

from datetime import date

from liveguard.integrity.rules import rules
from liveguard.legal import quote_problem


def test_every_quote_is_in_its_article():
    basis = rules().legal_basis
    for cited in [*basis.always, *basis.aucl_2025, *basis.aucl_2019, *basis.fraud]:
        assert quote_problem(cited) is None, cited


def test_conduct_before_15_october_2025_is_judged_under_the_2019_text():
    before = [(b.law, b.article) for b in rules().basis_for(date(2025, 10, 14))]
    after = [(b.law, b.article) for b in rules().basis_for(date(2025, 10, 15))]
    assert before == [("电子商务法", 17), ("反不正当竞争法", 8)]
    assert after == [("电子商务法", 17), ("反不正当竞争法", 9)]
    assert ("消费者权益保护法", 55) in [
        (b.law, b.article) for b in rules().basis_for(date(2026, 1, 1), fraud=True)
    ]
