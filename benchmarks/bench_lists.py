#!/usr/bin/env python
"""Benchmark of the staff lists' keyset pages against OFFSET pages, and of the CSV export.

    .venv/bin/python benchmarks/bench_lists.py            # full: 200,000 live findings
    .venv/bin/python benchmarks/bench_lists.py --quick    # smoke: 50,000

One room on SQLite in a temp dir (the migrations build the schema, indexes included; rows
go in with Core executemany). Timed, rounds interleaved, medians printed with ratios:
  1. a page of 50 deep in the list: ``live_service.search_findings`` after a cursor, beside
     the same page read with LIMIT/OFFSET (the baseline a keyset page replaces);
  2. the first page, the same two ways (they should cost the same);
  3. the CSV export of the whole list: rows/s through ``paging.every_row`` and
     ``lists.csv_lines``, beside a bare ``select`` of the same rows.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _report import median, pin, section, table
from sqlalchemy import insert, select

from liveguard import migrations, paging
from liveguard.clock import CHINA
from liveguard.db import make_engine, make_session_factory, table_of
from liveguard.live import service as live_service
from liveguard.web import list_pages, lists

NOW = datetime(2026, 6, 12, 12, 0, tzinfo=CHINA)
PAGE = 50


def build(url: str, count: int, seed: int) -> None:
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
            " credit_measures, created_at, updated_at) VALUES (1, 1, 'M', 'M',"
            " '91330106MA2H3KXX1H', 'C', 'A', 'x', '139****0000', '2020-01-01', '[]', 0,"
            " 'active', 0, '{}', '2025-01-01', '2025-01-01')"
        )
        run(
            "INSERT INTO anchors (id, platform_id, nickname, real_name_enc, real_name_masked,"
            " id_number_enc, id_number_index, id_number_masked, status, created_at,"
            " updated_at) VALUES (1, 1, 'a', 'x', 'a*', 'x', 'i', '1***', 'active',"
            " '2025-01-01', '2025-01-01')"
        )
        run(
            "INSERT INTO live_sessions (id, platform_id, room_code, title, anchor_id,"
            " merchant_id, started_at, peak_viewers, created_at, updated_at) VALUES (1, 1,"
            " 'r', 'room', 1, 1, '2024-06-01', 0, '2024-06-01', '2024-06-01')"
        )
        for start in range(1, count + 1, 50_000):
            chunk = range(start, min(count, start + 49_999) + 1)
            ats = {n: NOW - timedelta(seconds=rng.randrange(730 * 86400)) for n in chunk}
            connection.execute(
                insert(table_of(live_service.LiveEvent)),
                [
                    {"id": n, "session_id": 1, "seq": n, "kind": "utterance", "occurred_at": ats[n]}
                    for n in chunk
                ],
            )
            connection.execute(
                insert(table_of(live_service.LiveFinding)),
                [
                    {
                        "session_id": 1,
                        "event_pk": n,
                        "speaker_role": "anchor",
                        "source": "text",
                        "rule": "diversion.wechat",
                        "category": "diversion",
                        "severity": ("low", "medium", "high")[n % 3],
                        "message": "引导私下交易，请勿加微信付款",
                        "quote": "加微信",
                        "start": 0,
                        "end": 1,
                        "legal_basis": [],
                        "evidence": {},
                        "status": "open",
                        "created_at": ats[n],
                        "ledger_seq": n,
                    }
                    for n in chunk
                ],
            )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 findings")
    parser.add_argument("--rounds", type=int, help="rounds (7; quick 5)")
    parser.add_argument("--core", type=int, help="core to pin to (default: the last one)")
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    count = 50_000 if args.quick else 200_000
    rounds = args.rounds or (5 if args.quick else 7)
    print(
        f"LiveGuard lists benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"{pin(args.core)}; {count:,} findings, {rounds} rounds"
    )
    with tempfile.TemporaryDirectory(prefix="liveguard-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrations.upgrade(url)
        build(url, count, args.seed)
        factory = make_session_factory(make_engine(url))
        filters = paging.ListQuery()
        Finding = live_service.LiveFinding
        depth = count * 9 // 10  # a page near the end of the list
        with factory() as session:
            anchor_row = session.scalars(
                select(Finding)
                .order_by(Finding.created_at.desc(), Finding.id.desc())
                .offset(depth - 1)
                .limit(1)
            ).one()
            cursor = paging.encode_cursor("newest", anchor_row.created_at, anchor_row.id)

        def keyset(after: str | None) -> list[int]:
            with factory() as session:
                page = live_service.search_findings(
                    db_session=session, filters=filters, after=after, limit=PAGE
                )
                return [f.id for f in page.items]

        def offset(skip: int) -> list[int]:
            with factory() as session:
                query = (
                    select(Finding)
                    .order_by(Finding.created_at.desc(), Finding.id.desc())
                    .offset(skip)
                    .limit(PAGE)
                )
                return [f.id for f in session.scalars(query)]

        assert keyset(cursor) == offset(depth), "the keyset page is not the OFFSET page"
        times: dict[str, list[float]] = {k: [] for k in ("deep_k", "deep_o", "first_k", "first_o")}
        for _ in range(rounds):
            for key, call in (
                ("deep_k", lambda: keyset(cursor)),
                ("deep_o", lambda: offset(depth)),
                ("first_k", lambda: keyset(None)),
                ("first_o", lambda: offset(0)),
            ):
                started = time.perf_counter()
                call()
                times[key].append(time.perf_counter() - started)

        section(f"1-2. a page of {PAGE}: keyset (cursor) vs LIMIT/OFFSET, median ms")
        ms = {k: median(v) * 1000 for k, v in times.items()}
        table(
            ["page", "keyset", "offset", "offset / keyset"],
            [
                [
                    f"row {depth:,}",
                    f"{ms['deep_k']:.2f}",
                    f"{ms['deep_o']:.2f}",
                    f"{ms['deep_o'] / ms['deep_k']:.1f}x",
                ],
                [
                    "first",
                    f"{ms['first_k']:.2f}",
                    f"{ms['first_o']:.2f}",
                    f"{ms['first_o'] / ms['first_k']:.1f}x",
                ],
            ],
        )

        export_rounds = max(2, rounds // 3)
        export, bare = [], []
        for _ in range(export_rounds):
            with factory() as session:
                started = time.perf_counter()
                columns = list_pages.finding_columns(session)
                rows = paging.every_row(
                    live_service.search_findings, db_session=session, filters=filters
                )
                size = sum(len(line) for line in lists.csv_lines(columns, rows))
                export.append(time.perf_counter() - started)
            with factory() as session:
                started = time.perf_counter()
                n = sum(1 for _ in session.scalars(select(Finding)))
                bare.append(time.perf_counter() - started)
        section("3. the CSV export of every finding")
        table(
            ["what", "median s", "rows/s"],
            [
                [
                    "export (keyset chunks + CSV)",
                    f"{median(export):.2f}",
                    f"{count / median(export):,.0f}",
                ],
                ["bare select of the rows", f"{median(bare):.2f}", f"{n / median(bare):,.0f}"],
            ],
        )
        ratio = median(export) / median(bare)
        print(f"  export: {size:,} characters; ratio export / bare = {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
