"""When a delivery promise is broken: the examples in promises.yaml, and the rules by name."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from liveguard.clock import CHINA
from liveguard.legal import quote_problem
from liveguard.trade import promises
from liveguard.trade.models import BreachResolution, OrderStatus, PromiseKind
from liveguard.trade.promises import Promise, StatusChange

POLICY = promises.policy()


def at(text: str) -> datetime:
    """A Beijing wall-clock time: '2026-05-28 23:59'."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


SHIP_28 = Promise(1, PromiseKind.ship_by, date(2026, 5, 28), at("2026-05-01 20:15"))


def flagged(day: str, *promised: Promise, changes=(), already=()) -> list[tuple[int, date]]:
    found = promises.breaches(
        day=date.fromisoformat(day), promises=promised, changes=changes, already=already
    )
    return [(b.promise_id, b.breached_on) for b in found]


@pytest.mark.parametrize("example", POLICY.examples, ids=lambda e: e.name)
def test_each_example_in_the_policy_file_holds(example):
    got = [(b.promise_id, b.breached_on) for b in example.run()]
    assert got == [(e.promise, e.breached_on) for e in example.expect]


def test_every_finding_quotes_its_articles_verbatim():
    for basis in POLICY.all_legal_bases():
        assert quote_problem(basis) is None, basis


def test_it_flags_the_breach_on_the_very_day_after_the_promised_date():
    assert flagged("2026-05-28", SHIP_28) == []
    assert flagged("2026-05-29", SHIP_28) == [(1, date(2026, 5, 29))]


def test_a_promise_holds_until_midnight_beijing_time_not_utc():
    # 23:30 in Beijing is 15:30 UTC the same day; 00:30 on the 29th is still the 28th in UTC.
    assert (
        flagged(
            "2026-05-29",
            SHIP_28,
            changes=[StatusChange(OrderStatus.shipped, at("2026-05-28 23:30"))],
        )
        == []
    )
    late = [StatusChange(OrderStatus.shipped, at("2026-05-29 00:30"))]
    assert flagged("2026-05-29", SHIP_28, changes=late) == [(1, date(2026, 5, 29))]


def test_a_promise_moved_before_it_fell_due_is_not_broken_but_the_new_date_is():
    moved = Promise(2, PromiseKind.ship_by, date(2026, 5, 30), at("2026-05-28 16:00"), 1)
    assert flagged("2026-05-29", SHIP_28, moved) == []
    assert flagged("2026-05-31", SHIP_28, moved) == [(2, date(2026, 5, 31))]


def test_a_promise_moved_after_it_fell_due_stays_broken():
    moved = Promise(2, PromiseKind.ship_by, date(2026, 5, 30), at("2026-05-29 00:00"), 1)
    assert flagged("2026-05-29", SHIP_28, moved) == [(1, date(2026, 5, 29))]


def test_it_never_flags_a_promise_twice():
    assert flagged("2026-06-01", SHIP_28, already={1}) == []


def test_a_cancellation_before_the_date_ends_the_promise_and_one_after_does_not():
    early = [StatusChange(OrderStatus.cancelled, at("2026-05-28 12:00"))]
    late = [StatusChange(OrderStatus.cancelled, at("2026-06-16 21:00"))]
    assert flagged("2026-06-17", SHIP_28, changes=early) == []
    assert flagged("2026-06-17", SHIP_28, changes=late) == [(1, date(2026, 5, 29))]


def test_a_late_status_change_settles_a_breach_by_what_it_is():
    assert (
        promises.resolution(PromiseKind.ship_by, OrderStatus.shipped)
        is BreachResolution.shipped_late
    )
    assert (
        promises.resolution(PromiseKind.ship_by, OrderStatus.delivered)
        is BreachResolution.shipped_late
    )
    assert promises.resolution(PromiseKind.deliver_by, OrderStatus.shipped) is None
    assert (
        promises.resolution(PromiseKind.deliver_by, OrderStatus.delivered)
        is BreachResolution.delivered_late
    )
    assert (
        promises.resolution(PromiseKind.ship_by, OrderStatus.cancelled)
        is BreachResolution.cancelled
    )
    assert (
        promises.resolution(PromiseKind.ship_by, OrderStatus.refunded) is BreachResolution.refunded
    )


def test_each_breach_names_the_finding_for_its_kind():
    deliver = Promise(3, PromiseKind.deliver_by, date(2026, 6, 2), at("2026-05-01 20:15"))
    found = promises.breaches(day=date(2026, 6, 5), promises=[SHIP_28, deliver], changes=[])
    assert [b.finding for b in found] == ["ship_by_missed", "deliver_by_missed"]


def test_a_policy_file_without_a_finding_for_each_kind_is_refused():
    raw = POLICY.model_dump(mode="json")
    raw["findings"] = raw["findings"][:1]
    with pytest.raises(ValueError, match="no finding for"):
        promises.parse(raw, source="broken.yaml")


def test_a_policy_file_with_an_unknown_key_names_where():
    raw = POLICY.model_dump(mode="json")
    raw["findings"][0]["grace_days"] = 2
    with pytest.raises(ValueError, match=r"broken.yaml: findings\.0\.grace_days"):
        promises.parse(raw, source="broken.yaml")


def test_the_buyers_case_summary_names_the_order_the_promised_day_and_the_words():
    rules = promises.policy()
    for kind in PromiseKind:
        summary = rules.finding_for(kind).case_summary.format(
            order_no="S4-7",
            due_on=date(2026, 5, 30),
            breached_on=date(2026, 5, 31),
            said=rules.said_quote.format(quote="30号前发货"),
        )
        assert summary.startswith("订单 S4-7：商家承诺 2026年05月30日 前")
        assert "（30号前发货）" in summary and "2026年05月31日" in summary
