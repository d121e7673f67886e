"""Issue 24, remaining parts: the anti-unfair-competition text in force on the day of the
conduct (2019 art. 8 / 2025 art. 9), and 药品管理法 art. 144(3) - the producer owes the
ten times whatever it knew, the seller only when it made the drug or knew it was fake."""

from datetime import date

import pytest

from liveguard.liability.engine import resolve
from liveguard.liability.facts import CaseFacts
from liveguard.liability.resolution import RemedyKind, Role

TODAY = date(2026, 3, 2)
SHOP = dict(channel="platform", live_room=False, platform_self_operated=False)
FAKE_DRUG = dict(
    **SHOP, category="drug", fake_or_substandard_drug=True, defect="counterfeit",
    delivered_on="2026-02-28", price_paid_fen=36800,
)  # fmt: skip


def _answer(**values):
    return resolve(CaseFacts.model_validate(values), today=TODAY)


def _notes(answer):
    return {n.id: n for n in answer.notes}


@pytest.mark.parametrize(
    ("bought_on", "note", "article", "version"),
    [
        ("2025-10-15", "aucl-2025-false-publicity", 9, "2025-06-27"),
        ("2025-10-14", "aucl-2019-false-publicity", 8, "2019-04-23"),
        ("2019-04-23", "aucl-2019-false-publicity", 8, "2019-04-23"),
    ],
)
def test_fake_orders_cite_the_competition_law_text_in_force_on_the_day(
    bought_on, note, article, version
):
    answer = _answer(
        **SHOP, category="other", defect="not_as_described", misrepresented_knowingly=True,
        fake_transactions=True, bought_on=bought_on, price_paid_fen=30000,
    )  # fmt: skip
    notes = _notes(answer)
    aucl = {n for n in notes if n.startswith("aucl-")}
    assert aucl == {note}
    basis = notes[note].rule.legal_basis[0]
    assert (basis.law, basis.article, basis.version) == ("反不正当竞争法", article, version)
    # honest about what the AUCL does not give: the money rests on CPL art. 55
    assert "不给消费者单独的赔偿请求权" in notes[note].explanation_zh
    fraud = next(r for r in answer.remedies if r.kind is RemedyKind.fraud_damages)
    assert fraud.amount_fen == 90000
    assert all(b.law != "反不正当竞争法" for r in answer.remedies for b in r.rule.legal_basis)


def test_conduct_before_the_2019_amendment_cites_the_2017_text_unquoted():
    answer = _answer(
        **SHOP, category="other", false_advertising=True, bought_on="2018-06-01",
        defect="not_as_described", price_paid_fen=30000,
    )  # fmt: skip
    note = _notes(answer)["aucl-2017-false-publicity"]
    assert not note.rule.legal_basis
    assert [c.citation for c in note.rule.cited] == ["《反不正当竞争法》（2017年文本）第8条"]


def test_no_false_publicity_no_competition_law():
    answer = _answer(
        **SHOP, category="other", false_advertising=False, fake_transactions=False,
        defect="not_as_described", price_paid_fen=30000, bought_on="2025-11-01",
    )  # fmt: skip
    assert not {n for n in _notes(answer) if n.startswith("aucl-")}


def _drug_damages(answer):
    return [r for r in answer.remedies if r.kind is RemedyKind.drug_damages]


def test_a_seller_who_knew_the_drug_was_fake_owes_ten_times_itself():
    (owed,) = _drug_damages(
        _answer(**FAKE_DRUG, seller_is_producer=False, seller_knew_fake_drug=True)
    )
    assert owed.amount_fen == 368000
    # the producer owes it too (first-responsible: whichever is asked pays once)
    assert set(owed.owed_by) == {Role.seller, Role.producer}


def test_an_unknowing_seller_does_not_owe_ten_times_the_producer_does():
    answer = _answer(**FAKE_DRUG, seller_is_producer=False, seller_knew_fake_drug=False)
    (owed,) = _drug_damages(answer)
    assert owed.amount_fen == 368000
    assert owed.owed_by == [Role.producer]
    assert any(p.role is Role.producer for p in answer.parties)


def test_a_seller_that_made_the_drug_owes_ten_times_whatever_it_knew():
    (owed,) = _drug_damages(
        _answer(**FAKE_DRUG, seller_is_producer=True, seller_knew_fake_drug=False)
    )
    assert owed.owed_by == [Role.seller]


def test_with_maker_and_knowledge_unknown_the_ten_times_is_asked_not_assumed():
    answer = _answer(**FAKE_DRUG)
    assert not _drug_damages(answer)
    assert {"seller_is_producer", "seller_knew_fake_drug"} <= {q.field for q in answer.questions}
