"""When the bus view raises an alert for a partition (thresholds from data/bus.yaml)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from liveguard.live.bus import BusSettings, bus_settings, partition_alert

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SETTINGS = BusSettings(
    lag_alert_messages=100, heartbeat_seconds=5, lost_after_seconds=15, idle_alert_seconds=60
)


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


def test_the_shipped_thresholds_parse_and_beat_faster_than_a_worker_is_called_lost() -> None:
    shipped = bus_settings()
    assert shipped.lag_alert_messages >= 1
    assert shipped.heartbeat_seconds * 2 < shipped.lost_after_seconds
    assert shipped.lost_after_seconds <= shipped.idle_alert_seconds


@pytest.mark.parametrize("lag", [0, 1, 99, 100])
def test_no_alert_for_a_worked_partition_within_the_limit(lag: int) -> None:
    assert alert(lag, held_ago=2) is None
