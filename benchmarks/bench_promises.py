#!/usr/bin/env python
"""Benchmark of the daily promise check's first step: picking the orders to look at.

    .venv/bin/python benchmarks/bench_promises.py            # full: 200,000 orders
    .venv/bin/python benchmarks/bench_promises.py --quick    # smoke: 20,000 orders

A year of orders on SQLite in a temp dir (the migrations build the schema; rows go in
with Core executemany, not through the services, which would also write the ledger):
each order has a ship-by promise ten days after payment; 1 % are never shipped, the rest
are shipped in time. The check runs for the day after the last date.

Timed, rounds interleaved, medians printed with their ratio (no target: the figure shows
why the pick is done in SQL):
  1. breaches.orders_with_promises_due: the orders whose promises stand broken, in SQL
     (the shipped 99 % are left in the database).
  2. baseline: every order with a due, unflagged promise, each one's promises and status
     changes read and judged by promises.breaches, as a check without the SQL test
     would have to, every day, for every order ever promised a date.
Both must find the same orders; the script exits 1 if they do not.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _report import median, pin, section, table
from sqlalchemy import insert, select

from liveguard import migrations
from liveguard.clock import CHINA
from liveguard.db import make_engine, make_session_factory
from liveguard.trade import breaches, promises
from liveguard.trade.models import DeliveryPromise, Order, OrderEvent, PromiseBreach

FIRST_DAY = date(2025, 6, 1)


def build(url: str, count: int, seed: int) -> tuple[date, set[int]]:
    """The year of orders; returns the day to check and the ids of the broken ones."""
    rng = random.Random(seed)
    engine = make_engine(url)
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run(
            "INSERT INTO platforms (id, code, name, operator_name, credit_code, created_at,"
            " updated_at) VALUES (1, 'p', 'P', 'P Co.', '91330106MA2H3KXX1H', '2025-01-01',"
            " '2025-01-01')"
        )
        run(
            "INSERT INTO merchants (id, platform_id, name, shop_name, credit_code,"
            " legal_representative, address, contact_phone_enc, contact_phone_masked,"
            " licence_valid_from, categories, self_operated, status, deposit_balance_fen,"
            " created_at, updated_at) VALUES (1, 1, 'M', 'M', '91330106MA2H3KXX1H', 'C', 'A',"
            " 'x', '139****0000', '2020-01-01', '[]', 0, 'active', 0, '2025-01-01',"
            " '2025-01-01')"
        )
        run(
            "INSERT INTO consumers (id, nickname, phone_enc, phone_index, phone_masked,"
            " created_at, updated_at) VALUES (1, 'b', 'x', 'i', '139****0000', '2025-01-01',"
            " '2025-01-01')"
        )
        run(
            "INSERT INTO listings (id, merchant_id, title, description, category, price_fen,"
            " shipping_fee_fen, stock, label, store_terms, status, version, awaiting_decision,"
            " created_at, updated_at) VALUES (1, 1, 'aircon', '', 'appliances', 199900, 0, 0,"
            " '{}', '', 'on_sale', 1, 0, '2025-01-01', '2025-01-01')"
        )
        orders, promised, events, broken = [], [], [], set()
        for n in range(1, count + 1):
            day = FIRST_DAY + timedelta(days=rng.randrange(365))
            paid = datetime.combine(day, datetime.min.time(), CHINA) + timedelta(
                minutes=rng.randrange(24 * 60)
            )
            due = day + timedelta(days=10)
            orders.append(
                {
                    "id": n,
                    "order_no": f"B{n}",
                    "consumer_id": 1,
                    "merchant_id": 1,
                    "listing_id": 1,
                    "listing_version": 1,
                    "quantity": 1,
                    "unit_price_fen": 199900,
                    "amount_paid_fen": 199900,
                    "paid_at": paid,
                    "status": "paid" if n % 100 == 0 else "shipped",
                    "ledger_seq": 0,
                    "created_at": paid,
                    "updated_at": paid,
                }
            )
            promised.append(
                {
                    "order_id": n,
                    "kind": "ship_by",
                    "due_on": due,
                    "holds_until": promises.end_of(due),
                    "source": "listing",
                    "said_at": paid,
                    "actor": "bench",
                    "recorded_at": paid,
                    "ledger_seq": 0,
                }
            )
            if n % 100 == 0:
                broken.add(n)
            else:
                events.append(
                    {
                        "order_id": n,
                        "from_status": "paid",
                        "to_status": "shipped",
                        "occurred_at": paid + timedelta(days=rng.randrange(10)),
                        "actor": "bench",
                        "recorded_at": paid,
                        "ledger_seq": 0,
                    }
                )
        connection.execute(insert(Order), orders)
        connection.execute(insert(DeliveryPromise), promised)
        connection.execute(insert(OrderEvent), events)
    engine.dispose()
    return FIRST_DAY + timedelta(days=365 + 11), broken


def naive(db_session, day: date) -> set[int]:
    """The baseline: judge every order with a due promise not yet flagged, in Python."""
    flagged = select(PromiseBreach.promise_id)
    due = select(DeliveryPromise.order_id).where(
        DeliveryPromise.due_on < day, DeliveryPromise.id.not_in(flagged)
    )
    found = set()
    for order_id in db_session.scalars(due.distinct()):
        rows = db_session.scalars(
            select(DeliveryPromise).where(DeliveryPromise.order_id == order_id)
        ).all()
        changes = db_session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order_id)
        ).all()
        if promises.breaches(
            day=day,
            promises=[
                promises.Promise(p.id, p.kind, p.due_on, p.said_at, p.replaces_id) for p in rows
            ],
            changes=[promises.StatusChange(c.to_status, c.occurred_at) for c in changes],
        ):
            found.add(order_id)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 orders, 2 rounds")
    parser.add_argument("--orders", type=int, help="orders in the year (200,000)")
    parser.add_argument("--rounds", type=int, help="rounds (3; quick 2)")
    parser.add_argument("--core", type=int, help="core to pin to (default: the last one)")
    parser.add_argument("--seed", type=int, default=20260528)
    args = parser.parse_args()
    count = args.orders or (20_000 if args.quick else 200_000)
    rounds = args.rounds or (2 if args.quick else 3)
    print(
        f"LiveGuard promise-check benchmark: python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, {pin(args.core)}; {count:,} orders, {rounds} rounds"
    )
    print(f"liveguard from {Path(promises.__file__).parent.parent}")
    with tempfile.TemporaryDirectory(prefix="liveguard-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        migrations.upgrade(url)
        day, broken = build(url, count, args.seed)
        print(f"  built in {time.perf_counter() - started:.1f} s (not timed); checking {day}")
        factory = make_session_factory(make_engine(url))

        def sql_pick() -> set[int]:
            with factory() as session:
                return {
                    o.id for o in breaches.orders_with_promises_due(db_session=session, day=day)
                }

        def baseline() -> set[int]:
            with factory() as session:
                return naive(session, day)

        section("orders picked for the check")
        times: dict[str, list[float]] = {"sql pick": [], "baseline": []}
        agreed = True
        for r in range(rounds):
            for name, fn in (("sql pick", sql_pick), ("baseline", baseline)):
                gc.collect()
                started = time.perf_counter()
                found = fn()
                times[name].append(time.perf_counter() - started)
                agreed = agreed and found == broken
            print(
                f"  round {r + 1}/{rounds}: "
                + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in times.items()),
                flush=True,
            )
        pick, base = median(times["sql pick"]), median(times["baseline"])
        table(
            ["what", "median", "orders read", "vs baseline"],
            [
                [
                    "sql pick",
                    f"{pick * 1000:.1f} ms",
                    f"{len(broken):,}",
                    f"{base / pick:.0f}x faster",
                ],
                ["baseline", f"{base * 1000:.1f} ms", f"{count:,}", "1x"],
            ],
        )
        print(f"  both found the {len(broken):,} broken orders: {'yes' if agreed else 'NO'}")
    return 0 if agreed else 1


if __name__ == "__main__":
    sys.exit(main())
