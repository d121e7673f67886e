#!/usr/bin/env python
"""Benchmark of the live monitor: events in, stored, in the ledger, monitored, acted on.

    .venv/bin/python benchmarks/bench_live.py               # full run
    .venv/bin/python benchmarks/bench_live.py --quick       # smoke run
    .venv/bin/python benchmarks/bench_live.py --database-url postgresql+psycopg://...

Everything runs against a fresh database in a temp dir (SQLite unless --database-url),
with the demo data loaded and rooms showing the demo's down jacket. The text events are
chat and speech lines from data/eval/detect.jsonl: 95 % clean lines and 5 % lines with a
label (diversion, absolute terms, medical claims, ...), which is more than a real room
has, so findings, ledger appends and policy actions are exercised. Every rule is loaded.

Sections
  1. One worker's throughput (target >= 2,000 text events/s): ``ingest_batch`` over
     batches of --batch events across --rooms rooms, one committed transaction a batch
     (validation, store, ledger, detection in context, claims, findings, policy, actions),
     beside the detection alone (``Detector.detect_many`` on the same batches).
  2. Event-to-warning latency at --rate events/s (target p99 < 200 ms), twice: a. with
     the heap as it is (baseline), b. after ``worker.settle_heap()`` as a ``liveguard
     monitor`` does after its first batch. Each run: a producer thread
     offers events at a steady rate; the worker takes what is queued (up to --latency-batch) per
     transaction. Latency of an event: from being offered to its commit (ack); of a
     warning: from the offer of the event that caused it to ``broadcaster.notify`` (the
     warning sent to SSE subscribers) after the commit. Fresh rooms, so each room's first
     diversion line issues a warning. The parties' credit is recomputed as the worker does
     it: beside the batches, at most once a second (a thread here, a task in the worker);
     --credit-in-batch recomputes it in every batch, as before issue 23.
  3. NATS (needs a server; --nats-url): --nats-events published (--per-message events a
     message, rooms spread over --partitions partitions), then drained by one ``liveguard
     monitor`` process fetching --nats-batch messages at a time, then (on a fresh stream)
     by two sharing the partitions; events/s each and the ratio, with the CPU seconds the
     workers and the services (PostgreSQL, NATS) spent: on a machine of 2 cores, two
     workers and their database compete for the same cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import liveguard

from _report import median, percentile, rate, section, table
from sqlalchemy import func, select

from liveguard import migrations
from liveguard.blobs import make_blob_store
from liveguard.catalog import service as catalog_service
from liveguard.cli import demo_data
from liveguard.config import Settings
from liveguard.db import make_engine, make_session_factory, transaction
from liveguard.detect import service as detect_service
from liveguard.detect.engine import Context
from liveguard.detect.rulefile import Role, Source
from liveguard.live import ingest
from liveguard.live import service as live_service
from liveguard.live.models import LiveEvent, LiveSession
from liveguard.live.notify import broadcaster
from liveguard.live.schemas import SessionCreate
from liveguard.live.worker import CREDIT_SECONDS, Worker, settle_heap

ROOT = Path(__file__).resolve().parent.parent
LINES = ROOT / "data" / "eval" / "detect.jsonl"


def lines(seed: int) -> tuple[list[dict], list[dict]]:
    clean, flagged = [], []
    for raw in LINES.read_text("utf-8").splitlines():
        item = json.loads(raw)
        if item["source"] not in ("chat", "speech") or not item["text"].strip():
            continue
        (flagged if item["labels"] else clean).append(item)
    return clean, flagged


class Stream:
    """Text events for rooms, 95 % clean lines, 5 % labelled ones, each with its own id."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clean, self.flagged = lines(seed)
        self.n = 0
        self.start = datetime.now(UTC)

    def event(self) -> dict:
        self.n += 1
        item = self.rng.choice(self.flagged if self.rng.random() < 0.05 else self.clean)
        at = (self.start + timedelta(milliseconds=self.n)).isoformat()
        base = {"event_id": f"b{self.n}", "occurred_at": at, "text": item["text"]}
        if item["source"] == "speech":
            role = item["role"] if item["role"] in ("anchor", "assistant") else "anchor"
            data = {"start_ms": self.n, "end_ms": self.n + 2000}
            return {**base, "kind": "utterance", "speaker_role": role, "data": data}
        return {**base, "kind": "chat", "speaker_role": "viewer"}


def setup(database_url: str | None, data_dir: Path) -> tuple[Settings, object]:
    settings = Settings(
        data_dir=data_dir, **({"database_url": database_url} if database_url else {})
    )
    settings.ensure_dirs()
    migrations.upgrade(settings.database_url)
    demo_data.load(settings)
    engine = make_engine(settings.database_url)
    return settings, make_session_factory(engine)


def jacket_rooms(
    factory, count: int, *, code: str = "bench", title: str = "bench"
) -> tuple[list[int], int]:
    """``count`` new live rooms of the demo's jacket shop, each showing the jacket listing
    (shown 500 rooms a batch), and the listing's id."""
    with transaction(factory) as db:
        first = db.scalar(select(LiveSession).order_by(LiveSession.id).limit(1))
        jacket = next(x for x in catalog_service.get_all(db_session=db) if "羽绒服" in x.title)
        tag = uuid.uuid4().hex[:8]
        made = [
            live_service.create(
                db_session=db,
                session_in=SessionCreate(
                    platform_id=first.platform_id,
                    room_code=f"{code}-{tag}-{n}",
                    title=title,
                    anchor_id=first.anchor_id,
                    merchant_id=first.merchant_id,
                    started_at=datetime.now(UTC),
                ),
            ).id
            for n in range(count)
        ]
    now = datetime.now(UTC)
    for i in range(0, len(made), 500):
        shown = {
            r: [
                {
                    "event_id": f"shown-{r}",
                    "kind": "listing_shown",
                    "occurred_at": now.isoformat(),
                    "data": {"listing_id": jacket.id},
                }
            ]
            for r in made[i : i + 500]
        }
        ingest.ingest_batch(
            session_factory=factory, groups=shown, channel="bench", blobs=None, now=now
        )
    return made, jacket.id


def rooms(factory, count: int) -> list[int]:
    """New live rooms of the demo's jacket shop, each showing the jacket listing, with the
    database's statistics brought up to date."""
    made, _ = jacket_rooms(factory, count)
    analyze(factory)
    return made


def analyze(factory) -> None:
    """PostgreSQL: the tables' statistics brought up to date, as autovacuum keeps them on
    a running server. This machine's server runs without autovacuum, so a fresh database
    kept the statistics of its empty tables, and the planner joined a party's 2,000
    findings to its rooms by a nested loop: 88 ms a credit query instead of 2 ms."""
    with factory() as db:
        if db.get_bind().dialect.name == "postgresql":
            db.connection().exec_driver_sql("ANALYZE")
            db.commit()


def spread(events: list[dict], room_ids: list[int], rng: random.Random) -> dict[int, list]:
    groups: dict[int, list] = {}
    for event in events:
        groups.setdefault(rng.choice(room_ids), []).append(event)
    return groups


def throughput(factory, blobs, args) -> tuple[float, float]:
    section(f"1. one worker: batches of {args.batch} text events over {args.rooms} rooms")
    stream = Stream(args.seed)
    room_ids = rooms(factory, args.rooms)
    rng = random.Random(args.seed)
    with transaction(factory) as db:
        detector = detect_service.get_detector(db_session=db, platform="xinghe")
    batches = [
        [stream.event() for _ in range(args.batch)] for _ in range(args.events // args.batch)
    ]
    # warm up: compile or load the rules, first queries
    ingest.ingest_batch(
        session_factory=factory,
        groups=spread(batches[0], room_ids, rng),
        channel="bench",
        blobs=blobs,
        now=datetime.now(UTC),
    )
    settle_heap()  # as ``liveguard monitor`` does after its first batch
    credit = Credit(factory, blobs, args)
    full, alone = [], []
    for batch in batches[1:]:
        contexts = [
            Context(role=Role.viewer, category="apparel", source=Source.chat) for _ in batch
        ]
        started = time.perf_counter()
        detector.detect_many([e["text"] for e in batch], contexts)
        alone.append(len(batch) / (time.perf_counter() - started))
        groups = spread(batch, room_ids, rng)
        started = time.perf_counter()
        ingest.ingest_batch(
            session_factory=factory,
            groups=groups,
            channel="bench",
            blobs=blobs,
            now=datetime.now(UTC),
            defer_credit=credit.deferred,
        )
        credit.inline()  # the worker's recompute, when due, counted in the batch's time
        full.append(len(batch) / (time.perf_counter() - started))
    table(
        ["what", "median events/s", "p10 events/s"],
        [
            [
                "ingest_batch (store, ledger, monitor, act)",
                rate(median(full)),
                rate(percentile(full, 10)),
            ],
            ["detect_many alone (baseline)", rate(median(alone)), rate(percentile(alone, 10))],
        ],
    )
    print(f"  share of the full path spent detecting: {median(full) / median(alone):.0%}")
    return median(full), percentile(full, 10)


class Credit:
    """The parties' credit as ``liveguard monitor`` recomputes it: noted by each batch and
    recomputed at most every CREDIT_SECONDS beside the batches (``Worker._credit_due``),
    or, with --credit-in-batch, as before issue 23: recomputed in every batch."""

    def __init__(self, factory, blobs, args) -> None:
        self.deferred = not args.credit_in_batch
        self.worker = Worker(session_factory=factory, blobs=blobs)
        self.last = time.monotonic()
        self.parties = 0
        self.rounds: list[tuple[float, float]] = []

    def inline(self) -> None:
        if self.deferred and time.monotonic() - self.last >= CREDIT_SECONDS:
            self.last = time.monotonic()
            self.parties += self.worker.recompute_credit()

    def beside(self, done: threading.Event) -> None:
        """A thread's loop, as the worker's task beside its batches, until ``done``; each
        round's wall time and its thread's CPU time (the Python part, which holds the GIL
        from the batches, and the driver's), kept in ``rounds``."""
        while self.deferred and not done.wait(CREDIT_SECONDS):
            self.timed_round()
        if self.deferred:
            self.timed_round()

    def timed_round(self) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        self.parties += self.worker.recompute_credit()
        self.rounds.append((time.perf_counter() - wall, time.thread_time() - cpu))


def latency(factory, blobs, args, settle: bool) -> tuple[float, float, int]:
    how = "settle_heap() first, as the worker does" if settle else "baseline: heap not settled"
    section(
        f"2{'b' if settle else 'a'}. latency at {args.rate:,} events/s for {args.seconds} s, "
        f"at most {args.latency_batch} events a transaction ({how})"
    )
    if settle:
        settle_heap()
    else:
        gc.unfreeze()
    total = args.rate * args.seconds
    room_ids = rooms(factory, max(50, total // 100))
    stream = Stream(args.seed + 1)
    rng = random.Random(args.seed + 1)
    offered: queue.Queue = queue.Queue()
    events = [(rng.choice(room_ids), stream.event()) for _ in range(total)]
    ack_latency: list[float] = []
    warn_latency: list[float] = []
    done = threading.Event()
    credit = Credit(factory, blobs, args)

    def produce() -> None:
        start = time.perf_counter()
        for n, (room, event) in enumerate(events):
            due = start + n / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            offered.put((time.perf_counter(), room, event))
        done.set()

    def consume() -> None:
        while not (done.is_set() and offered.empty()):
            try:
                first = offered.get(timeout=0.05)
            except queue.Empty:
                continue
            taken = [first]
            while len(taken) < args.latency_batch:
                try:
                    taken.append(offered.get_nowait())
                except queue.Empty:
                    break
            groups: dict[int, list] = {}
            offered_at: dict[int, list[float]] = {}
            for at, room, event in taken:
                groups.setdefault(room, []).append(event)
                offered_at.setdefault(room, []).append(at)
            outcomes = ingest.ingest_batch(
                session_factory=factory,
                groups=groups,
                channel="bench",
                blobs=blobs,
                now=datetime.now(UTC),
                defer_credit=credit.deferred,
            )
            committed = time.perf_counter()
            for room, outcome in outcomes.items():
                if outcome.warnings:
                    broadcaster.notify(room)  # what the views and the worker do after commit
                    sent = time.perf_counter()
                    flagged = [offered_at[room][a.index] for a in outcome.accepted if a.findings]
                    warn_latency.append(sent - min(flagged))
            ack_latency.extend(committed - at for at, _, _ in taken)

    producer = threading.Thread(target=produce)
    consumer = threading.Thread(target=consume)
    consumed = threading.Event()
    beside = threading.Thread(target=credit.beside, args=(consumed,))
    consumer.start()
    producer.start()
    beside.start()
    producer.join()
    consumer.join()
    consumed.set()
    beside.join()
    if credit.deferred:
        walls, cpus = ([r[i] * 1000 for r in credit.rounds] for i in (0, 1))
        print(
            f"  credit: {credit.parties} party recomputes beside the batches, "
            f"{len(walls)} rounds, a round's wall / thread CPU time median "
            f"{median(walls):.1f} / {median(cpus):.1f} ms, max {max(walls):.1f} / "
            f"{max(cpus):.1f} ms"
        )
    ms = lambda values, p: f"{percentile(values, p) * 1000:.1f} ms"  # noqa: E731
    table(
        ["what", "count", "p50", "p99", "max"],
        [
            [
                "event offered -> committed (ack)",
                len(ack_latency),
                ms(ack_latency, 50),
                ms(ack_latency, 99),
                ms(ack_latency, 100),
            ],
            [
                "event offered -> warning sent",
                len(warn_latency),
                ms(warn_latency, 50),
                ms(warn_latency, 99),
                ms(warn_latency, 100),
            ],
        ],
    )
    return percentile(ack_latency, 99), percentile(warn_latency, 99), len(warn_latency)


async def _publish(bus, room_ids: list[int], events: list[dict], per_message: int) -> None:
    import nats

    from liveguard.live.worker import publish

    client = await nats.connect(bus_url)
    js = client.jetstream()
    await bus.ensure(js)
    rng = random.Random(7)
    for i in range(0, len(events), per_message):
        await publish(
            js,
            platform="xinghe",
            session_id=rng.choice(room_ids),
            events=events[i : i + per_message],
            bus=bus,
        )
    await client.close()


async def _delete(bus) -> None:
    import nats

    client = await nats.connect(bus_url)
    await client.jetstream().delete_stream(bus.stream)
    await client.close()


def drained(factory, room_ids: list[int]) -> int:
    with factory() as db:
        return int(db.scalar(select(func.count()).where(LiveEvent.session_id.in_(room_ids))) or 0)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def service_pids() -> list[int]:
    """The database's and the NATS server's processes on this machine."""
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() in ("postgres", "nats-server"):
                pids.append(int(comm.parent.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return pids


class CpuCap:
    """Each worker process in a cgroup of its own with a CPU quota (``--worker-cpu``): the
    workers then behave as if each had a small machine to itself, and the database and
    NATS keep cores of their own, which a 2-core box otherwise cannot give them. Needs
    root and the cgroup cpu controller (v1 or v2)."""

    V1 = Path("/sys/fs/cgroup/cpu")
    V2 = Path("/sys/fs/cgroup")

    def __init__(self, cores: float) -> None:
        self.cores, self.groups = cores, []

    def place(self, pid: int) -> None:
        period = 100_000
        quota = int(self.cores * period)
        if (self.V1 / "tasks").exists():
            group = self.V1 / f"liveguard-bench-{pid}"
            group.mkdir()
            (group / "cpu.cfs_period_us").write_text(str(period))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            group = self.V2 / f"liveguard-bench-{pid}"
            group.mkdir()
            (group / "cpu.max").write_text(f"{quota} {period}")
        (group / "cgroup.procs").write_text(str(pid))
        self.groups.append(group)

    def remove(self) -> None:
        for group in self.groups:
            with contextlib.suppress(OSError):  # emptied when its process exited
                group.rmdir()


def nats_run(settings, factory, args, workers: int) -> tuple[float, float, float]:
    """Events/s draining the stream, and the CPU seconds the workers and the services
    (database, NATS) spent doing it."""
    from liveguard.live.worker import Bus

    name = uuid.uuid4().hex[:8]
    bus = Bus(
        stream=f"BENCH_{name}",
        prefix=f"bench.{name}",
        durable="monitor",
        partitions=args.partitions,
        batch=args.nats_batch,
    )
    room_ids = rooms(factory, args.rooms)
    warm = rooms(factory, 1)
    stream = Stream(args.seed + workers)
    events = [stream.event() for _ in range(args.nats_events)]
    env = {
        **os.environ,
        "LIVEGUARD_DATABASE_URL": settings.database_url,
        "LIVEGUARD_DATA_DIR": str(settings.data_dir),
    }
    command = [
        sys.executable,
        "-m",
        "liveguard.cli.main",
        "monitor",
        "--nats-url",
        bus_url,
        "--stream",
        bus.stream,
        "--prefix",
        bus.prefix,
        "--batch",
        str(args.nats_batch),
        "--partitions",
        str(args.partitions),
    ]
    log = open(Path(settings.data_dir) / f"workers-{workers}.log", "w")  # noqa: SIM115
    procs = [
        subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(workers)
    ]
    cap = CpuCap(args.worker_cpu) if args.worker_cpu else None
    try:
        for proc in procs if cap else []:
            cap.place(proc.pid)
        # the workers load their rules before they fetch (``Worker.warm``); these events
        # only tell that they are up
        warming = Stream(99)
        asyncio.run(_publish(bus, warm, [warming.event() for _ in range(200 * workers)], 1))
        while drained(factory, warm) < 200 * workers:
            time.sleep(0.05)
        asyncio.run(_publish(bus, room_ids, events, args.per_message))
        services = service_pids()
        worker_cpu = cpu_seconds([p.pid for p in procs])
        service_cpu = cpu_seconds(services)
        started = time.perf_counter()
        # counting every 20 ms took half a core from the workers (2 cores here): every
        # 100 ms costs a tenth of that and at most 0.1 s of a run that takes several
        while drained(factory, room_ids) < len(events):
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        worker_cpu = cpu_seconds([p.pid for p in procs]) - worker_cpu
        service_cpu = cpu_seconds(services) - service_cpu
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        if cap:
            cap.remove()
        asyncio.run(_delete(bus))
    return len(events) / elapsed, worker_cpu, service_cpu


bus_url = "nats://127.0.0.1:4222"


def main() -> int:
    global bus_url
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url")
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rate", type=int, default=2_000)
    parser.add_argument(
        "--latency-batch", type=int, default=500, help="most events a transaction takes in 2."
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--nats-url", default=bus_url)
    parser.add_argument("--nats-events", type=int, default=30_000)
    parser.add_argument("--per-message", type=int, default=10)
    parser.add_argument(
        "--nats-batch", type=int, default=50, help="3.: messages a worker fetches at a time"
    )
    parser.add_argument("--skip-nats", action="store_true")
    parser.add_argument("--nats-only", action="store_true", help="3. only")
    parser.add_argument("--partitions", type=int, default=8, help="3.: rooms' partitions")
    parser.add_argument(
        "--worker-cpu",
        type=float,
        help="3.: cap each worker at this many cores (a cgroup each; needs root)",
    )
    parser.add_argument(
        "--skip-baseline", action="store_true", help="2. only as the worker runs (settled heap)"
    )
    parser.add_argument(
        "--credit-in-batch",
        action="store_true",
        help="1., 2.: recompute the parties' credit in every batch (before issue 23's change)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.events, args.seconds, args.nats_events = 10_000, 8, 10_000
    bus_url = args.nats_url
    print(f"liveguard from {Path(liveguard.__file__).parent}")
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        settings, factory = setup(args.database_url, Path(tmp))
        blobs = make_blob_store(settings.blob_url, settings.blob_dir)
        print(f"database: {settings.database_url.split('@')[-1]}")
        results = []
        if not args.nats_only:
            full, _low = throughput(factory, blobs, args)
            if not args.skip_baseline:
                latency(factory, blobs, args, settle=False)
            ack99, warn99, warnings = latency(factory, blobs, args, settle=True)
            results += [
                ["one worker, text events/s (median)", rate(full), ">= 2,000/s", full >= 2000],
                [
                    "event -> warning sent, p99",
                    f"{warn99 * 1000:.0f} ms ({warnings} warnings)",
                    "< 200 ms",
                    warn99 < 0.2,
                ],
                ["event -> ack, p99", f"{ack99 * 1000:.0f} ms", "-", "-"],
            ]
        if not args.skip_nats:
            capped = f", each worker capped at {args.worker_cpu} core" if args.worker_cpu else ""
            section(f"3. NATS: {args.nats_events:,} events, one worker, then two{capped}")
            runs = {n: nats_run(settings, factory, args, n) for n in (1, 2)}
            rows = []
            for n, (per_second, worker_cpu, service_cpu) in runs.items():
                wall = args.nats_events / per_second
                rows.append(
                    [
                        str(n),
                        rate(per_second),
                        f"{worker_cpu:.1f} s",
                        f"{service_cpu:.1f} s",
                        f"{(worker_cpu + service_cpu) / wall:.2f}",
                        f"{args.nats_events / (worker_cpu + service_cpu):,.0f}",
                    ]
                )
            table(
                [
                    "workers",
                    "events/s",
                    "workers' CPU",
                    "db + NATS CPU",
                    "cores busy",
                    "events per CPU s",
                ],
                rows,
            )
            one, two = runs[1][0], runs[2][0]
            print(f"  two / one = {two / one:.2f} (this machine has {os.cpu_count()} cores)")
            results.append(["NATS two workers / one", f"{two / one:.2f}x", "2x", two / one >= 1.8])
        section("summary")
        table(["figure", "measured", "target", "met?"], results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
