"""Listing review checks, one behaviour per test, on the example base of review.yaml."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from liveguard.catalog.checks import (
    ListingFacts,
    Problem,
    Verdict,
    add_months,
    render,
    verdict,
    yuan,
)
from liveguard.vocab import Severity
from tests.unit.catalog.helpers import base_now, days_before, facts


def checks(reviewer, **changes) -> list[str]:
    return [p.check for p in reviewer.review(facts(**changes))]


def only(reviewer, check: str, **changes) -> Problem:
    (problem,) = [p for p in reviewer.review(facts(**changes)) if p.check == check]
    return problem


# --- small helpers --------------------------------------------------------------------


def test_yuan_formats_fen_without_floats():
    assert [yuan(1), yuan(99900), yuan(12345), yuan(0)] == ["0.01", "999.00", "123.45", "0.00"]


def test_render_adds_yuan_slots_for_fen_amounts_and_joins_lists():
    text = render("{fee_yuan} / {names}", {"fee_fen": 99900, "names": ["甲", "乙"]}, "、")
    assert text == "999.00 / 甲、乙"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 11, 15), 3, date(2025, 2, 15)),
        (date(2024, 3, 1), 12, date(2025, 3, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month(day, months, expected):
    assert add_months(day, months) == expected


def test_facts_refuse_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(facts(), now=datetime(2025, 3, 15, 12))
    with pytest.raises(ValueError, match="price_history"):
        replace(facts(), price_history=[(datetime(2025, 3, 14), 9900)])


def test_today_is_the_date_in_china():
    late_utc = datetime.fromisoformat("2025-03-14T17:30:00+00:00")  # 01:30 on the 15th in China
    assert replace(facts(), now=late_utc).today == date(2025, 3, 15)


# --- the verdict ----------------------------------------------------------------------


def _problem(severity: Severity) -> Problem:
    return Problem("x.y", severity, "信息", None, ())


@pytest.mark.parametrize(
    ("severities", "expected"),
    [
        ([], Verdict.approve),
        ([Severity.low], Verdict.approve),
        ([Severity.low, Severity.medium], Verdict.changes_requested),
        ([Severity.medium, Severity.high], Verdict.reject),
        ([Severity.critical], Verdict.reject),
    ],
)
def test_the_verdict_follows_the_worst_severity(severities, expected):
    assert verdict([_problem(s) for s in severities]) is expected


# --- "three-no" -----------------------------------------------------------------------


def test_it_reports_each_missing_label_field_with_the_category_basis(reviewer):
    problems = [
        p
        for p in reviewer.review(facts(label={"licence_number": None, "shelf_life": "无"}))
        if p.check == "three_no.missing_field"
    ]
    assert [p.field for p in problems] == ["label.licence_number", "label.shelf_life"]
    assert problems[0].legal_basis[0].law == "食品安全法"
    assert "生产许可证编号" in problems[0].message and "食品" in problems[0].message


def test_apparel_needs_no_production_date_or_licence(reviewer):
    label = {"licence_number": None, "production_date": None, "shelf_life": None}
    label["standard_number"] = None
    assert checks(reviewer, category="apparel", merchant_documents=[], label=label) == []


def test_a_food_licence_must_be_sc_and_14_digits(reviewer):
    problem = only(reviewer, "three_no.bad_licence_number", label={"licence_number": "SC123"})
    assert problem.evidence["value"] == "SC123"
    assert "SC" in problem.message and "14" in problem.message


def test_a_full_width_licence_number_is_the_same_number(reviewer):
    assert checks(reviewer, label={"licence_number": "ＳＣ１１８３４０２０３００５６７"}) == []


def test_a_production_date_today_is_fine_and_tomorrow_is_not(reviewer):
    assert checks(reviewer, label={"production_date": "2025-03-15"}) == []
    problem = only(
        reviewer, "three_no.future_production_date", label={"production_date": "2025-03-16"}
    )
    assert problem.evidence == {"production_date": "2025-03-16", "today": "2025-03-15"}


@pytest.mark.parametrize(
    ("produced", "shelf_life", "expired"),
    [
        ("2024-09-16", "180天", False),  # expires 2025-03-15, today: still on sale
        ("2024-09-15", "180天", True),  # expired yesterday
        ("2024-03-15", "12个月", False),
        ("2024-03-14", "12个月", True),
        ("2024-03-14", "十二个月", True),
        ("2023-03-15", "2年", False),
        ("2023-03-14", "2年", True),
        ("2025-01-04", "10周", False),
        ("2025-01-03", "10周", True),
    ],
)
def test_expiry_counts_days_months_and_years(reviewer, produced, shelf_life, expired):
    found = checks(reviewer, label={"production_date": produced, "shelf_life": shelf_life})
    assert ("three_no.expired" in found) is expired


def test_six_months_and_180_days_are_not_the_same_shelf_life(reviewer):
    # made 2024-09-15: six months run to 2025-03-15 (today), 180 days to 2025-03-14
    made = {"production_date": "2024-09-15"}
    assert checks(reviewer, label={**made, "shelf_life": "6个月"}) == []
    assert checks(reviewer, label={**made, "shelf_life": "180天"}) == ["three_no.expired"]


def test_an_expired_product_says_when_it_expired(reviewer):
    problem = only(
        reviewer, "three_no.expired", label={"production_date": "2024-01-10", "shelf_life": "8个月"}
    )
    assert problem.severity is Severity.critical
    assert problem.evidence["expiry_date"] == "2024-09-10"
    assert "2024-09-10" in problem.message


def test_an_unreadable_shelf_life_is_a_format_problem_not_an_expiry(reviewer):
    assert checks(reviewer, label={"shelf_life": "长期有效"}) == ["three_no.bad_format"]


# --- qualifications -------------------------------------------------------------------


def test_unknown_merchant_documents_are_not_checked(reviewer):
    assert checks(reviewer, merchant_documents=None) == []


def test_a_missing_qualification_names_the_documents_and_cites_the_category(reviewer):
    problem = only(reviewer, "qualification.missing", merchant_documents=[])
    assert "食品经营许可证或仅销售预包装食品备案" in problem.message
    assert problem.evidence["missing_codes"] == [
        ["food_business_licence", "prepackaged_food_filing"]
    ]
    assert {b.law for b in problem.legal_basis} >= {"电子商务法", "食品安全法"}


# --- price integrity ------------------------------------------------------------------


def test_no_original_price_means_no_price_comparison(reviewer):
    assert checks(reviewer, original_price_fen=None, price_history=[]) == []


def test_a_fake_original_reports_the_lowest_sale_and_when(reviewer):
    history = [[days_before(6), 9900], [days_before(3), 8900], [days_before(1), 9900]]
    problem = only(
        reviewer,
        "price.fake_original",
        price_fen=7900,
        original_price_fen=9900,
        price_history=history,
    )
    assert problem.evidence["lowest_fen"] == 8900
    assert problem.evidence["lowest_at"] == "2025-03-12 12:00"
    assert problem.evidence["compared_with"] == "window"
    assert "89.00" in problem.message and "99.00" in problem.message


def test_a_sale_exactly_seven_days_ago_is_inside_the_window(reviewer):
    history = [[days_before(7), 9500], [days_before(2), 9900]]
    found = checks(reviewer, price_fen=7900, original_price_fen=9900, price_history=history)
    assert found == ["price.fake_original"]


def test_a_sale_a_second_more_than_seven_days_ago_is_outside_it(reviewer):
    history = [[days_before(7, seconds=1), 9500], [days_before(2), 9900]]
    found = checks(reviewer, price_fen=7900, original_price_fen=9900, price_history=history)
    assert found == []


def test_sales_after_now_do_not_count(reviewer):
    history = [[days_before(2), 9900], [days_before(-1), 5900]]
    assert checks(reviewer, price_fen=7900, original_price_fen=9900, price_history=history) == []


def test_without_a_sale_in_the_window_the_last_sale_before_it_counts(reviewer):
    history = [[days_before(30), 6900], [days_before(12), 8900]]
    problem = only(
        reviewer,
        "price.fake_original",
        price_fen=7900,
        original_price_fen=9900,
        price_history=history,
    )
    assert problem.evidence["compared_with"] == "last_before_window"
    assert problem.evidence["lowest_fen"] == 8900
    assert "前七日内没有成交" in problem.message


def test_an_original_price_with_no_sale_at_all_is_unproven(reviewer):
    problem = only(
        reviewer,
        "price.original_unproven",
        price_fen=7900,
        original_price_fen=19900,
        price_history=[],
    )
    assert problem.severity is Severity.medium
    assert verdict([problem]) is Verdict.changes_requested


def test_a_price_raised_in_the_window_then_struck_through_is_flagged(reviewer):
    history = [[days_before(20), 9900], [days_before(9), 9900], [days_before(5), 15900]]
    history.append([days_before(1), 15900])
    problem = only(
        reviewer,
        "price.raised_before_discount",
        price_fen=9900,
        original_price_fen=15900,
        price_history=history,
    )
    assert problem.evidence["raised_from_fen"] == 9900
    assert problem.evidence["raised_to_fen"] == 15900
    assert problem.evidence["raised_at"] == "2025-03-10 12:00"


def test_a_rise_long_before_the_window_is_no_raise_before_a_discount(reviewer):
    history = [[days_before(50), 9900], [days_before(40), 15900], [days_before(3), 15900]]
    found = checks(reviewer, price_fen=9900, original_price_fen=15900, price_history=history)
    assert found == []


def test_a_small_rise_is_not_a_marked_rise(reviewer):
    history = [[days_before(12), 10000], [days_before(3), 10900]]
    found = checks(reviewer, price_fen=9900, original_price_fen=10900, price_history=history)
    assert found == []


# --- shipping -------------------------------------------------------------------------


def test_s3_one_cent_with_999_yuan_shipping_is_rejected(reviewer):
    problems = reviewer.review(facts(price_fen=1, shipping_fee_fen=99900))
    problem = next(p for p in problems if p.check == "shipping.excessive")
    assert problem.evidence["limit_fen"] == 3000
    assert "999.00" in problem.message and "0.01" in problem.message
    assert verdict(problems) is Verdict.reject


def test_the_fee_limit_is_the_cap_or_a_share_of_the_price(reviewer):
    assert checks(reviewer, price_fen=990, shipping_fee_fen=3000) == []
    assert checks(reviewer, price_fen=990, shipping_fee_fen=3001) == ["shipping.excessive"]
    assert checks(reviewer, price_fen=9900, shipping_fee_fen=9900) == []


def test_large_appliances_may_charge_large_freight(reviewer):
    found = checks(
        reviewer,
        category="appliances",
        merchant_documents=[],
        price_fen=329900,
        shipping_fee_fen=39900,
    )
    assert found == []


# --- texts ----------------------------------------------------------------------------


def test_a_claim_is_reported_under_its_detect_category_with_the_rule_basis(reviewer):
    problems = reviewer.review(facts(description="每日坚果，吃了能降血压，三高人群必备。"))
    # two claims (能降血压; 三高人群必备, a product for a disease's patients), one category
    assert [p.check for p in problems] == ["claims.medical_claims"] * 2
    problem = problems[0]
    assert problem.field == "description"
    assert problem.legal_basis and problem.evidence["quote"] in "每日坚果，吃了能降血压"
    assert problem.message.startswith("商品描述中的")


def test_prohibited_goods_are_critical(reviewer):
    problem = only(reviewer, "prohibited.tobacco", title="電子煙 一次性 水果味")
    assert problem.severity is Severity.critical and problem.evidence["quote"] == "電子煙"


def test_a_placeholder_marker_on_a_described_page_is_fine(reviewer):
    assert checks(reviewer, title="粉丝福利专拍 松禾每日坚果750g") == []


def test_a_placeholder_marker_on_an_empty_page_is_flagged(reviewer):
    found = checks(
        reviewer, title="粉丝福利专拍", description="福利款", label={"product_name": "福利款"}
    )
    assert found == ["placeholder_link"]


def test_refusing_the_7_day_return_is_unfair_unless_the_goods_are_exempt(reviewer):
    terms = "本品不支持七天无理由退货，坏果包赔。"
    assert checks(reviewer, store_terms=terms) == ["terms.unfair"]
    fresh = {
        "title": "阳山水蜜桃 现摘现发 5斤",
        "category": "agricultural",
        "merchant_documents": [],
    }
    assert checks(reviewer, store_terms=terms, **fresh) == []


def test_one_phrase_that_is_two_kinds_of_unfair_is_reported_once(reviewer):
    problems = reviewer.review(facts(store_terms="特价商品售出概不退换。"))
    assert [p.evidence["entry"] for p in problems] == ["terms.no_returns"]


def test_two_refusal_entries_on_the_same_words_give_one_problem(reviewer):
    problems = reviewer.review(facts(store_terms="拆封后不退不换，请谨慎下单。"))
    assert [(p.check, p.evidence["quote"]) for p in problems] == [
        ("terms.unfair", "拆封后不退不换")
    ]


def test_no_returns_even_on_exempt_goods_is_unfair(reviewer):
    fresh = {
        "title": "阳山水蜜桃 现摘现发 5斤",
        "category": "agricultural",
        "merchant_documents": [],
    }
    assert checks(reviewer, store_terms="售出概不退换。", **fresh) == ["terms.unfair"]


# --- bulk -----------------------------------------------------------------------------


def test_review_many_gives_what_review_gives_one_by_one(reviewer):
    listings = [
        facts(),
        facts(price_fen=1, shipping_fee_fen=99900),
        facts(description="加微信领取优惠券，私聊下单更便宜"),
        facts(store_terms="最终解释权归本店所有"),
        facts(),  # the same texts again: scanned once in a batch
        facts(title="電子煙 一次性", label={"product_name": "电子烟"}),
    ]
    assert reviewer.review_many(listings) == [reviewer.review(f) for f in listings]


def test_review_many_works_across_batches(reviewer):
    many = [facts(price_fen=1 + n, shipping_fee_fen=99900 if n % 2 else 0) for n in range(600)]
    results = reviewer.review_many(many)
    assert [bool(r) for r in results] == [bool(n % 2) for n in range(600)]


def test_an_unknown_category_is_refused(reviewer):
    with pytest.raises(ValueError, match="category 'toys' is unknown"):
        reviewer.review(replace(facts(), category="toys"))


def test_facts_need_now_for_the_price_window():
    assert facts().now == base_now()
    assert isinstance(facts(), ListingFacts)
    assert facts().now - timedelta(days=7) < base_now()
