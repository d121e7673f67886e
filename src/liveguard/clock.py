"""The time source, replaceable in tests. Dates are counted in China's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

# China keeps one zone without daylight saving, so a fixed offset needs no tz database.
CHINA = timezone(timedelta(hours=8), "CST")


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(CHINA).date()


@dataclass
class FixedClock(Clock):
    at: datetime

    def now(self) -> datetime:
        return self.at
