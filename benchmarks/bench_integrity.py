#!/usr/bin/env python
"""Benchmark of the trade integrity detectors and the bulk order import, on one core.

    .venv/bin/python benchmarks/bench_integrity.py            # full: 1,000,000 orders
    .venv/bin/python benchmarks/bench_integrity.py --quick    # smoke: 100,000 orders

One month of orders made with numpy from a seed: 20,000 shops of log-normal volume,
100,000 buyers, an evening peak, 1 % of shops brushing in bursts, 60 rings of 6-12
accounts paying in the same minutes across 6 shops each. Written once as CSV and Parquet.
Each measure runs in a forked child pinned to one core (DuckDB ``threads = 1``); the peak
memory printed is the child's max RSS (DuckDB's memory included, and the parent's pages
the child maps, the generated orders among them: compare rows with each other).

Timed, medians of the rounds, each beside a baseline in the same process:
  1. brushing (integrity/brushing.py: the distinct count only where a buyer has three
     orders in an hour) vs the same rule as one plain window query over every order and
     every breakpoint. Both must name the same buyers; the script exits 1 if not.
     Target: under 2 s for 1,000,000 orders.
  2. lockstep (integrity/lockstep.py) vs the pairing step (cells, pairs meeting in three
     shops) in plain Python dictionaries. Target: under 30 s for 1,000,000 orders.
  3. import (trade/order_import.py: checked in DuckDB by trade/order_checks.py, the valid
     rows stored in SQLite in batches of 50,000) from CSV and from Parquet, rows/s, vs
     DuckDB reading the same file into a table with no checks (the floor: what parsing
     alone costs in a columnar engine), and vs raw sqlite3 executemany of the same number
     of prepared rows into the same table (the floor of storing them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import duckdb
import numpy as np
from _report import median, pin, rate, section, table

HOUR_US = 3_600_000_000
START_US = 1_748_736_000_000_000  # 2025-06-01 00:00 UTC


def make_orders(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    shops, buyers = 20_000, 100_000
    n_base = n - 8_000  # room for the brushing bursts and the rings, added below
    volume = rng.lognormal(0, 1.0, shops)
    shop = rng.choice(shops, size=n_base, p=volume / volume.sum()) + 1
    # most buyers buy now and then, a few very often
    buyer = np.where(
        rng.random(n_base) < 0.2, rng.zipf(1.8, n_base) % buyers, rng.integers(0, buyers, n_base)
    ).astype(np.int64)
    hours = np.clip(rng.normal(20, 3.5, n_base), 0, 23.99)
    day = rng.integers(0, 30, n_base)
    us = START_US + day * 24 * HOUR_US + (hours * HOUR_US).astype(np.int64)
    parts = [(shop, buyer, us)]
    # brushing: 1 % of shops, bursts of 3-9 orders by 1-3 accounts within 10-55 minutes
    brushers = rng.choice(shops, shops // 100, replace=False) + 1
    for s in brushers:
        start = START_US + int(rng.integers(0, 30)) * 24 * HOUR_US + 20 * HOUR_US
        for fake in range(int(rng.integers(1, 4))):
            k = int(rng.integers(3, 10))
            parts.append(
                (
                    np.full(k, s),
                    np.full(k, buyers + int(s) * 4 + fake),
                    start + rng.integers(0, int(rng.integers(10, 56)) * 60_000_000, k),
                )
            )
    # rings: 60 groups paying within minutes across 6 shops each
    for r in range(60):
        members = np.arange(10 * buyers + r * 20, 10 * buyers + r * 20 + int(rng.integers(6, 13)))
        for s in rng.choice(shops, 6, replace=False) + 1:
            start = START_US + int(rng.integers(0, 30 * 24)) * HOUR_US
            parts.append(
                (
                    np.full(len(members), s),
                    members,
                    start + rng.integers(0, 6 * 60_000_000, len(members)),
                )
            )
    shop_all = np.concatenate([p[0] for p in parts])[:n].astype(np.int64)
    buyer_all = np.concatenate([p[1] for p in parts])[:n].astype(np.int64)
    us_all = np.concatenate([p[2] for p in parts])[:n].astype(np.int64)
    order = rng.permutation(len(shop_all))
    return {
        "order_no": np.char.add("o", np.arange(len(order)).astype(str)).astype(object),
        "shop": shop_all[order],
        "buyer": buyer_all[order].astype(str).astype(object),
        "us": us_all[order],
    }


def connection_with(orders: dict[str, np.ndarray]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET threads = 1")
    connection.execute("SET enable_progress_bar = false")
    frame = orders  # noqa: F841 - DuckDB reads the dict of arrays by its name
    connection.execute("CREATE TABLE b_orders AS SELECT * FROM frame")
    return connection


def in_child(work: Callable[[], Any]) -> tuple[Any, float]:
    """Run ``work`` in a forked child; its result and the child's peak RSS in MB."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            result = work()
            payload = json.dumps({"ok": result}).encode()
        except Exception as error:  # reported by the parent
            payload = json.dumps({"error": repr(error)}).encode()
        with os.fdopen(write, "wb") as stream:
            stream.write(payload)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        payload = stream.read()
    _, _, usage = os.wait4(pid, 0)
    answer = json.loads(payload)
    if "error" in answer:
        raise RuntimeError(answer["error"])
    return answer["ok"], usage.ru_maxrss / 1024


# --- 1. brushing ----------------------------------------------------------------------------


def brushing_fast(orders: dict[str, np.ndarray]) -> dict[str, Any]:
    from liveguard.integrity import brushing

    connection = connection_with(orders)
    started = time.perf_counter()
    results = brushing.detect(connection)
    seconds = time.perf_counter() - started
    return {"s": seconds, "found": {str(r.shop): sorted(map(str, r.suspicious)) for r in results}}


BASELINE_BRUSHING = """
WITH points AS (SELECT DISTINCT shop, us AS b FROM b_orders
                UNION SELECT DISTINCT shop, us - $w FROM b_orders),
rows AS (SELECT shop, 2 * us AS pos, buyer, order_no FROM b_orders
         UNION ALL SELECT shop, 2 * b, NULL, NULL FROM points
         UNION ALL SELECT shop, 2 * b + 1, NULL, NULL FROM points),
counted AS (SELECT shop, pos, order_no, count(buyer) OVER f AS n, count(DISTINCT buyer) OVER f AS d
            FROM rows WINDOW f AS (PARTITION BY shop ORDER BY pos
                                   RANGE BETWEEN CURRENT ROW AND 2 * $w FOLLOWING)),
brushing AS (SELECT shop, pos AS lo, pos + 2 * $w AS hi FROM counted
             WHERE order_no IS NULL AND d > 0 AND n >= 3 * d),
inside AS (SELECT DISTINCT o.shop, o.order_no, o.buyer FROM b_orders o
           JOIN brushing b ON o.shop = b.shop AND 2 * o.us BETWEEN b.lo AND b.hi),
per AS (SELECT shop, buyer, count(*) AS k FROM inside GROUP BY ALL)
SELECT shop, list(buyer ORDER BY buyer) FROM per
QUALIFY k = max(k) OVER (PARTITION BY shop) GROUP BY shop, k
"""


def brushing_baseline(orders: dict[str, np.ndarray]) -> dict[str, Any]:
    connection = connection_with(orders)
    started = time.perf_counter()
    rows = connection.execute(
        "SELECT shop, list(buyer ORDER BY buyer) FROM ("
        + BASELINE_BRUSHING.replace(
            "SELECT shop, list(buyer ORDER BY buyer) FROM per\n"
            "QUALIFY k = max(k) OVER (PARTITION BY shop) GROUP BY shop, k",
            "SELECT shop, buyer FROM per QUALIFY k = max(k) OVER (PARTITION BY shop)",
        )
        + ") GROUP BY shop",
        {"w": HOUR_US},
    ).fetchall()
    seconds = time.perf_counter() - started
    return {"s": seconds, "found": {str(s): sorted(map(str, b)) for s, b in rows}}


# --- 2. lockstep ----------------------------------------------------------------------------


def lockstep_fast(orders: dict[str, np.ndarray]) -> dict[str, Any]:
    from liveguard.integrity import lockstep
    from liveguard.integrity.rules import rules
    from liveguard.integrity.service import lockstep_params

    connection = connection_with(orders)
    started = time.perf_counter()
    groups = lockstep.detect(connection, lockstep_params(rules()))
    seconds = time.perf_counter() - started
    pairs = connection.execute("SELECT count(*) FROM l_pairs").fetchone()
    return {"s": seconds, "groups": len(groups), "pairs": pairs[0] if pairs else 0}


def lockstep_baseline(orders: dict[str, np.ndarray]) -> dict[str, Any]:
    """Steps 1-3 (cells, crowd cap, pairs in 3+ shops) in plain Python dictionaries."""
    from liveguard.integrity.rules import rules

    found = rules().lockstep
    window = found.window_minutes * 60_000_000
    started = time.perf_counter()
    cells: dict[tuple[int, int, int], set[str]] = defaultdict(set)
    for shop, buyer, us in zip(
        orders["shop"].tolist(), orders["buyer"].tolist(), orders["us"].tolist(), strict=True
    ):
        cells[(shop, 0, us // window)].add(buyer)
        cells[(shop, 1, (us + window // 2) // window)].add(buyer)
    met: dict[tuple[str, str], set[int]] = defaultdict(set)
    for (shop, _, _), buyers in cells.items():
        if 2 <= len(buyers) <= found.crowd:
            ordered = sorted(buyers)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    met[(a, b)].add(shop)
    pairs = sum(1 for shops in met.values() if len(shops) >= found.pair_shops)
    return {"s": time.perf_counter() - started, "pairs": pairs}


# --- 3. import ------------------------------------------------------------------------------


def import_file(path: str, fmt: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, insert
    from sqlalchemy.orm import Session

    from liveguard import migrations
    from liveguard.privacy.fields import FieldCipher
    from liveguard.trade import order_import
    from liveguard.trade.models import OrderImport

    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/bench.db"
    migrations.upgrade(url)
    engine = create_engine(url)  # no foreign-key pragma: the shops are not in this database
    cipher = FieldCipher(encryption_key=b"k" * 32, index_key=b"i" * 32)
    with Session(engine) as db_session:
        import_id = db_session.execute(
            insert(OrderImport)
            .values(
                file_name="bench",
                file_format=fmt,
                sha256="0" * 64,
                rows_read=0,
                rows_stored=0,
                rows_refused=0,
                imported_at=datetime.now(UTC),
                actor="bench",
            )
            .returning(OrderImport.id)
        ).scalar_one()
        batch = db_session.get(OrderImport, import_id)
        assert batch is not None
        started = time.perf_counter()
        tally = order_import.store(
            db_session=db_session,
            path=Path(path),
            fmt=fmt,
            cipher=cipher,
            merchants=frozenset(range(1, 20_001)),
            batch=batch,
        )
        db_session.commit()
        seconds = time.perf_counter() - started
    return {"s": seconds, "rows": tally.rows_stored, "refused": tally.rows_refused}


def import_baseline(path: str, fmt: str) -> dict[str, Any]:
    connection = duckdb.connect()
    connection.execute("SET threads = 1")
    connection.execute("SET enable_progress_bar = false")
    reader = "read_parquet(?)" if fmt == "parquet" else "read_csv(?, header = true)"
    started = time.perf_counter()
    connection.execute(f"CREATE TABLE t AS SELECT * FROM {reader}", [path])
    rows = connection.execute("SELECT count(*) FROM t").fetchone()
    return {"s": time.perf_counter() - started, "rows": rows[0] if rows else 0}


def sqlite_floor(orders: dict[str, np.ndarray]) -> dict[str, Any]:
    """Raw sqlite3 ``executemany`` of the same orders, already prepared as the import's
    rows (times as text, a 64-hex device hash), into the same table and indexes: what
    storing alone costs, with no reading or checking."""
    import sqlite3

    from liveguard import migrations

    folder = tempfile.mkdtemp()
    migrations.upgrade(f"sqlite:///{folder}/floor.db")
    connection = sqlite3.connect(f"{folder}/floor.db")
    connection.execute("PRAGMA cache_size = -65536")
    connection.execute(
        "INSERT INTO trade_order_imports (id, file_name, file_format, sha256, rows_read, "
        "rows_stored, rows_refused, imported_at, actor) "
        "VALUES (1, 'f', 'csv', '0', 0, 0, 0, '2025-06-01 00:00:00.000000', 'bench')"
    )
    paid = [
        datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        for us in orders["us"].tolist()
    ]
    rows = [
        (1, o, s, b, None, None, None, us % 50000, p, None, None, None, "live", f"{b:0>64}")
        for o, s, b, us, p in zip(
            orders["order_no"].tolist(),
            orders["shop"].tolist(),
            orders["buyer"].tolist(),
            orders["us"].tolist(),
            paid,
            strict=True,
        )
    ]
    names = (
        "import_id, order_no, merchant_id, buyer, listing_id, live_session_id, anchor_id, "
        "amount_fen, paid_at, shipped_at, delivered_at, refunded_at, channel, device_hash"
    )
    started = time.perf_counter()
    connection.executemany(
        f"INSERT INTO trade_order_facts ({names}) VALUES ({', '.join('?' * 14)}) "
        "ON CONFLICT (merchant_id, order_no) DO NOTHING",
        rows,
    )
    connection.commit()
    return {"s": time.perf_counter() - started, "rows": len(rows)}


def write_files(orders: dict[str, np.ndarray], folder: Path) -> tuple[str, str]:
    connection = connection_with(orders)
    connection.execute("SET TimeZone = 'UTC'")
    select = (
        "SELECT order_no, shop AS merchant_id, buyer, "
        "strftime(make_timestamp(us), '%Y-%m-%dT%H:%M:%S') || '+00:00' AS paid_at, "
        "(us % 50000)::BIGINT AS amount_fen, 'live' AS channel, 'dev-' || buyer AS device "
        "FROM b_orders"
    )
    csv_path, parquet_path = str(folder / "orders.csv"), str(folder / "orders.parquet")
    connection.execute(f"COPY ({select}) TO '{csv_path}' (HEADER)")
    connection.execute(f"COPY ({select}) TO '{parquet_path}' (FORMAT parquet)")
    return csv_path, parquet_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--quick", action="store_true", help="100,000 orders, one round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--core", type=int, default=None)
    parser.add_argument("--only", choices=("brushing", "lockstep", "import"), default=None)
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    rounds = 1 if args.quick else args.rounds
    print(pin(args.core))
    orders = make_orders(n)
    n = len(orders["us"])
    print(f"{n:,} orders, {len(set(orders['buyer'].tolist())):,} buyers")
    status = 0

    run = {"brushing", "lockstep", "import"} if args.only is None else {args.only}
    if "brushing" in run:
        status |= bench_brushing(orders, n, rounds)
    if "lockstep" in run:
        status |= bench_lockstep(orders, rounds)
    if "import" in run:
        status |= bench_import(orders, n)
    return status


def bench_brushing(orders: dict[str, np.ndarray], n: int, rounds: int) -> int:
    status = 0
    section("1. brushing by concentration (target < 2 s at 1,000,000)")
    fast, base = [], []
    fast_mem = base_mem = 0.0
    for _ in range(rounds):
        result, fast_mem = in_child(lambda: brushing_fast(orders))
        fast.append(result["s"])
        reference, base_mem = in_child(lambda: brushing_baseline(orders))
        base.append(reference["s"])
        if result["found"] != reference["found"]:
            print("  MISMATCH: the two name different buyers")
            status = 1
    table(
        ("run", "median s", "orders/s", "peak MB", "shops found"),
        [
            (
                "brushing.detect",
                f"{median(fast):.2f}",
                rate(n / median(fast)),
                f"{fast_mem:.0f}",
                len(result["found"]),
            ),
            (
                "baseline: plain window query",
                f"{median(base):.2f}",
                rate(n / median(base)),
                f"{base_mem:.0f}",
                len(reference["found"]),
            ),
        ],
    )
    print(f"  ratio baseline / detect: {median(base) / median(fast):.1f}x")
    return status


def bench_lockstep(orders: dict[str, np.ndarray], rounds: int) -> int:
    status = 0
    section("2. lockstep groups (target < 30 s at 1,000,000)")
    fast, base = [], []
    for _ in range(rounds):
        result, fast_mem = in_child(lambda: lockstep_fast(orders))
        fast.append(result["s"])
    reference, base_mem = in_child(lambda: lockstep_baseline(orders))  # slow: once
    base.append(reference["s"])
    if result["pairs"] != reference["pairs"]:
        print(f"  MISMATCH: pairs {result['pairs']} vs {reference['pairs']}")
        status = 1
    table(
        ("run", "median s", "peak MB", "pairs", "groups"),
        [
            (
                "lockstep.detect (all steps)",
                f"{median(fast):.2f}",
                f"{fast_mem:.0f}",
                result["pairs"],
                result["groups"],
            ),
            (
                "baseline: pairing in Python (steps 1-3)",
                f"{median(base):.2f}",
                f"{base_mem:.0f}",
                reference["pairs"],
                "-",
            ),
        ],
    )
    return status


def bench_import(orders: dict[str, np.ndarray], n: int) -> int:
    status = 0
    section("3. import, rows/s (checked and stored in SQLite) vs DuckDB reading the file")
    with tempfile.TemporaryDirectory() as folder:
        csv_path, parquet_path = write_files(orders, Path(folder))
        rows = []
        for fmt, path in (("csv", csv_path), ("parquet", parquet_path)):
            result, memory = in_child(lambda p=path, f=fmt: import_file(p, f))
            floor, floor_memory = in_child(lambda p=path, f=fmt: import_baseline(p, f))
            if result["rows"] != n:
                print(f"  {fmt}: stored {result['rows']} of {n} ({result['refused']} refused)")
                status = 1
            rows.append(
                (f"import {fmt}", f"{result['s']:.1f}", rate(n / result["s"]), f"{memory:.0f}")
            )
            rows.append(
                (
                    f"baseline: DuckDB reads {fmt}",
                    f"{floor['s']:.2f}",
                    rate(n / floor["s"]),
                    f"{floor_memory:.0f}",
                )
            )
        floor, floor_memory = in_child(lambda: sqlite_floor(orders))
        rows.append(
            (
                "baseline: sqlite3 stores the rows",
                f"{floor['s']:.1f}",
                rate(n / floor["s"]),
                f"{floor_memory:.0f}",
            )
        )
        table(("run", "s", "rows/s", "peak MB"), rows)
    return status


if __name__ == "__main__":
    sys.exit(main())
