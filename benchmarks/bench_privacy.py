#!/usr/bin/env python
"""Benchmark of the marketing send gate's bulk check: one merchant's send to 100,000 buyers.

    .venv/bin/python benchmarks/bench_privacy.py            # full: 100,000 recipients
    .venv/bin/python benchmarks/bench_privacy.py --quick    # smoke: 20,000 recipients

A shop's buyers on SQLite in a temp dir (the migrations build the schema; rows go in with
Core executemany): 70 % agreed to SMS marketing (a tenth of them later withdrew), and each
buyer with a consent was sent 0 to 2 messages in the last 30 days. The check runs at 10:00
Beijing time, so the quiet hours refuse nothing and every other reason shows.

Timed, rounds interleaved, medians printed with their ratio:
  1. service.check: the gate as the API runs it: two set-based queries for the merchant
     (live and withdrawn consents; messages per buyer in the cap's period) and one pass of
     dictionary lookups over the recipients. Target: under 1 s for 100,000.
  2. service.check + service.result: the same, with the per-recipient answer built (what
     POST /api/privacy/marketing/check returns before JSON encoding).
  3. baseline: the naive gate, two queries per recipient (her consent, her count), on a
     sample of recipients, scaled to the full count (stated as such).
The vectorised and the naive gate must agree on the sample; the script exits 1 if not.
"""

from __future__ import annotations

import argparse
import gc
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
from sqlalchemy import func, insert, select

from liveguard import migrations
from liveguard.clock import CHINA
from liveguard.db import make_engine, make_session_factory, table_of
from liveguard.parties.models import Consumer
from liveguard.privacy import policy as rules
from liveguard.privacy import service
from liveguard.privacy.enums import Channel, HolderKind, Purpose, Refusal
from liveguard.privacy.models import Consent, MarketingSend

AT = datetime(2026, 11, 23, 10, 0, tzinfo=CHINA)
SAMPLE = 500  # recipients the naive baseline is timed on (it is slow: 2 queries each)


def build(url: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    engine = make_engine(url)
    stamp = "2026-01-01 00:00:00"
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run(
            "INSERT INTO platforms (id, code, name, operator_name, credit_code, created_at,"
            f" updated_at) VALUES (1, 'p', 'P', 'P Co.', '91330106MA2H3KXX1H', '{stamp}',"
            f" '{stamp}')"
        )
        run(
            "INSERT INTO merchants (id, platform_id, name, shop_name, credit_code,"
            " legal_representative, address, contact_phone_enc, contact_phone_masked,"
            " licence_valid_from, categories, self_operated, status, deposit_balance_fen,"
            " created_at, updated_at) VALUES (1, 1, 'M', 'M', '91330106MA2H3KXX1H', 'C', 'A',"
            f" 'x', '139****0000', '2020-01-01', '[]', 0, 'active', 0, '{stamp}', '{stamp}')"
        )
        connection.execute(
            insert(table_of(Consumer)),
            [
                {
                    "id": n,
                    "nickname": "b",
                    "phone_enc": "x",
                    "phone_index": f"i{n}",
                    "phone_masked": "139****0000",
                    "created_at": AT - timedelta(days=400),
                    "updated_at": AT - timedelta(days=400),
                }
                for n in range(1, count + 1)
            ],
        )
        consents, sends = [], []
        for n in range(1, count + 1):
            if rng.random() >= 0.7:
                continue
            withdrawn = AT - timedelta(days=3) if rng.random() < 0.1 else None
            consents.append(
                {
                    "id": n,
                    "consumer_id": n,
                    "holder_kind": HolderKind.merchant,
                    "holder_id": 1,
                    "purpose": Purpose.marketing,
                    "channel": Channel.sms,
                    "scope": "手机号码",
                    "method": "coupon_form",
                    "wording": "留下手机号即领 20 元券",
                    "given_at": AT - timedelta(days=200),
                    "recorded_by": "merchant:1",
                    "withdrawn_at": withdrawn,
                    "unsubscribe_token": f"t{n}",
                }
            )
            for _ in range(rng.randrange(3)):
                sends.append(
                    {
                        "merchant_id": 1,
                        "consumer_id": n,
                        "channel": Channel.sms,
                        "requested_at": AT - timedelta(days=rng.randrange(1, 29)),
                        "allowed": True,
                        "refusal": None,
                        "consent_id": n,
                        "requested_by": "merchant:1",
                    }
                )
        connection.execute(insert(table_of(Consent)), consents)
        connection.execute(insert(table_of(MarketingSend)), sends)
        run("ANALYZE")  # the planner's statistics, so the naive gate's lookups use their index
    engine.dispose()


def naive(db_session, recipients: list[int]) -> list[Refusal | None]:
    """Two queries per recipient: what a gate written one buyer at a time would do."""
    policy = rules.policy()
    cap = policy.cap(Channel.sms)
    quiet = policy.marketing.quiet_hours.covers(AT)
    counted: dict[int, int] = {}
    out: list[Refusal | None] = []
    for consumer_id in recipients:
        consent = db_session.execute(
            select(Consent.id, Consent.withdrawn_at).where(
                Consent.consumer_id == consumer_id,
                Consent.holder_kind == HolderKind.merchant,
                Consent.holder_id == 1,
                Consent.purpose == Purpose.marketing,
                Consent.channel == Channel.sms,
            )
        ).first()
        if consent is None:
            out.append(Refusal.no_consent)
            continue
        if consent.withdrawn_at is not None and consent.withdrawn_at <= AT:
            out.append(Refusal.withdrawn)
            continue
        if quiet:
            out.append(Refusal.quiet_hours)
            continue
        if consumer_id not in counted:
            counted[consumer_id] = int(
                db_session.scalar(
                    select(func.count()).where(
                        MarketingSend.merchant_id == 1,
                        MarketingSend.consumer_id == consumer_id,
                        MarketingSend.channel == Channel.sms,
                        MarketingSend.allowed.is_(True),
                        MarketingSend.requested_at > AT - timedelta(days=cap.period_days),
                    )
                )
                or 0
            )
        if counted[consumer_id] >= cap.limit:
            out.append(Refusal.cap_reached)
        else:
            counted[consumer_id] += 1
            out.append(None)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 recipients")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--core", type=int, default=None)
    args = parser.parse_args()
    count = 20_000 if args.quick else 100_000
    print(f"bench_privacy: {count:,} recipients, {args.rounds} rounds; {pin(args.core)}")

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{os.path.join(tmp, 'bench.db')}"
        migrations.upgrade(url)
        started = time.perf_counter()
        build(url, count, args.seed)
        print(f"built in {time.perf_counter() - started:.1f} s")
        factory = make_session_factory(make_engine(url))
        recipients = list(range(1, count + 1))
        random.Random(args.seed).shuffle(recipients)
        sample = recipients[:SAMPLE]

        fast, full, slow, cpu = [], [], [], []
        decided: list = []
        for _ in range(args.rounds):
            gc.collect()
            with factory() as db_session:
                t0, c0 = time.perf_counter(), time.process_time()
                decided = service.check(
                    db_session=db_session,
                    merchant_id=1,
                    channel=Channel.sms,
                    consumer_ids=recipients,
                    at=AT,
                )
                fast.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            with factory() as db_session:
                t0 = time.perf_counter()
                answer = service.result(
                    service.check(
                        db_session=db_session,
                        merchant_id=1,
                        channel=Channel.sms,
                        consumer_ids=recipients,
                        at=AT,
                    )
                )
                full.append(time.perf_counter() - t0)
            with factory() as db_session:
                t0 = time.perf_counter()
                baseline = naive(db_session, sample)
                slow.append((time.perf_counter() - t0) * count / SAMPLE)

        by_id = {c: r for c, r, _ in decided}
        disagree = sum(1 for c, r in zip(sample, baseline, strict=True) if by_id[c] != r)
        section("the bulk check")
        table(
            ["what", "median", "per recipient", "vs naive"],
            [
                [
                    "service.check (2 set-based queries + one pass)",
                    f"{median(fast):.3f} s",
                    f"{median(fast) / count * 1e6:.2f} µs",
                    f"{median(slow) / median(fast):,.0f}x faster",
                ],
                [
                    "  its CPU time (this process; the machine is shared)",
                    f"{median(cpu):.3f} s",
                    f"{median(cpu) / count * 1e6:.2f} µs",
                    "",
                ],
                [
                    "check + per-recipient answer (service.result)",
                    f"{median(full):.3f} s",
                    f"{median(full) / count * 1e6:.2f} µs",
                    f"{median(slow) / median(full):,.0f}x faster",
                ],
                [
                    f"naive: 2 queries a recipient ({SAMPLE:,} timed, scaled)",
                    f"{median(slow):.3f} s",
                    f"{median(slow) / count * 1e6:.2f} µs",
                    "1x",
                ],
            ],
        )
        print(f"  answers: {answer.allowed:,} allowed, refused {answer.by_reason}")
        section("target")
        met = median(fast) < 1.0
        table(
            ["figure", "target", "met?"],
            [
                [
                    f"{count:,} recipients checked: {median(fast):.3f} s",
                    "< 1 s",
                    "yes" if met else "NO",
                ]
            ],
        )
        if disagree:
            print(f"the naive and vectorised gates disagree on {disagree} recipients")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
