"""The bus as staff see it (``/console/live/bus``, ``GET /api/live/bus``): what
``bus.status`` reads from JetStream (each partition's backlog, unacknowledged and
redelivered messages, the worker that stored its last batch), with each partition's lag
and an alert when it falls behind. Thresholds are data (``data/bus.yaml``).

Without ``LIVEGUARD_NATS_URL`` there is no bus: HTTP and WebSocket ingest store, monitor
and act on events inside the request, so nothing queues (the view says so).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from pydantic import BaseModel, Field

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.live.schemas import BusStatus, PartitionStatus


class BusSettings(Strict):
    lag_alert_messages: int = Field(ge=1)
    idle_alert_seconds: float = Field(gt=0)


@cache
def bus_settings() -> BusSettings:
    return datafiles.load("liveguard.live", "bus.yaml", BusSettings)


def partition_alert(
    *,
    lag: int,
    redelivered: int,
    held_at: datetime | None,
    now: datetime,
    settings: BusSettings,
) -> str | None:
    """Why staff should look at a partition, in Chinese, or None.

    Over the lag limit: falling behind. A backlog that no worker has stored a batch of for
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


class PartitionView(PartitionStatus):
    lag: int = Field(description="backlog + unacked: messages not yet stored")
    working: bool = Field(description="a worker stored a batch within idle_alert_seconds")
    alert: str | None = Field(description="why staff should look, in Chinese; null when well")


class BusView(BaseModel):
    """What ``GET /api/live/bus`` and ``/console/live/bus`` show."""

    nats_configured: bool
    reachable: bool = False
    error: str | None = None
    stream: str | None = None
    messages: int = 0
    bytes: int = 0
    lag_alert_messages: int
    idle_alert_seconds: float
    partitions: list[PartitionView] = Field(default_factory=list)
    alerts: list[str] = Field(default_factory=list)
    in_process_queue: int | None = Field(
        default=None, description="without NATS: events waiting in this process (none)"
    )
    checked_at: datetime


def view(status: BusStatus | None, *, now: datetime) -> BusView:
    """The view of a ``bus_status`` answer (None: NATS not configured)."""
    settings = bus_settings()
    base = BusView(
        nats_configured=status is not None,
        lag_alert_messages=settings.lag_alert_messages,
        idle_alert_seconds=settings.idle_alert_seconds,
        checked_at=now,
    )
    if status is None:
        return base.model_copy(update={"in_process_queue": 0})
    idle = timedelta(seconds=settings.idle_alert_seconds)
    partitions = []
    for p in status.partitions:
        lag = p.backlog + p.unacked
        alert = partition_alert(
            lag=lag, redelivered=p.redelivered, held_at=p.held_at, now=now, settings=settings
        )
        partitions.append(
            PartitionView(
                **p.model_dump(),
                lag=lag,
                working=p.held_at is not None and now - p.held_at <= idle,
                alert=alert,
            )
        )
    alerts = [f"分区 {p.partition}：{p.alert}" for p in partitions if p.alert]
    if not status.reachable:
        alerts.insert(0, f"NATS 无法连接：{status.error}")
    elif status.error:  # reachable, but no stream yet: no worker has ever started
        alerts.insert(0, f"流 {status.stream} 还不存在：还没有监控 worker 启动过")
    return base.model_copy(
        update={
            "reachable": status.reachable,
            "error": status.error,
            "stream": status.stream,
            "messages": status.messages,
            "bytes": status.bytes,
            "partitions": partitions,
            "alerts": alerts,
        }
    )
