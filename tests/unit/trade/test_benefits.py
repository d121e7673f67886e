"""Red envelopes, coupons and price protection: the reader runs the data file's examples,
the payout check is walked through a broken, a short, a late and a kept promise, and the
price-protection refund is computed in fen."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from liveguard.clock import CHINA
from liveguard.legal import quote_problem
from liveguard.trade import benefits
from liveguard.trade.enums import BenefitFindingKind, BenefitKind

EXAMPLES = benefits.policy().examples


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


def weekdays(start: date, n: int) -> date:
    """A stand-in calendar for the unit tests: Monday to Friday."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.text for e in EXAMPLES])
def test_the_reader_finds_what_each_example_promises(example):
    assert benefits.as_expected(benefits.read(example.text)) == example.expect


def test_every_finding_quotes_its_articles_verbatim():
    bases = [b for f in benefits.policy().findings for b in f.legal_basis]
    assert bases and all(quote_problem(b) is None for b in bases)


ENVELOPES = benefits.Terms(
    BenefitKind.red_envelope,
    "40个红包，每个1-5元，10个工作日到账",
    count=40,
    min_fen=100,
    max_fen=500,
    working_days=10,
)
PAID_ON = date(2026, 6, 1)  # a Monday: ten weekdays later is Monday 15 June


def judged(payouts, day):
    return benefits.check_payout(
        terms=ENVELOPES, paid_on=PAID_ON, payouts=payouts, day=day, add_working_days=weekdays
    )


def test_nothing_is_flagged_on_the_due_day_itself():
    assert judged([], date(2026, 6, 15)) is None


def test_nothing_paid_is_missing_the_day_after_the_due_day():
    verdict = judged([], date(2026, 6, 16))
    assert verdict is not None
    assert (verdict.kind, verdict.due_on, verdict.found_on, verdict.owed_fen) == (
        BenefitFindingKind.payout_missing,
        date(2026, 6, 15),
        date(2026, 6, 16),
        4000,
    )


def test_forty_envelopes_worth_ten_yuan_are_short_of_forty_times_one_yuan():
    verdict = judged([benefits.Payout(at("2026-06-10 12:00"), 40, 1000)], date(2026, 6, 16))
    assert verdict is not None
    assert (verdict.kind, verdict.owed_fen) == (BenefitFindingKind.payout_short, 3000)


def test_everything_paid_after_the_day_is_late_and_owes_nothing_more():
    verdict = judged([benefits.Payout(at("2026-06-16 00:01"), 40, 4000)], date(2026, 6, 17))
    assert verdict is not None
    assert (verdict.kind, verdict.found_on, verdict.owed_fen) == (
        BenefitFindingKind.payout_late,
        date(2026, 6, 16),
        0,
    )


def test_paid_in_full_by_23_59_on_the_day_is_kept():
    assert judged([benefits.Payout(at("2026-06-15 23:59"), 40, 4000)], date(2026, 6, 20)) is None


PRICES = [(at("2026-04-01 00:00"), 199900), (at("2026-05-03 10:00"), 179900)]


def test_a_cut_inside_the_term_owes_the_difference_times_the_quantity():
    cut = benefits.price_protection_owed(
        unit_price_fen=199900,
        quantity=2,
        paid_at=at("2026-05-01 20:15"),
        protect_days=30,
        prices=PRICES,
    )
    assert cut is not None and (cut.new_unit_fen, cut.owed_fen) == (179900, 40000)


def test_a_cut_after_the_term_owes_nothing():
    assert (
        benefits.price_protection_owed(
            unit_price_fen=199900,
            quantity=1,
            paid_at=at("2026-05-01 20:15"),
            protect_days=1,
            prices=PRICES,
        )
        is None
    )


def test_a_buyer_who_paid_the_lower_price_is_owed_nothing():
    assert (
        benefits.price_protection_owed(
            unit_price_fen=179900,
            quantity=1,
            paid_at=at("2026-05-01 20:15"),
            protect_days=30,
            prices=PRICES,
        )
        is None
    )
