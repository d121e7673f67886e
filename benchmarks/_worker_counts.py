"""``liveguard monitor`` with its costs counted, for ``load_evening.py --profile``:

    python benchmarks/_worker_counts.py OUT.json monitor --nats-url ... (the CLI's arguments)

Counts what a batch costs: batches and their messages and events, SQL statements (each a
round trip), rooms whose state was kept from the process's last batch or loaded afresh,
party credit recomputes, lock tries taken and missed, NATS fetches and empty ones, idle
pauses, the time spent waiting for the ledger's lock, and the cgroup's throttling. The
batch thread is profiled as well (cProfile sees only the thread it is enabled in):
``OUT.prof``. Everything is written when the worker stops. Nothing in ``src`` changes.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import cProfile
import json
import sys
import threading
import time
import types
from collections import Counter
from pathlib import Path
from typing import Any

counts: Counter[str] = Counter()
seconds: Counter[str] = Counter()
_profile = cProfile.Profile()
_guard = threading.Lock()


def _cgroup() -> dict[str, int]:
    """The cpu.stat of this process's cgroup (v1 or v2): throttled periods and time. The
    benchmark puts each worker in a fresh group, so the counts are this worker's."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if "cpu" in controllers.split(","):
                stat = Path("/sys/fs/cgroup/cpu") / path.lstrip("/") / "cpu.stat"
            elif controllers == "":
                stat = Path("/sys/fs/cgroup") / path.lstrip("/") / "cpu.stat"
            else:
                continue
            if stat.exists() and path != "/":
                pairs = (x.split() for x in stat.read_text().splitlines())
                found = {k: int(v) for k, v in pairs}
                if "throttled_time" in found:  # v1 counts nanoseconds
                    found["throttled_usec"] = found.pop("throttled_time") // 1000
                return found
    except (OSError, ValueError):
        pass
    return {}


def _run_queue() -> float:
    """Seconds this process's threads were ready to run but waited for a CPU (schedstat's
    second field): the machine's contention, not the worker's own cost."""
    waited = 0
    for stat in Path("/proc/self/task").glob("*/schedstat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            waited += int(stat.read_text().split()[1])
    return waited / 1e9


def _wrap(owner: Any, name: str, key: str, *, timed: bool = False, profiled: bool = False) -> None:
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[key] += 1
        started = time.perf_counter()
        if profiled:
            with _guard:
                _profile.enable()
        try:
            return original(*args, **kwargs)
        finally:
            if profiled:
                _profile.disable()
            if timed:
                seconds[key] += time.perf_counter() - started

    setattr(owner, name, counted)


def _async_wrap(owner: Any, name: str, key: str, after: Any = None) -> None:
    original = getattr(owner, name)

    async def counted(*args: Any, **kwargs: Any) -> Any:
        counts[key] += 1
        result = await original(*args, **kwargs)
        if after is not None:
            after(args, kwargs, result)
        return result

    setattr(owner, name, counted)


def install() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from liveguard.credit import flows as credit_flows
    from liveguard.credit import service as credit_service
    from liveguard.evidence import service as ledger_service
    from liveguard.live import context, ingest, partitions, worker

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context_, executemany) -> None:
        counts["sql statements"] += 1
        if "advisory" in statement or "pg_locks" in statement:
            counts["sql lock statements"] += 1
        conn.info["lg_started"] = time.perf_counter()

    @event.listens_for(Engine, "after_cursor_execute")
    def _answered(conn, cursor, statement, parameters, context_, executemany) -> None:
        # from sending to the answer: the database's work and the wait for its locks
        seconds["sql"] += time.perf_counter() - conn.info.pop("lg_started", time.perf_counter())

    def batch_done(args: Any, kwargs: Any, result: Any) -> None:
        counts["messages"] += len(args[2]) if len(args) > 2 else 0

    _async_wrap(worker.Worker, "handle", "batches", batch_done)

    original_ingest = ingest.ingest_batch

    def ingest_batch(**kwargs: Any) -> Any:
        counts["events in batches"] += sum(len(v) for v in kwargs["groups"].values())
        counts["rooms in batches"] += len(kwargs["groups"])
        with _guard:
            _profile.enable()
        started = time.perf_counter()
        try:
            return original_ingest(**kwargs)
        finally:
            _profile.disable()
            seconds["batch"] += time.perf_counter() - started

    ingest.ingest_batch = ingest_batch
    _wrap(context.RoomState, "load", "room state loaded")
    _wrap(context.RoomState, "keep", "room state kept")
    _wrap(credit_flows, "facts_changed", "credit facts changed")
    _wrap(credit_service, "recompute", "credit recomputes (a party each)")
    original_state = ledger_service._read_state

    def read_state(db_session: Any, *, lock: bool) -> Any:
        started = time.perf_counter()
        try:
            return original_state(db_session, lock=lock)
        finally:
            if lock:  # the wait for the ledger's lock is in this statement
                counts["ledger lock takes"] += 1
                seconds["ledger lock take"] += time.perf_counter() - started

    ledger_service._read_state = read_state

    for cls in (partitions.AdvisoryLocks, partitions.FileLocks):
        original_acquire = cls.acquire

        def acquire(self: Any, partition: int, _original: Any = original_acquire) -> bool:
            got = _original(self, partition)
            counts["lock tries taken" if got else "lock tries missed"] += 1
            return got

        cls.acquire = acquire

    original_fetch = partitions.fetch_now

    async def fetch_now(*args: Any, **kwargs: Any) -> list[Any]:
        messages = await original_fetch(*args, **kwargs)
        counts["fetches"] += 1
        counts["empty fetches"] += not messages
        counts["redelivered messages"] += sum(
            1 for m in messages if getattr(m.metadata, "num_delivered", 1) > 1
        )
        return messages

    worker.fetch_now = fetch_now

    async def sleep(delay: float, *args: Any) -> Any:
        counts["idle pauses"] += 1
        seconds["idle pauses"] += delay
        return await asyncio.sleep(delay, *args)

    # the worker's own pauses only, not the NATS client's
    worker.asyncio = types.SimpleNamespace(**{**vars(asyncio), "sleep": sleep})

    out = Path(sys.argv[1])

    def dump() -> None:
        throttled = {k: v for k, v in _cgroup().items() if k in ("nr_throttled", "throttled_usec")}
        seconds["run queue"] = _run_queue()
        report = {
            "counts": dict(counts),
            "seconds": {k: round(v, 3) for k, v in seconds.items()},
            "cgroup": throttled,
        }
        out.write_text(json.dumps(report, indent=1))
        _profile.dump_stats(str(out.with_suffix(".prof")))

    atexit.register(dump)


def main() -> None:
    install()
    from liveguard.cli.main import app

    sys.argv = ["liveguard", *sys.argv[2:]]
    with contextlib.suppress(SystemExit):  # atexit writes the counts
        app()


if __name__ == "__main__":
    main()
