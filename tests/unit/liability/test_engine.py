"""resolve(): the answer to whole complaints, the floors, promises and missing facts."""

from datetime import date

import pytest

from liveguard.liability.engine import fact_texts, resolve
from liveguard.liability.facts import CaseFacts
from liveguard.liability.resolution import LiabilityKind, RemedyKind, Role

TODAY = date(2026, 3, 2)


def _facts(**values):
    return CaseFacts.model_validate(values)


def _parties(resolution):
    return {(p.role, p.liability) for p in resolution.parties}


def _amounts(resolution):
    return {r.kind: r.amount_fen for r in resolution.remedies}


S1 = dict(
    channel="off_platform",
    off_platform_payment="wechat_qr",
    diverted_by="anchor",
    room_operator="anchor",
    category="other",
    price_paid_fen=66900,
    delivered_on="2026-02-20",
    knew_of_harm_on="2026-02-20",
    defect="not_as_described",
    misrepresented_knowingly=True,
    loss_fen=0,
)


def test_s1_the_off_platform_down_jacket_is_the_account_holders_and_fraud_triples_it():
    answer = resolve(_facts(**S1), today=TODAY)
    assert _parties(answer) == {
        (Role.account_holder, LiabilityKind.sole),
        (Role.platform, LiabilityKind.disclose_identity),
    }
    assert {c.role for c in answer.not_liable} == {Role.seller, Role.platform}
    assert _amounts(answer) == {RemedyKind.return_refund: 66900, RemedyKind.fraud_damages: 200700}
    assert answer.total_fen == 66900 + 200700
    assert answer.contact_first.role is Role.account_holder
    assert "第55条" in answer.text_zh and "增加赔偿的金额不足五百元的，为五百元" in answer.text_zh


@pytest.mark.parametrize(
    ("price", "damages"),
    [(16666, 50000), (16667, 50001), (16700, 50100), (9900, 50000), (100, 50000)],
)
def test_fraud_damages_are_three_times_the_price_but_never_below_500_yuan(price, damages):
    answer = resolve(_facts(**{**S1, "price_paid_fen": price}), today=TODAY)
    assert _amounts(answer)[RemedyKind.fraud_damages] == damages


FOOD = dict(
    channel="platform",
    platform_self_operated=False,
    room_operator="merchant",
    category="food",
    food_below_standard=True,
    label_flaw_only=False,
    seller_knew_below_standard=True,
    seller_is_producer=True,
    loss_fen=0,
)


@pytest.mark.parametrize(
    ("price", "damages"),
    [(9999, 100000), (10000, 100000), (10001, 100010), (29900, 299000), (100, 100000)],
)
def test_food_damages_are_ten_times_the_price_but_never_below_1000_yuan(price, damages):
    answer = resolve(_facts(**FOOD, price_paid_fen=price), today=TODAY)
    assert _amounts(answer)[RemedyKind.food_damages] == damages


def test_three_times_the_loss_is_owed_when_it_is_more_than_ten_times_the_price():
    answer = resolve(_facts(**{**FOOD, "loss_fen": 500000}, price_paid_fen=12000), today=TODAY)
    assert _amounts(answer)[RemedyKind.food_damages] == 1500000
    assert "损失 5,000.00元×3=15,000.00元" in answer.remedies[1].arithmetic or any(
        "×3=15,000.00元" in r.arithmetic for r in answer.remedies
    )


def test_fraud_in_food_gives_the_larger_of_the_two_punitive_damages_not_both():
    answer = resolve(
        _facts(**FOOD, misrepresented_knowingly=True, price_paid_fen=20000), today=TODAY
    )
    amounts = _amounts(answer)
    assert amounts.get(RemedyKind.food_damages) == 200000
    assert RemedyKind.fraud_damages not in amounts


def test_a_promise_beyond_the_law_binds_the_seller_and_the_answer_cites_the_recording():
    promise = {
        "text": "假一赔十",
        "kind": "fake_multiple",
        "multiple": 10,
        "recorded": {"source": "utterance", "ledger_seq": 4812, "ref": "utt-77"},
    }
    facts = _facts(**{**S1, "defect": "counterfeit", "promises": [promise]})
    answer = resolve(facts, today=TODAY)
    amounts = _amounts(answer)
    assert amounts[RemedyKind.promised_compensation] == 669000
    assert RemedyKind.fraud_damages not in amounts  # the higher remedy only
    promised = next(r for r in answer.remedies if r.kind is RemedyKind.promised_compensation)
    assert promised.recorded.ledger_seq == 4812
    assert "证据账本第4812条" in answer.text_zh


def test_a_complaint_with_missing_facts_asks_for_them_instead_of_assuming():
    answer = resolve(_facts(room_operator="anchor", defect="quality"), today=TODAY)
    asked = {q.field for q in answer.questions}
    assert {"channel", "knew_of_harm_on"} <= asked
    assert all(q.needed_by for q in answer.questions)
    assert "【还需要您回答】" in answer.text_zh
    assert (Role.anchor_operator, LiabilityKind.as_seller) not in _parties(answer)


def test_an_unmarked_anchor_room_is_asked_about_then_held_as_seller():
    base = dict(channel="platform", platform_self_operated=False, room_operator="anchor")
    first = resolve(_facts(**base), today=TODAY)
    assert "seller_marked_in_room" in {q.field for q in first.questions}
    answer = resolve(_facts(**base, seller_marked_in_room=False), today=TODAY)
    assert (Role.anchor_operator, LiabilityKind.as_seller) in _parties(answer)


def test_every_fact_has_a_label_and_a_question():
    assert set(CaseFacts.model_fields) <= set(fact_texts())


def test_the_answer_lists_the_facts_it_relied_on():
    answer = resolve(_facts(**S1), today=TODAY)
    relied = {f.field: f.value for f in answer.facts_relied_on}
    assert relied["channel"] == "平台外付款"
    assert relied["price_paid_fen"] == "669.00元"


def test_the_seven_days_run_to_the_day_the_return_was_asked_for_not_to_the_complaint():
    base = dict(
        channel="platform",
        platform_self_operated=False,
        room_operator="merchant",
        defect="quality",
        delivered_on="2026-02-01",
        price_paid_fen=30000,
    )
    late = resolve(_facts(**base), today=TODAY)
    assert RemedyKind.return_refund not in _amounts(late)
    asked_in_time = resolve(_facts(**base, return_asked_on="2026-02-08"), today=TODAY)
    assert _amounts(asked_in_time)[RemedyKind.return_refund] == 30000
    asked_late = resolve(_facts(**base, return_asked_on="2026-02-09"), today=TODAY)
    assert RemedyKind.return_refund not in _amounts(asked_late)


def test_a_late_complaint_asks_whether_the_return_was_asked_for_in_time():
    facts = _facts(
        channel="platform",
        platform_self_operated=False,
        room_operator="merchant",
        defect="quality",
        delivered_on="2026-02-01",
        price_paid_fen=30000,
    )
    asked = {q.field: q for q in resolve(facts, today=TODAY).questions}
    assert asked["return_asked_on"].optional
