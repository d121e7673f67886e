"""Order brushing by concentration: hand-made cases at the boundaries, the Shopee output,
and agreement with a slow reference that tries every one-hour interval."""

from __future__ import annotations

import random
from decimal import Decimal

import duckdb
import pytest

from liveguard.integrity import brushing

H = 3600


def run(orders, threshold=Decimal(3)):
    """orders: (order_no, shop, buyer, seconds)."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE b_orders (order_no VARCHAR, shop BIGINT, buyer BIGINT, us BIGINT)"
    )
    connection.executemany(
        "INSERT INTO b_orders VALUES (?, ?, ?, ?)",
        [(o, s, b, t * 1_000_000) for o, s, b, t in orders],
    )
    return connection, brushing.detect(connection, threshold=threshold)


def suspects(orders, threshold=Decimal(3)):
    return {r.shop: r.suspicious for r in run(orders, threshold)[1]}


def reference(orders, threshold=3):
    """Every interval [s, s + 1 h], s on a half-minute grid (times are whole minutes, so
    the orders an interval holds change only on whole minutes)."""
    found = {}
    for shop in {o[1] for o in orders}:
        own = [o for o in orders if o[1] == shop]
        inside = set()
        s2 = 2 * (min(o[3] for o in own) - H)
        while s2 <= 2 * max(o[3] for o in own):
            held = [o for o in own if s2 <= 2 * o[3] <= s2 + 2 * H]
            if held and len(held) >= threshold * len({o[2] for o in held}):
                inside |= {o[0] for o in held}
            s2 += 60
        if inside:
            counts = {}
            for o in own:
                if o[0] in inside:
                    counts[o[2]] = counts.get(o[2], 0) + 1
            top = max(counts.values())
            found[shop] = sorted(b for b, n in counts.items() if n == top)
    return found


def test_three_orders_by_one_buyer_within_the_hour_are_brushing():
    assert suspects([("a", 1, 7, 0), ("b", 1, 7, 1800), ("c", 1, 7, 3600)]) == {1: [7]}


def test_an_interval_is_closed_at_both_ends_so_one_second_more_is_not_brushing():
    assert suspects([("a", 1, 7, 0), ("b", 1, 7, 1800), ("c", 1, 7, 3601)]) == {}


def test_an_interval_ending_at_an_order_counts_not_only_one_starting_at_one():
    # From A's first order the hour also holds B's and C's (4 / 3); the hour that ends at
    # A's third order holds A's three alone.
    orders = [("x", 1, 2, 0), ("a1", 1, 1, 1000), ("a2", 1, 1, 2000), ("a3", 1, 1, 3000)]
    orders += [("y", 1, 3, 4500), ("z", 1, 4, 4600)]
    assert suspects(orders) == {1: [1]}


def test_an_interval_open_just_after_a_crowded_second_counts():
    # At 0 three other buyers pay once each, and three more at 1:01. Every hour starting at
    # an order or ending at one holds A's three with three others (6 / 4); an hour starting
    # just after 0 holds A's three alone.
    orders = [(f"o{b}", 1, b, 0) for b in (2, 3, 4)]
    orders += [("a1", 1, 1, 60), ("a2", 1, 1, 120), ("a3", 1, 1, 3600)]
    orders += [(f"p{b}", 1, b, 3660) for b in (5, 6, 7)]
    assert suspects(orders) == reference(orders) == {1: [1]}


def test_ties_name_every_buyer_ascending_and_share_is_each_ones():
    orders = [(f"a{i}", 5, 30, i * 60) for i in range(3)] + [
        (f"b{i}", 5, 4, i * 60 + 5) for i in range(3)
    ]
    _, results = run(orders)
    [result] = results
    assert result.suspicious == [4, 30]
    assert result.share == pytest.approx(0.5)


def test_the_threshold_is_data():
    orders = [("a", 1, 7, 0), ("b", 1, 7, 60), ("c", 1, 8, 120)]
    assert suspects(orders) == {}
    assert suspects(orders, threshold=Decimal("1.5")) == {1: [7]}


def test_shopee_output_lists_every_shop_with_zero_for_none():
    orders = [("a", 2, 9, 0), ("b", 2, 9, 10), ("c", 2, 9, 20), ("d", 1, 5, 0)]
    connection, results = run(orders)
    assert brushing.shopee_rows(connection, results) == ["shopid,userid", "1,0", "2,9"]


def test_it_agrees_with_trying_every_interval():
    # 300 small random cases, boundaries likely (orders an hour apart, a minute more), each
    # in shops of its own, so one run of the detector answers them all.
    rng = random.Random(20261207)
    orders = []
    for case in range(300):
        orders += [
            (
                f"c{case}-{i}",
                10 * case + rng.randint(1, 2),
                rng.randint(1, 4),
                60 * rng.choice([0, 30, 60, 61, 120, rng.randint(0, 150)]),
            )
            for i in range(rng.randint(1, 12))
        ]
    assert suspects(orders) == reference(orders)
