"""What kind of run made a report, apart from the tables so the CLI can name it."""

from __future__ import annotations

from enum import StrEnum


class Schedule(StrEnum):
    on_demand = "on_demand"  # asked for by staff, for any period
    daily = "daily"  # yesterday, Beijing time, by the timer
    weekly = "weekly"  # the last full week, Monday to Sunday, by the timer
