"""The engine's second pass (issue 24): where the deal was made, derived facts, the law in
force at the time, claims, at-least floors, first-responsible parties, notes and wording."""

from datetime import date

from liveguard.legal import get_law, quote_problem
from liveguard.liability import conditions, remedies
from liveguard.liability.engine import resolve
from liveguard.liability.facts import CaseFacts
from liveguard.liability.resolution import LiabilityKind, RemedyKind, Role

TODAY = date(2026, 3, 2)
SHOP = dict(channel="platform", live_room=False, platform_self_operated=False)
# food below standard, sold by a store that did not make it, for 200 yuan
BAD_FOOD = dict(
    **SHOP,
    category="food",
    food_below_standard=True,
    label_flaw_only=False,
    seller_is_producer=False,
    price_paid_fen=20000,
)


def _answer(**values):
    return resolve(CaseFacts.model_validate(values), today=TODAY)


def _asked(answer):
    return {q.field for q in answer.questions}


def test_a_plain_online_shop_is_never_asked_about_a_live_room():
    answer = _answer(
        **SHOP, category="other", defect="quality", delivered_on="2026-02-28", price_paid_fen=20000
    )
    assert {(p.role, p.liability) for p in answer.parties} == {(Role.seller, LiabilityKind.sole)}
    assert not _asked(answer) & {"room_operator", "live_room", "seller_marked_in_room"}


def test_without_a_wrong_the_seller_is_not_named_and_the_defect_is_asked():
    answer = _answer(**SHOP, category="other", price_paid_fen=20000)
    assert answer.parties == [] and "defect" in _asked(answer)
    cleared = _answer(
        **SHOP, category="other", defect="none", wants_return=False, price_paid_fen=20000
    )
    assert cleared.parties == [] and "defect" not in _asked(cleared)


def test_an_unknown_channel_names_the_seller_when_every_channel_leads_to_it():
    facts = dict(live_room=False, platform_self_operated=False, paid_to_seller=True)
    answer = _answer(**facts, category="other", defect="counterfeit", price_paid_fen=10000)
    assert Role.seller in {p.role for p in answer.parties}
    assert "channel" in _asked(answer)
    # the money may have gone to someone else: nobody is named
    unsure = _answer(**{**facts, "paid_to_seller": None}, defect="counterfeit")
    assert Role.seller not in {p.role for p in unsure.parties}


def test_the_refund_is_what_remains_and_the_multiple_runs_on_the_whole_price():
    answer = _answer(
        **SHOP,
        defect="counterfeit",
        misrepresented_knowingly=True,
        orders=3,
        quantity=3,
        price_paid_fen=60000,
        refunded_fen=20000,
    )
    by_kind = {r.kind: r for r in answer.remedies}
    assert by_kind[RemedyKind.return_refund].amount_fen == 40000
    assert "600.00元−已退 200.00元=400.00元" in by_kind[RemedyKind.return_refund].arithmetic
    assert by_kind[RemedyKind.fraud_damages].amount_fen == 180000
    assert "3笔订单" in by_kind[RemedyKind.fraud_damages].arithmetic


def test_a_floor_is_owed_at_least_when_the_price_is_unknown_and_the_price_is_asked():
    answer = _answer(**SHOP, defect="not_as_described", misrepresented_knowingly=True)
    (damages,) = [r for r in answer.remedies if r.kind is RemedyKind.fraud_damages]
    assert damages.amount_fen == 50000 and damages.at_least
    assert "至少500.00元" in answer.text_zh
    assert "price_paid_fen" in _asked(answer)


def test_food_148_first_responsible_is_not_joint_and_leaves_the_seller_alone():
    answer = _answer(**BAD_FOOD, seller_knew_below_standard=False)
    kinds = {p.role: p.liability for p in answer.parties}
    assert kinds == {
        Role.seller: LiabilityKind.sole,
        Role.producer: LiabilityKind.first_responsible,
    }
    assert "不是连带责任" in answer.text_zh


def test_the_sellers_knowledge_is_presumed_from_the_food_interpretations_facts():
    base = dict(**SHOP, category="food", seller_is_producer=False, price_paid_fen=8000)
    for presumed in ("sold_past_shelf_life", "dates_falsified"):
        answer = _answer(**base, **{presumed: True})
        assert RemedyKind.food_damages in {r.kind for r in answer.remedies}, presumed
    view = conditions.view_of(CaseFacts.model_validate({**base, "no_legal_source": False}), TODAY)
    assert view["seller_knew_below_standard"] is None  # no presumption is not a denial


def test_the_law_in_force_at_the_time_of_the_conduct_applies():
    fraud = dict(**SHOP, defect="counterfeit", misrepresented_knowingly=True, price_paid_fen=9900)
    old = _answer(**fraud, bought_on="2014-03-14")
    new = _answer(**fraud, bought_on="2014-03-15")
    assert {r.kind: r.amount_fen for r in old.remedies}[RemedyKind.fraud_damages] == 9900
    assert {r.kind: r.amount_fen for r in new.remedies}[RemedyKind.fraud_damages] == 50000
    assert "（1993/2009年文本）第49条" in old.text_zh and "未引原文" in old.text_zh
    undated = _answer(**fraud)
    assert "bought_on" in _asked(undated)  # the law in force now was applied


def test_what_was_claimed_is_kept_apart_from_what_the_law_would_also_allow():
    fraud = dict(**SHOP, defect="counterfeit", misrepresented_knowingly=True, price_paid_fen=30000)
    answer = _answer(**fraud, claimed=["return_refund"])
    assert [r.kind for r in answer.remedies] == [RemedyKind.return_refund]
    assert [r.kind for r in answer.also_allowed] == [RemedyKind.fraud_damages]
    assert answer.total_fen == 30000
    assert "您没有主张、但法律也允许的" in answer.text_zh


def test_void_standard_terms_are_named_and_the_return_is_still_owed():
    answer = _answer(
        **SHOP,
        defect="quality",
        standard_terms=["no_returns", "final_interpretation"],
        delivered_on="2026-02-28",
        price_paid_fen=15000,
    )
    assert {n.id for n in answer.notes} >= {
        "term-no-returns-void",
        "term-final-interpretation-void",
    }
    assert RemedyKind.return_refund in {r.kind for r in answer.remedies}
    assert "《中华人民共和国民法典》第497条" in answer.text_zh


def test_a_room_promise_binds_the_room_and_its_remedy_is_owed_by_it():
    answer = _answer(
        channel="platform",
        platform_self_operated=False,
        room_operator="mcn",
        seller_marked_in_room=True,
        category="other",
        defect="none",
        wants_return=True,
        return_exception="perishable",
        price_paid_fen=8800,
        promises=[
            {"text": "不满意包退", "kind": "refund_if_unsatisfied", "made_by": "room_operator"}
        ],
    )
    assert (Role.mcn, LiabilityKind.as_promised) in {(p.role, p.liability) for p in answer.parties}
    (refund,) = answer.remedies
    assert refund.owed_by == [Role.mcn]


def test_shared_fault_apportions_the_loss():
    answer = _answer(
        **SHOP,
        defect="unsafe",
        personal_injury=True,
        loss_fen=100000,
        consumer_fault_pct=25,
        price_paid_fen=1000,
    )
    (loss,) = [r for r in answer.remedies if r.kind is RemedyKind.loss]
    assert loss.amount_fen == 75000 and "25%" in loss.arithmetic


def test_every_note_quotes_its_article_and_has_examples_that_hold():
    for rule in remedies.note_rules():
        assert [p for b in rule.legal_basis if (p := quote_problem(b))] == [], rule.id
        for example in rule.examples:
            view = conditions.view_of(
                CaseFacts.model_validate(example.facts), example.today or TODAY
            )
            assert conditions.all_of(rule.when, view).fires is example.fires, rule.id


def test_a_code_book_is_cited_by_the_codes_name():
    assert get_law("民法典·合同编").title == "中华人民共和国民法典"
    assert get_law("药品管理法").article(144).startswith("药品上市许可持有人")


def test_the_parties_named_are_those_claimed_against_the_rest_listed_apart():
    answer = _answer(**BAD_FOOD, seller_knew_below_standard=True, claimed_against=["seller"])
    assert [p.role for p in answer.parties] == [Role.seller]
    assert [p.role for p in answer.also_liable] == [Role.producer]
    assert "依法也可以要求其承担责任" in answer.text_zh


def test_a_knowing_buyers_ten_times_runs_on_a_reasonable_quantity():
    answer = _answer(
        **SHOP,
        category="food",
        sold_past_shelf_life=True,
        seller_is_producer=True,
        buyer_knew_below_standard=True,
        quantity=100,
        reasonable_quantity=10,
        price_paid_fen=500000,
    )
    (damages,) = [r for r in answer.remedies if r.kind is RemedyKind.food_damages]
    assert damages.amount_fen == 500000
    assert "5,000.00元÷100×10=500.00元" in damages.arithmetic
