#!/usr/bin/env python
"""Benchmark of a credit recompute: what the writing flows pay each time a fact arrives.

    .venv/bin/python benchmarks/bench_credit.py            # full: 1,000 and 20,000 findings
    .venv/bin/python benchmarks/bench_credit.py --quick    # smoke: 1,000 and 5,000

A shop on SQLite in a temp dir (the migrations build the schema; rows go in with Core
executemany, not through the services, which would also write the ledger) with N open
findings in its rooms over two years, a third of them high. Timed, rounds interleaved,
medians printed with their ratio (no target: the figure shows what a recompute costs
beside the read it cannot avoid):
  1. credit_service.compute: every source of a merchant read through the services and
     scored (what ``credit_flows.facts_changed`` does per party, before its history row).
  2. baseline: live_service.findings_against alone, the one read of the shop's findings.
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
from sqlalchemy import insert

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
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 5,000 findings")
    parser.add_argument("--rounds", type=int, help="rounds (5; quick 3)")
    parser.add_argument("--core", type=int, help="core to pin to (default: the last one)")
    parser.add_argument("--seed", type=int, default=20260612)
    args = parser.parse_args()
    sizes = (1_000, 5_000) if args.quick else (1_000, 20_000)
    rounds = args.rounds or (3 if args.quick else 5)
    print(
        f"LiveGuard credit-recompute benchmark: python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, {pin(args.core)}; {sizes} findings, {rounds} rounds"
    )
    rows = []
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="liveguard-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            migrations.upgrade(url)
            build(url, count, args.seed)
            factory = make_session_factory(make_engine(url))
            subject = credit_service.Subject(SubjectKind.merchant, 1)
            times: dict[str, list[float]] = {"compute": [], "baseline": []}
            for _ in range(rounds):
                with factory() as session:
                    started = time.perf_counter()
                    scored = credit_service.compute(db_session=session, subject=subject, now=NOW)
                    times["compute"].append(time.perf_counter() - started)
                with factory() as session:
                    started = time.perf_counter()
                    found = live_service.findings_against(
                        db_session=session,
                        speakers=SELLER_SIDE,
                        since=NOW - timedelta(days=731),
                        merchant_id=1,
                    )
                    times["baseline"].append(time.perf_counter() - started)
            [factor] = [f for f in scored.factors if f.id == "live_findings"]
            if len(factor.records) != len(found):
                print(f"compute saw {len(factor.records)} findings, the read {len(found)}")
                return 1
            compute, baseline = median(times["compute"]), median(times["baseline"])
            rows.append(
                (
                    f"{count:,}",
                    f"{compute * 1000:.1f} ms",
                    f"{baseline * 1000:.1f} ms",
                    f"{compute / baseline:.2f}x",
                    scored.score,
                )
            )
    section("one merchant recomputed (median)")
    table(["findings", "compute", "read only (baseline)", "ratio", "score"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
