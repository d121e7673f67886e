"""The bus as staff see it: each NATS JetStream partition's backlog, the worker on it, and
an alert when it falls behind (``/console/live/bus``, ``GET /api/live/bus``).

JetStream knows each partition consumer's backlog (``num_pending``: not yet delivered),
what is delivered and not yet acknowledged (``num_ack_pending``) and how much of that came
more than once (``num_redelivered``). It does not know which worker is storing what: a
worker takes a partition's lock batch by batch (``partitions.py``), so each worker writes
a heartbeat every few seconds (``live_bus_workers``) and, for each partition it stored a
batch of since the last beat, that it holds it (``live_bus_claims``). One upsert per
partition per beat, never one per batch: the view costs the hot path nothing.

Thresholds are data (``data/bus.yaml``). Without ``LIVEGUARD_NATS_URL`` the HTTP and
WebSocket ingest store events inside the request: there is no queue to show.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.live.models import LiveBusClaim, LiveBusWorker
from liveguard.live.schemas import (
    BusPartitionRead,
    BusRead,
    BusStreamRead,
    BusWorkerRead,
)

log = logging.getLogger(__name__)

DEFAULT_STREAM = "LIVEGUARD_EVENTS"  # worker.BUS.stream (not imported: worker needs this)
# A partition's consumer is <durable>-<k> (worker.Bus.consumer).
_CONSUMER = re.compile(r"^(?P<durable>.+)-(?P<k>\d+)$")
NATS_TIMEOUT = 2.0  # seconds: the view says NATS is away rather than hang the page


class BusSettings(Strict):
    lag_alert_messages: int = Field(ge=1)
    heartbeat_seconds: float = Field(gt=0)
    lost_after_seconds: float = Field(gt=0)
    idle_alert_seconds: float = Field(gt=0)


@cache
def bus_settings() -> BusSettings:
    return datafiles.load("liveguard.live", "bus.yaml", BusSettings)


# --- the alert --------------------------------------------------------------------------


def partition_alert(
    *,
    lag: int,
    redelivered: int,
    held_at: datetime | None,
    now: datetime,
    settings: BusSettings,
) -> str | None:
    """Why staff should look at a partition, in Chinese, or None.

    Over the lag limit: falling behind. A backlog that no worker has taken a batch of for
    ``idle_alert_seconds`` (or ever): nobody is working it, whatever its size. Messages
    delivered again: a worker died or timed out mid-batch (each is stored once anyway)."""
    if lag > settings.lag_alert_messages:
        limit = settings.lag_alert_messages
        return f"积压 {lag} 条，超过告警阈值 {limit} 条：处理跟不上，请增加 worker"
    idle = held_at is None or now - held_at > timedelta(seconds=settings.idle_alert_seconds)
    if lag > 0 and idle:
        return f"积压 {lag} 条，{int(settings.idle_alert_seconds)} 秒内没有 worker 处理"
    if redelivered > 0:
        return f"{redelivered} 条消息被重新投递：有 worker 中途退出或超时"
    return None


# --- what NATS says ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConsumerState:
    stream: str
    consumer: str
    partition: int
    pending: int
    ack_pending: int
    redelivered: int


@dataclass
class NatsState:
    streams: list[BusStreamRead] = field(default_factory=list)
    consumers: list[ConsumerState] = field(default_factory=list)


async def read_nats(nats_url: str, streams: Sequence[str]) -> NatsState:
    """Each stream's size and its partition consumers' counters, asked once."""
    import nats
    from nats.js.errors import NotFoundError

    client = await nats.connect(
        nats_url,
        connect_timeout=NATS_TIMEOUT,
        allow_reconnect=False,
        max_reconnect_attempts=0,
        name="liveguard-bus-view",
    )
    try:
        jsm = client.jsm()
        state = NatsState()
        for name in streams:
            try:
                info = await jsm.stream_info(name)
            except NotFoundError:
                state.streams.append(BusStreamRead(name=name, found=False))
                continue
            s = info.state
            state.streams.append(
                BusStreamRead(
                    name=name,
                    found=True,
                    messages=s.messages,
                    bytes=s.bytes,
                    first_seq=s.first_seq,
                    last_seq=s.last_seq,
                    consumers=s.consumer_count,
                )
            )
            for consumer in await jsm.consumers_info(name):
                match = _CONSUMER.match(consumer.name or "")
                if match is None:
                    continue  # not a partition's consumer
                state.consumers.append(
                    ConsumerState(
                        stream=name,
                        consumer=consumer.name or "",
                        partition=int(match["k"]),
                        pending=consumer.num_pending or 0,
                        ack_pending=consumer.num_ack_pending or 0,
                        redelivered=consumer.num_redelivered or 0,
                    )
                )
        return state
    finally:
        await client.close()


# --- the view ---------------------------------------------------------------------------


def _alive(seen_at: datetime, stopped_at: datetime | None, now: datetime, s: BusSettings) -> bool:
    return stopped_at is None and now - seen_at <= timedelta(seconds=s.lost_after_seconds)


def status(*, db_session: Session, nats_url: str | None, now: datetime) -> BusRead:
    """The bus now. Call it from a thread without a running event loop (a sync route)."""
    settings = bus_settings()
    workers = db_session.scalars(select(LiveBusWorker).order_by(LiveBusWorker.name)).all()
    worker_reads = [
        BusWorkerRead(
            name=w.name,
            host=w.host,
            pid=w.pid,
            stream=w.stream,
            partitions=w.partitions,
            started_at=w.started_at,
            seen_at=w.seen_at,
            stopped_at=w.stopped_at,
            alive=_alive(w.seen_at, w.stopped_at, now, settings),
            batches=w.batches,
            messages=w.messages,
        )
        for w in workers
    ]
    base = BusRead(
        nats_configured=bool(nats_url),
        lag_alert_messages=settings.lag_alert_messages,
        workers=worker_reads,
        checked_at=now,
    )
    if not nats_url:
        return base.model_copy(update={"in_process_queue": 0})
    streams = sorted({DEFAULT_STREAM, *(w.stream for w in workers)})
    try:
        found = asyncio.run(asyncio.wait_for(read_nats(nats_url, streams), NATS_TIMEOUT * 2))
    except Exception as error:  # away, refused, timed out: say so on the page
        log.warning("bus view: NATS at %s did not answer: %s", nats_url, error)
        problem = f"NATS 无法连接（{type(error).__name__}）：{error}".rstrip("：")
        return base.model_copy(update={"error": problem, "alerts": [problem]})
    alive = {w.name for w in worker_reads if w.alive}
    claims = {
        (c.stream, c.partition): c
        for c in db_session.scalars(select(LiveBusClaim).where(LiveBusClaim.stream.in_(streams)))
    }
    partitions = []
    for c in sorted(found.consumers, key=lambda c: (c.stream, c.partition)):
        claim = claims.get((c.stream, c.partition))
        lag = c.pending + c.ack_pending
        held_at = claim.claimed_at if claim else None
        partitions.append(
            BusPartitionRead(
                stream=c.stream,
                partition=c.partition,
                consumer=c.consumer,
                pending=c.pending,
                ack_pending=c.ack_pending,
                redelivered=c.redelivered,
                lag=lag,
                holder=claim.worker if claim else None,
                held_at=held_at,
                holder_alive=bool(claim and claim.worker in alive),
                alert=partition_alert(
                    lag=lag,
                    redelivered=c.redelivered,
                    held_at=held_at,
                    now=now,
                    settings=settings,
                ),
            )
        )
    alerts = [f"{p.stream} 分区 {p.partition}：{p.alert}" for p in partitions if p.alert]
    if any(s.found for s in found.streams) and not alive:
        alerts.insert(0, "没有在线的监控 worker：请启动 liveguard monitor")
    return base.model_copy(
        update={"streams": found.streams, "partitions": partitions, "alerts": alerts}
    )


# --- the workers' side ------------------------------------------------------------------


@dataclass
class Heartbeat:
    """What a worker says about itself every ``heartbeat_seconds``."""

    stream: str
    partitions: int
    started_at: datetime
    name: str = ""
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    batches: int = 0
    messages: int = 0
    # partition -> (its batches and messages by this worker, the last one's time)
    held: dict[int, tuple[int, int, datetime]] = field(default_factory=dict)
    _since: set[int] = field(default_factory=set)  # partitions stored since the last beat

    def __post_init__(self) -> None:
        self.name = self.name or f"monitor-{self.pid}@{self.host}"

    def stored(self, partition: int, messages: int, at: datetime) -> None:
        batches, total, _ = self.held.get(partition, (0, 0, at))
        self.held[partition] = (batches + 1, total + messages, at)
        self.batches += 1
        self.messages += messages
        self._since.add(partition)

    def beat(self, *, db_session: Session, now: datetime, stopped: bool = False) -> None:
        """Upsert this worker's row and the partitions it stored since the last beat."""
        postgres = db_session.get_bind().dialect.name == "postgresql"
        insert: Any = postgresql_insert if postgres else sqlite_insert
        row = {
            "name": self.name,
            "host": self.host[:200],
            "pid": self.pid,
            "stream": self.stream,
            "partitions": self.partitions,
            "started_at": self.started_at,
            "seen_at": now,
            "stopped_at": now if stopped else None,
            "batches": self.batches,
            "messages": self.messages,
        }
        statement = insert(LiveBusWorker).values(row)
        db_session.execute(
            statement.on_conflict_do_update(
                index_elements=["name"], set_={k: v for k, v in row.items() if k != "name"}
            )
        )
        for k in sorted(self._since):
            batches, messages, at = self.held[k]
            claim = {
                "stream": self.stream,
                "partition": k,
                "worker": self.name,
                "claimed_at": at,
                "batches": batches,
                "messages": messages,
            }
            statement = insert(LiveBusClaim).values(claim)
            db_session.execute(
                statement.on_conflict_do_update(
                    index_elements=["stream", "partition"],
                    set_={k: v for k, v in claim.items() if k not in ("stream", "partition")},
                )
            )
        self._since.clear()
