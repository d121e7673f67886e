#!/usr/bin/env python
"""A platform's evening: a thousand live rooms on NATS JetStream, 1, 2 and 4 monitor workers
on PostgreSQL, 2 API processes serving the viewers' warning streams.

    .venv/bin/python benchmarks/load_evening.py            # 1,000 rooms, 60 s a run
    .venv/bin/python benchmarks/load_evening.py --quick    # about a minute: 100 rooms, one worker
    .venv/bin/python benchmarks/load_evening.py --database-url postgresql+psycopg://...

Without --database-url a throwaway database is created on the local PostgreSQL server
(``--server``) and dropped at the end; the demo data is loaded into it. Each run (one per
worker count) gets fresh rooms, a fresh stream and fresh consumers.

The evening (per room, a Poisson process each; --busy rooms ten times as busy): an anchor's
line every 4 s, viewers' chat 0.5 a second with a burst of 10-20 lines every ~30 s, a
small frame every 5 s, counters (viewers, likes) every 5 s, an order every 10 s, a listing
change every 2 minutes. Chat and speech are clean lines from data/eval/detect.jsonl. In
--flagged rooms (the busy ones among them) the anchor says one line that sends viewers off
the platform, at a random moment: the room's viewers get a banner. A room's events of each
half second travel as one message, as a platform's adapter batches them.

Measured per run:
- events/s: the events stored over the time from the first publish until all are stored;
  when the workers keep up it is the offered rate, and only saturated runs show capacity;
- event -> warning: from the publish of the flagged line to the banner arriving on the
  room's public warning stream (SSE, from one of the API processes), p50 / p99, for all
  flagged rooms and for the busy ones;
- each worker's CPU seconds (/proc) and peak RSS, events per worker CPU second;
- NATS consumer lag (backlog + unacknowledged over every partition, ``bus_status``): the
  peak during the run and at the end of publishing.

Normalising on a 2-core machine: each worker runs in a cgroup of its own with a CPU quota
(--worker-cpu, default 0.25 of a core, so 4 workers take one core and PostgreSQL, NATS,
the API processes and this publisher the other); the measured ratio events/s(N) /
events/s(1) is the scaling of capped workers, meaningful when the runs saturate. Beside it,
the CPU-time scaling N x (events per worker CPU s at N) / (events per worker CPU s at 1):
how N workers each on a core of its own would compare, if the database keeps up. Without
root or cgroups, pass --worker-cpu 0 and read the CPU-time figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:  # the venv installs the package (editable); PYTHONPATH can point at another copy
    import liveguard  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _report import percentile, section, table
from bench_live import CpuCap, cpu_seconds, jacket_rooms, lines, setup
from sqlalchemy import func, select

from liveguard.live import service as live_service
from liveguard.live.models import LiveEvent
from liveguard.live.worker import Bus, publish

DIVERSION = "想要更便宜的加我微信 lg{n:04d} 私聊，私下转账直接发货"
BANNER = "请勿私下转账".encode()
TICK = 0.5  # a room's events of each half second go in one message


def _png(width: int = 32, height: int = 18) -> str:
    """A small grey PNG (no drawing library needed), base64."""
    import base64

    raw = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
    return base64.b64encode(png + chunk(b"IEND", b"")).decode()


@dataclass
class Plan:
    """A run's schedule: (second, room, event) sorted by time, and the flagged lines."""

    messages: list[tuple[float, int, list[dict]]]
    events: int
    flagged: dict[int, str] = field(default_factory=dict)  # room -> its flagged event id
    busy: set[int] = field(default_factory=set)


def plan(room_ids: list[int], listing_id: int, args: argparse.Namespace, seed: int) -> Plan:
    rng = random.Random(seed)
    clean, _ = lines(seed)
    speech = [x["text"] for x in clean if x["source"] == "speech"] or [x["text"] for x in clean]
    chat = [x["text"] for x in clean if x["source"] == "chat"] or speech
    frame = _png()
    busy = set(room_ids[: args.busy])
    flagged_rooms = list(busy) + rng.sample(room_ids[args.busy :], args.flagged - len(busy))
    start = datetime.now(UTC)
    duration = args.seconds
    timed: list[tuple[float, int, dict]] = []
    n = 0

    def at(room: int, second: float, event: dict) -> None:
        nonlocal n
        n += 1
        event["event_id"] = f"ev{n}"
        event["occurred_at"] = (start + timedelta(seconds=second)).isoformat()
        timed.append((second, room, event))

    def poisson(per_second: float) -> list[float]:
        found, t = [], rng.expovariate(per_second)
        while t < duration:
            found.append(t)
            t += rng.expovariate(per_second)
        return found

    viewers = {r: rng.randint(200, 5000) for r in room_ids}
    for room in room_ids:
        k = 10 if room in busy else 1
        for t in poisson(k / 4):
            text = rng.choice(speech)
            data = {"start_ms": int(t * 1000), "end_ms": int(t * 1000) + 2500}
            at(room, t, {"kind": "utterance", "speaker_role": "anchor", "text": text, "data": data})
        chats = poisson(k * 0.5)
        for burst in poisson(k / 30):
            chats += [burst + rng.random() * 3 for _ in range(rng.randint(10, 20))]
        for t in sorted(x for x in chats if x < duration):
            user = {"user": f"u{rng.randint(1, 10**6)}"}
            at(
                room,
                t,
                {"kind": "chat", "speaker_role": "viewer", "text": rng.choice(chat), "data": user},
            )
        for t in poisson(k / 5):
            at(room, t, {"kind": "frame", "data": {"image_base64": frame, "mime": "image/png"}})
        for t in poisson(k / 5):
            viewers[room] = max(50, viewers[room] + rng.randint(-100, 120))
            likes = int(t * 7 * k)
            at(room, t, {"kind": "counters", "data": {"viewers": viewers[room], "likes": likes}})
        for t in poisson(k / 10):
            order = {"order_id": f"o{room}-{t:.3f}", "listing_id": listing_id}
            at(room, t, {"kind": "order", "data": {**order, "quantity": 1, "amount_fen": 29900}})
        for t in poisson(k / 120):
            change = {"listing_id": listing_id, "changes": {"stock": rng.randint(10, 500)}}
            at(room, t, {"kind": "listing_changed", "data": change})
    flagged: dict[int, str] = {}
    for i, room in enumerate(flagged_rooms):
        t = duration * (0.2 + 0.6 * rng.random())
        text = DIVERSION.format(n=i)
        data = {"start_ms": int(t * 1000), "end_ms": int(t * 1000) + 3000}
        at(room, t, {"kind": "utterance", "speaker_role": "anchor", "text": text, "data": data})
        flagged[room] = timed[-1][2]["event_id"]
    timed.sort(key=lambda item: item[0])
    grouped: dict[tuple[int, int], list[dict]] = {}
    for t, room, event in timed:
        grouped.setdefault((int(t / TICK), room), []).append(event)
    messages = sorted(
        ((tick * TICK, room, events) for (tick, room), events in grouped.items()),
        key=lambda item: item[0],
    )
    return Plan(messages, len(timed), flagged, busy)


def stored(factory, room_ids: list[int]) -> int:
    with factory() as db:
        query = select(func.count()).where(
            LiveEvent.session_id.between(min(room_ids), max(room_ids))
        )
        return int(db.scalar(query) or 0) - len(room_ids)  # less each room's listing_shown


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.2)
    return False


async def watch(port: int, room: int, arrived: dict[int, float], stop: asyncio.Event) -> None:
    """Read a room's public warning stream (SSE) until the banner comes: its arrival time."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    path = f"/api/public/live/{room}/warnings/stream"
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    try:
        while not stop.is_set():
            try:
                line = await asyncio.wait_for(reader.readline(), 1)
            except TimeoutError:
                continue
            if not line:
                return
            if line.startswith(b"data:") and BANNER in line:
                arrived.setdefault(room, time.perf_counter())
                return
    finally:
        writer.close()


@dataclass
class Run:
    workers: int
    events: int
    seconds: float  # first publish until every event stored (or the timeout)
    offered: float
    kept_up: bool
    latency: list[float]
    busy_latency: list[float]
    warnings: int
    flagged: int
    worker_cpu: list[float]
    worker_rss: list[int]
    peak_lag: int
    end_lag: int
    counts: dict = field(default_factory=dict)  # --profile: the workers' counts, summed


def rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


async def lag_of(nats_url: str, bus: Bus) -> int:
    status = await live_service.bus_status(nats_url=nats_url, bus=bus)
    return status.lag if status.reachable else -1


async def drive(args, bus: Bus, the_plan: Plan, apis: list[int], factory, room_ids) -> dict:
    """Publish the evening at its pace while the warning streams are read; then wait for
    the workers to store everything."""
    import nats

    client = await nats.connect(args.nats_url)
    js = client.jetstream()
    await bus.ensure(js)
    arrived: dict[int, float] = {}
    stop = asyncio.Event()
    watchers = [
        asyncio.create_task(watch(apis[i % len(apis)], room, arrived, stop))
        for i, room in enumerate(the_plan.flagged)
    ]
    await asyncio.sleep(1)  # the streams are open
    offered_at: dict[int, float] = {}
    flagged_ids = {eid: room for room, eid in the_plan.flagged.items()}
    lags: list[int] = []

    async def sample() -> None:
        while not stop.is_set():
            lags.append(await lag_of(args.nats_url, bus))
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    started = time.perf_counter()
    # Core publishes onto the stream's subjects, flushed every tick: waiting for each
    # message's stream acknowledgement made this one process the bottleneck (13,000
    # messages in 10 s of evening), not the workers it measures.
    for second, room, events in the_plan.messages:
        delay = started + second - time.perf_counter()
        if delay > 0:
            await client.flush()
            await asyncio.sleep(delay)
        now = time.perf_counter()
        for event in events:
            if event["event_id"] in flagged_ids:
                offered_at[room] = now
        body = json.dumps({"session_id": room, "events": events}, ensure_ascii=False)
        await client.publish(bus.subject("xinghe", room), body.encode())
    await client.flush()
    published = time.perf_counter()
    end_lag = await lag_of(args.nats_url, bus)
    deadline = published + args.drain_timeout
    done = 0
    while time.perf_counter() < deadline:
        done = await asyncio.to_thread(stored, factory, room_ids)
        if done >= the_plan.events:
            break
        await asyncio.sleep(0.25)
    finished = time.perf_counter()
    wait_warnings = time.perf_counter() + 5
    while len(arrived) < len(the_plan.flagged) and time.perf_counter() < wait_warnings:
        await asyncio.sleep(0.1)
    stop.set()
    sampler.cancel()
    for task in watchers:
        task.cancel()
    await asyncio.gather(*watchers, sampler, return_exceptions=True)
    await client.close()
    return {
        "stored": done,
        "seconds": finished - started,
        "published_in": published - started,
        "latency": {r: arrived[r] - offered_at[r] for r in arrived if r in offered_at},
        "peak_lag": max([x for x in lags if x >= 0], default=0),
        "end_lag": end_lag,
    }


class ShortPeriodCap(CpuCap):
    """bench_live's cgroup quota with a 10 ms period instead of 100 ms: a worker that has
    spent its share is stopped for the rest of the period, and if it holds the ledger's
    lock then, every other worker waits with it; 10 ms bounds that wait at 7.5 ms (at a
    quarter core) instead of 75."""

    PERIOD = 10_000

    def place(self, pid: int) -> None:
        quota = int(self.cores * self.PERIOD)
        if (self.V1 / "tasks").exists():
            group = self.V1 / f"liveguard-bench-{pid}"
            group.mkdir()
            (group / "cpu.cfs_period_us").write_text(str(self.PERIOD))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            group = self.V2 / f"liveguard-bench-{pid}"
            group.mkdir()
            (group / "cpu.max").write_text(f"{quota} {self.PERIOD}")
        (group / "cgroup.procs").write_text(str(pid))
        self.groups.append(group)


def start_workers(args, settings, bus: Bus, count: int, log) -> tuple[list, CpuCap | None]:
    env = {
        **os.environ,
        "LIVEGUARD_DATABASE_URL": settings.database_url,
        "LIVEGUARD_DATA_DIR": str(settings.data_dir),
    }
    command = [sys.executable, "-m", "liveguard.cli.main", "monitor", "--nats-url", args.nats_url]
    if args.profile:  # each worker's counts and batch profile, written when it stops
        out = Path(settings.data_dir) / f"worker-{count}-%d.json"
        command[1:3] = [str(Path(__file__).with_name("_worker_counts.py")), str(out)]
    command += ["--stream", bus.stream, "--prefix", bus.prefix, "--durable", bus.durable]
    command += ["--batch", str(bus.batch), "--partitions", str(bus.partitions)]
    procs = [
        subprocess.Popen(
            [c.replace("%d", str(n)) for c in command],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for n in range(count)
    ]
    cap = None
    if args.worker_cpu:
        cap = ShortPeriodCap(args.worker_cpu)
        try:
            for proc in procs:
                cap.place(proc.pid)
        except OSError as error:
            print(f"  (no CPU cap: {error}; read the CPU-time figures)")
            cap = None
    return procs, cap


async def warmed(args, bus: Bus, procs, factory) -> None:
    """Until every worker has stored a batch (its name a partition's holder): they load
    their rules first, which takes seconds."""
    import nats

    warm_rooms, _ = await asyncio.to_thread(
        jacket_rooms, factory, bus.partitions, code="eve", title="晚间直播"
    )
    client = await nats.connect(args.nats_url)
    js = client.jetstream()
    await bus.ensure(js)
    names = {f"monitor-{p.pid}" for p in procs}
    deadline = time.monotonic() + 90
    n = 0
    while time.monotonic() < deadline:
        for room in warm_rooms:
            n += 1
            event = {
                "event_id": f"warm{n}",
                "kind": "chat",
                "speaker_role": "viewer",
                "occurred_at": datetime.now(UTC).isoformat(),
                "text": "在吗",
            }
            await publish(js, platform="xinghe", session_id=room, events=[event], bus=bus)
        status = await live_service.bus_status(nats_url=args.nats_url, bus=bus)
        if names <= {p.holder for p in status.partitions}:
            break
        await asyncio.sleep(0.3)
    while (await live_service.bus_status(nats_url=args.nats_url, bus=bus)).lag:
        await asyncio.sleep(0.2)
    await client.close()


def one_run(args, settings, factory, apis: list[int], workers: int, seed: int) -> Run:
    name = uuid.uuid4().hex[:8]
    bus = Bus(
        stream=f"EVENING_{name}",
        prefix=f"evening.{name}",
        durable="monitor",
        partitions=args.partitions,
        batch=args.batch,
    )
    room_ids, listing_id = jacket_rooms(factory, args.rooms, code="eve", title="晚间直播")
    the_plan = plan(room_ids, listing_id, args, seed)
    log = open(Path(settings.data_dir) / f"workers-{workers}.log", "w")  # noqa: SIM115
    procs, cap = start_workers(args, settings, bus, workers, log)
    try:
        asyncio.run(warmed(args, bus, procs, factory))
        cpu_before = [cpu_seconds([p.pid]) for p in procs]
        result = asyncio.run(drive(args, bus, the_plan, apis, factory, room_ids))
        cpu = [cpu_seconds([p.pid]) - b for p, b in zip(procs, cpu_before, strict=True)]
        rss = [rss_kb(p.pid) for p in procs]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if cap:
            cap.remove()
        log.close()
        asyncio.run(_delete(args.nats_url, bus))
    latency = result["latency"]
    counts = worker_counts(Path(settings.data_dir), workers) if args.profile else {}
    return Run(
        workers=workers,
        events=result["stored"],
        seconds=result["seconds"],
        offered=the_plan.events / args.seconds,
        kept_up=result["stored"] >= the_plan.events and result["seconds"] < args.seconds + 3,
        latency=list(latency.values()),
        busy_latency=[v for r, v in latency.items() if r in the_plan.busy],
        warnings=len(latency),
        flagged=len(the_plan.flagged),
        worker_cpu=cpu,
        worker_rss=rss,
        peak_lag=result["peak_lag"],
        end_lag=result["end_lag"],
        counts=counts,
    )


def worker_counts(folder: Path, workers: int) -> dict:
    """The run's workers' counts (``_worker_counts.py``), summed."""
    total: dict = {}
    for path in folder.glob(f"worker-{workers}-*.json"):
        found = json.loads(path.read_text())
        for part in ("counts", "seconds", "cgroup"):
            for key, value in found.get(part, {}).items():
                total[key] = total.get(key, 0) + value
    return total


def report_counts(runs: list[Run]) -> None:
    """What a batch and an event cost each run (--profile)."""
    section("what the work cost (--profile): per batch and per 1,000 events stored")
    rows = []
    for run in runs:
        c = run.counts
        batches, events = c.get("batches", 0), c.get("events in batches", 0)
        if not batches or not events:
            continue
        per_k = 1000 / events
        rooms = c.get("rooms in batches", 0)
        rows.append(
            [
                run.workers,
                f"{batches:,}",
                f"{c.get('messages', 0) / batches:.0f} / {events / batches:.0f}"
                f" / {rooms / batches:.0f}",
                f"{c.get('sql statements', 0) / events:.1f}",
                f"{c.get('room state loaded', 0) / max(rooms, 1):.0%}",
                f"{c.get('credit recomputes (a party each)', 0) * per_k:.1f}",
                f"{c.get('ledger lock take', 0) / batches * 1000:.1f}",
                f"{c.get('lock tries missed', 0) * per_k:.0f}"
                f" / {c.get('lock tries taken', 0) * per_k:.0f}",
                f"{c.get('fetches', 0) * per_k:.0f} / {c.get('empty fetches', 0) * per_k:.0f}",
                f"{c.get('redelivered messages', 0):,}",
                f"{c.get('idle pauses', 0) * per_k:.0f}",
                f"{c.get('batch', 0) / events * 1000:.2f}",
                f"{c.get('sql', 0) / events * 1000:.2f}",
                f"{c.get('run queue', 0) / events * 1000:.2f}",
                f"{c.get('nr_throttled', 0):,} / {c.get('throttled_usec', 0) / 1e6:.0f} s",
            ]
        )
    table(
        [
            "workers",
            "batches",
            "messages / events / rooms a batch",
            "SQL statements an event",
            "rooms' state loaded afresh",
            "credit recomputes /1k ev",
            "ledger lock take ms a batch",
            "lock tries missed / taken /1k ev",
            "fetches / empty /1k ev",
            "redelivered",
            "idle pauses /1k ev",
            "batch thread ms an event",
            "of it in SQL",
            "ms an event waiting for a CPU",
            "throttled periods / time",
        ],
        rows,
    )


async def _delete(nats_url: str, bus: Bus) -> None:
    import nats

    client = await nats.connect(nats_url)
    js = client.jetstream()
    with contextlib.suppress(Exception):
        await js.delete_stream(bus.stream)
    with contextlib.suppress(Exception):
        await js.delete_key_value(f"{bus.stream}_HOLDERS")
    await client.close()


def _admin(server: str) -> str:
    return server.replace("postgresql+psycopg://", "postgresql://").rstrip("/") + "/postgres"


def _template(server: str, cache: Path) -> str:
    """A database with the schema and the demo data, made once and kept (with the data
    folder it was made with: its keys and blobs) as the template of every throwaway one:
    loading the demo takes a minute on a busy machine, a copy a second."""
    import psycopg
    from alembic.script import ScriptDirectory

    from liveguard.migrations import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    name = f"liveguard_evening_tpl_{head}"
    folder = cache / name
    with psycopg.connect(_admin(server), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and folder.exists():
            return name
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _, factory = setup(server.rstrip("/") + "/" + name, folder)
    factory.kw["bind"].dispose()
    return name


@contextlib.contextmanager
def throwaway_database(server: str, data_dir: Path, cache: Path):
    """A new database copied from the template (and its data folder into ``data_dir``),
    dropped afterwards."""
    import psycopg

    template = _template(server, cache)
    shutil.copytree(cache / template, data_dir, dirs_exist_ok=True)
    name = f"liveguard_evening_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin(server), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield server.rstrip("/") + "/" + name
    finally:
        with psycopg.connect(_admin(server), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_apis(settings, args) -> tuple[list[subprocess.Popen], list[int]]:
    env = {
        **os.environ,
        "LIVEGUARD_DATABASE_URL": settings.database_url,
        "LIVEGUARD_DATA_DIR": str(settings.data_dir),
        "LIVEGUARD_NATS_URL": args.nats_url,
    }
    ports = [free_port() for _ in range(args.api)]
    procs = []
    for port in ports:
        command = [sys.executable, "-m", "liveguard.cli.main", "serve", "--no-migrate"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
        log = open(Path(settings.data_dir) / f"api-{port}.log", "w")  # noqa: SIM115
        procs.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    for port in ports:
        if not wait_port(port, 60):
            raise SystemExit(f"the API process on port {port} did not start")
    return procs, ports


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:,.0f}" if values else "-"


def report(runs: list[Run], args) -> None:
    cap = f"each worker capped at {args.worker_cpu} core" if args.worker_cpu else "workers uncapped"
    section(f"the evening: {args.rooms:,} rooms ({args.busy} ten times busier), {cap}")
    rows = []
    for run in runs:
        cpu = sum(run.worker_cpu)
        rows.append(
            [
                run.workers,
                f"{run.offered:,.0f}",
                f"{run.events / run.seconds:,.0f}" + ("" if run.kept_up else " (saturated)"),
                f"{ms(run.latency, 50)} / {ms(run.latency, 99)}",
                f"{ms(run.busy_latency, 50)} / {ms(run.busy_latency, 99)}",
                f"{run.warnings}/{run.flagged}",
                " ".join(f"{c:.1f}" for c in run.worker_cpu),
                " ".join(f"{r / 1024:.0f}" for r in run.worker_rss),
                f"{run.events / cpu:,.0f}" if cpu else "-",
                f"{run.peak_lag:,} / {run.end_lag:,}",
            ]
        )
    table(
        [
            "workers",
            "offered ev/s",
            "stored ev/s",
            "warning p50/p99 ms",
            "busy rooms p50/p99 ms",
            "warnings",
            "worker CPU s",
            "worker RSS MB",
            "events per worker CPU s",
            "lag peak / at end",
        ],
        rows,
    )
    # against the run with the fewest workers, whatever the order: runs in the same
    # database pay more for later events (the rooms' party's findings pile up, and its
    # credit recompute reads them), so --workers 4,2,1 after 1,2,4 cancels the order out
    base = min(runs, key=lambda run: run.workers)
    base_rate = base.events / base.seconds
    base_eff = base.events / sum(base.worker_cpu) if sum(base.worker_cpu) else 0
    for run in sorted((r for r in runs if r is not base), key=lambda r: r.workers):
        measured = (run.events / run.seconds) / base_rate
        eff = run.events / sum(run.worker_cpu) if sum(run.worker_cpu) else 0
        by_cpu = run.workers * eff / base_eff if base_eff else 0
        goal = {2: 1.8, 4: 3.5}.get(run.workers)
        print(
            f"  scaling {run.workers}/{base.workers}: measured {measured:.2f}x"
            + ("" if not (run.kept_up and base.kept_up) else " (both kept up: not capacity)")
            + f"; by CPU time {by_cpu:.2f}x"
            + (f" (goal >= {goal})" if goal else "")
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument(
        "--quick", action="store_true", help="about a minute: 100 rooms, 6 s, one worker"
    )
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database (default: a throwaway one)"
    )
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--nats-url", default="nats://127.0.0.1:4222")
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--busy", type=int, default=10, help="rooms ten times busier")
    parser.add_argument("--flagged", type=int, default=150, help="rooms whose anchor diverts once")
    parser.add_argument("--seconds", type=float, default=60, help="the evening's length a run")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument(
        "--worker-cpu", type=float, default=0.25, help="cores a worker (0: uncapped)"
    )
    parser.add_argument("--api", type=int, default=2, help="API processes")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100, help="messages a worker fetches")
    parser.add_argument("--drain-timeout", type=float, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cache",
        default=str(Path.home() / ".cache" / "liveguard-evening"),
        help="where the template database's data folder is kept",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="count each worker's costs (batches, SQL, room state, fetches, lock waits, "
        "throttling) and profile its batch thread",
    )
    parser.add_argument("--keep", help="a data folder to keep (the workers' and APIs' logs)")
    args = parser.parse_args(argv)
    if args.quick:  # what was not given
        given = set(argv if argv is not None else sys.argv[1:])
        quick = {"--rooms": 100, "--busy": 3, "--flagged": 30, "--seconds": 6, "--workers": "1"}
        for option, value in quick.items():
            if option not in given:
                setattr(args, option[2:], value)
        args.drain_timeout = 30 if "--drain-timeout" not in given else args.drain_timeout
    args.flagged = min(max(args.flagged, args.busy), args.rooms)
    counts = [int(n) for n in args.workers.split(",")]
    with contextlib.ExitStack() as stack:
        if args.keep:
            tmp = Path(args.keep)
            tmp.mkdir(parents=True, exist_ok=True)
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="evening-")))
        started = time.perf_counter()
        url = args.database_url or stack.enter_context(
            throwaway_database(args.server, tmp, Path(args.cache))
        )
        settings, factory = setup(url, tmp)  # migrated and loaded already: a no-op
        print(f"database {url.split('@')[-1]} ready in {time.perf_counter() - started:.0f} s")
        apis, ports = start_apis(settings, args)
        try:
            runs = []
            for i, n in enumerate(counts):
                runs.append(one_run(args, settings, factory, ports, n, args.seed + i))
                r = runs[-1]
                print(
                    f"  {n} worker(s): {r.events:,} events in {r.seconds:.1f} s, "
                    f"{r.warnings}/{r.flagged} warnings",
                    flush=True,
                )
        finally:
            for proc in apis:
                proc.terminate()
            for proc in apis:
                proc.wait(30)
            factory.kw["bind"].dispose()
        report(runs, args)
        if args.profile:
            report_counts(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
