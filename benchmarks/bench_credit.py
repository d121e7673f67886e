#!/usr/bin/env python
"""Benchmark of a credit recompute: what the writing flows pay each time a fact arrives.

    .venv/bin/python benchmarks/bench_credit.py            # full: 1,000 and 10,000 findings
    .venv/bin/python benchmarks/bench_credit.py --quick    # smoke: 1,000 and 5,000
    .venv/bin/python benchmarks/bench_credit.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

A shop on SQLite in a temp dir (the migrations build the schema; rows go in with Core
executemany, not through the services, which would also write the ledger) with N open
findings in its rooms over two years, a third of them high. Timed, rounds interleaved,
medians printed with their ratio (no target: the figure shows what a recompute costs
beside the read it cannot avoid):
  1. compute: credit_service.compute, every source of a merchant read through the
     services and scored, a room's findings counted by the database (what
     ``credit_flows.facts_changed`` does per party, before its history row).
  2. records: credit_service.compute_records, the path it replaced: every finding read
     and weighed in Python (still what a proposal's evidence reads).
  3. baseline: live_service.findings_against alone, the one read the records path makes.
Both computes must give the same score and stored factors. ``--postgres`` runs each size in
a throwaway database on that server (created and dropped) instead of SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _report import median, pin, section, table
from sqlalchemy import create_engine, insert, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from liveguard import migrations
from liveguard.clock import CHINA
from liveguard.credit import service as credit_service
from liveguard.credit.enums import SubjectKind
from liveguard.credit.sources import SELLER_SIDE
from liveguard.db import make_engine, make_session_factory, table_of
from liveguard.live import service as live_service

NOW = datetime(2026, 6, 12, 12, 0, tzinfo=CHINA)
SEVERITIES = ["medium", "high", "low"]


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
            " '91330106MA2H3KXX1H', 'C', 'A', 'x', '139****0000', '2020-01-01', '[]', FALSE,"
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
        events, findings = [], []
        for n in range(1, count + 1):
            at = NOW - timedelta(minutes=rng.randrange(730 * 24 * 60))
            events.append(
                {"id": n, "session_id": 1, "seq": n, "kind": "utterance", "occurred_at": at}
            )
            findings.append(
                {
                    "session_id": 1,
                    "event_pk": n,
                    "speaker_role": "anchor",
                    "source": "text",
                    "rule": "bench.rule",
                    "category": "bench",
                    "severity": SEVERITIES[n % 3],
                    "message": "违规",
                    "start": 0,
                    "end": 1,
                    "legal_basis": [],
                    "evidence": {},
                    "status": "open",
                    "created_at": at,
                    "ledger_seq": n,
                }
            )
        connection.execute(insert(table_of(live_service.LiveEvent)), events)
        connection.execute(insert(table_of(live_service.LiveFinding)), findings)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")  # what autovacuum does on a running server
    engine.dispose()


@contextmanager
def database(postgres: str | None) -> Iterator[str]:
    """An empty, migrated database: SQLite in a temp dir, or a throwaway PostgreSQL one."""
    if postgres is None:
        with tempfile.TemporaryDirectory(prefix="liveguard-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            migrations.upgrade(url)
            yield url
        return
    admin = make_url(postgres)
    name = f"liveguard_bench_credit_{os.getpid()}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        migrations.upgrade(url)
        yield url
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def timed(factory: sessionmaker[Session], run: Callable[[Session], object]) -> tuple[float, float]:
    """Wall time, and this thread's CPU time: the Python part (which holds the GIL from a
    worker's batches) and the driver's, without the database's own work."""
    with factory() as session:
        wall, cpu = time.perf_counter(), time.thread_time()
        run(session)
        return time.perf_counter() - wall, time.thread_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 5,000 findings")
    parser.add_argument("--rounds", type=int, help="rounds (5; quick 3)")
    parser.add_argument("--core", type=int, help="core to pin to (default: the last one)")
    parser.add_argument("--seed", type=int, default=20260612)
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (default: SQLite)")
    args = parser.parse_args()
    sizes = (1_000, 5_000) if args.quick else (1_000, 10_000)
    rounds = args.rounds or (3 if args.quick else 5)
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"LiveGuard credit-recompute benchmark: python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, {pin(args.core)}; {where}; {sizes} findings, {rounds} rounds"
    )
    subject = credit_service.Subject(SubjectKind.merchant, 1)
    runs: dict[str, Callable[[Session], object]] = {
        "compute": partial(credit_service.compute, subject=subject, now=NOW),
        "records": partial(credit_service.compute_records, subject=subject, now=NOW),
        "baseline": partial(
            live_service.findings_against,
            speakers=SELLER_SIDE,
            since=NOW - timedelta(days=731),
            merchant_id=1,
        ),
    }
    rows = []
    for count in sizes:
        with database(args.postgres) as url:
            build(url, count, args.seed)
            engine = make_engine(url)
            factory = make_session_factory(engine)
            with factory() as session:
                scored = credit_service.compute(db_session=session, subject=subject, now=NOW)
                reference = credit_service.compute_records(
                    db_session=session, subject=subject, now=NOW
                )
            if credit_service.factors_json(scored) != credit_service.factors_json(reference):
                print("compute and compute_records disagree")
                return 1
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
            for _ in range(rounds):
                for name, run in runs.items():
                    times[name].append(timed(factory, lambda s, run=run: run(db_session=s)))
            engine.dispose()
            [factor] = [f for f in scored.factors if f.id == "live_findings"]
            wall = {n: median([t[0] for t in times[n]]) * 1000 for n in runs}
            cpu = {n: median([t[1] for t in times[n]]) * 1000 for n in runs}
            rows.append(
                (
                    f"{count:,}",
                    f"{factor.record_count:,}",
                    *(f"{wall[n]:.1f} / {cpu[n]:.1f} ms" for n in runs),
                    f"{wall['records'] / wall['compute']:.1f}x",
                    f"{cpu['records'] / cpu['compute']:.1f}x",
                    scored.score,
                )
            )
    section("one merchant recomputed (median wall / this thread's CPU time)")
    header = ["findings", "in window", "compute", "records (before)", "read only"]
    table([*header, "wall ratio", "CPU ratio", "score"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
