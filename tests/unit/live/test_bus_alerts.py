"""When the bus view raises an alert for a partition (thresholds from data/bus.yaml)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from liveguard.live.bus_view import BusSettings, bus_settings, partition_alert, view
from liveguard.live.schemas import BusStatus, PartitionStatus

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SETTINGS = BusSettings(lag_alert_messages=100, idle_alert_seconds=60)


def alert(lag: int, held_ago: float | None = 1.0, redelivered: int = 0) -> str | None:
    held_at = None if held_ago is None else NOW - timedelta(seconds=held_ago)
    return partition_alert(
        lag=lag, redelivered=redelivered, held_at=held_at, now=NOW, settings=SETTINGS
    )


def test_a_partition_at_the_limit_is_quiet_and_one_message_over_it_alerts() -> None:
    assert alert(100) is None
    over = alert(101)
    assert over is not None
    assert "101" in over and "阈值 100" in over


def test_a_backlog_no_worker_has_touched_for_the_idle_limit_alerts_whatever_its_size() -> None:
    assert alert(1, held_ago=59) is None
    idle = alert(1, held_ago=61)
    assert idle is not None and "没有 worker" in idle
    never = alert(3, held_ago=None)
    assert never is not None and "没有 worker" in never


def test_an_empty_partition_needs_no_worker() -> None:
    assert alert(0, held_ago=None) is None
    assert alert(0, held_ago=3600) is None


def test_redelivered_messages_are_reported_below_the_limit() -> None:
    redelivered = alert(5, redelivered=5)
    assert redelivered is not None and "重新投递" in redelivered


def test_the_lag_alert_comes_before_the_others() -> None:
    over = alert(500, held_ago=None, redelivered=3)
    assert over is not None and "阈值" in over


def test_the_shipped_thresholds_parse() -> None:
    shipped = bus_settings()
    assert shipped.lag_alert_messages >= 1 and shipped.idle_alert_seconds >= 10


@pytest.mark.parametrize("lag", [0, 1, 99, 100])
def test_no_alert_for_a_worked_partition_within_the_limit(lag: int) -> None:
    assert alert(lag, held_ago=2) is None


def _status(**fields) -> BusStatus:
    return BusStatus(reachable=True, stream="LIVEGUARD_EVENTS", **fields)


def _partition(k: int, backlog: int, unacked: int = 0, held_ago: float | None = 1.0):
    return PartitionStatus(
        partition=k,
        subject=f"liveguard.events.*.{k}",
        consumer=f"monitor-{k}",
        exists=True,
        backlog=backlog,
        unacked=unacked,
        redelivered=0,
        holder=None if held_ago is None else "monitor-7@host",
        held_at=None if held_ago is None else NOW - timedelta(seconds=held_ago),
    )


def test_the_view_adds_each_partitions_lag_and_lists_its_alerts() -> None:
    shipped = bus_settings().lag_alert_messages
    status = _status(
        partitions=[_partition(0, shipped, 1), _partition(1, 0, held_ago=None), _partition(2, 2)]
    )
    found = view(status, now=NOW)
    assert [p.lag for p in found.partitions] == [shipped + 1, 0, 2]
    assert [p.working for p in found.partitions] == [True, False, True]
    assert len(found.alerts) == 1 and found.alerts[0].startswith("分区 0：")


def test_without_nats_the_view_says_nothing_queues() -> None:
    found = view(None, now=NOW)
    assert found.nats_configured is False and found.in_process_queue == 0
    assert found.partitions == [] and found.alerts == []


def test_a_nats_away_or_a_stream_not_yet_made_is_an_alert() -> None:
    away = view(BusStatus(reachable=False, error="timeout", stream="S"), now=NOW)
    assert away.alerts == ["NATS 无法连接：timeout"]
    none_yet = view(_status(error="no stream LIVEGUARD_EVENTS yet"), now=NOW)
    assert "还不存在" in none_yet.alerts[0]
