"""Counting findings on DuckDB: every count agrees with counting the same rows one by one
in Python, days are Beijing days, and each finding falls under its harm, merchant and
anchor."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import numpy as np

from liveguard.clock import CHINA
from liveguard.reports import analytics, harms
from liveguard.reports.analytics import Period, Room

PERIOD = Period(date(2026, 6, 1), date(2026, 6, 20))
CATEGORIES = ["absolute_terms", "diversion", "false_promises", "medical_claims", "novel"]


def _rows(n: int, seed: int = 7) -> list[tuple[datetime, str, str, int]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        at = PERIOD.since + timedelta(seconds=rng.randrange(20 * 86400))
        category = rng.choice(CATEGORIES)
        rows.append(
            (at.astimezone(UTC), category, f"{category}.r{rng.randrange(3)}", rng.randrange(1, 9))
        )
    return rows


def _columns(rows: list[tuple[datetime, str, str, int]]) -> dict[str, np.ndarray]:
    """The rows as the live service hands out its columns: naive-UTC times in numpy."""
    return analytics.with_days(
        {
            "created_at": np.array(
                [r[0].astimezone(UTC).replace(tzinfo=None) for r in rows], dtype="datetime64[us]"
            ),
            "category": np.array([r[1] for r in rows], dtype=object),
            "rule": np.array([r[2] for r in rows], dtype=object),
            "session_id": np.array([r[3] for r in rows], dtype=np.int64),
        },
        PERIOD,
    )


ROOMS = {s: Room(merchant_id=100 + s % 3, anchor_id=200 + s % 4) for s in range(1, 9)}


def test_every_count_agrees_with_counting_the_rows_one_by_one() -> None:
    rows = _rows(3000)
    counts = analytics.count_findings(_columns(rows), ROOMS, top=3)
    assert counts.total == 3000
    assert dict(counts.by_category) == dict(Counter(r[1] for r in rows))
    by_day = Counter(((r[0].astimezone(CHINA).date() - PERIOD.start).days, r[1]) for r in rows)
    assert counts.by_day == dict(by_day)
    sessions = Counter(r[3] for r in rows)
    assert [n for _, n in counts.top_sessions] == sorted(sessions.values(), reverse=True)[:3]
    merchants = Counter(ROOMS[r[3]].merchant_id for r in rows)
    assert counts.by_merchant == dict(merchants)
    per_party = Counter(
        (harms.of_finding(r[1], r[2]), ROOMS[r[3]].merchant_id, ROOMS[r[3]].anchor_id) for r in rows
    )
    assert counts.by_harm_party == dict(per_party)
    assert any(key[0] == harms.OTHER for key in counts.by_harm_party)  # "novel" is kept


def test_a_day_is_a_beijing_day() -> None:
    last_minute_of_june_1 = datetime(2026, 6, 1, 23, 59, tzinfo=CHINA)  # 15:59 UTC
    first_minute_of_june_2 = datetime(2026, 6, 2, 0, 0, tzinfo=CHINA)  # 16:00 UTC, June 1
    rows = [
        (last_minute_of_june_1.astimezone(UTC), "diversion", "diversion.x", 1),
        (first_minute_of_june_2.astimezone(UTC), "diversion", "diversion.x", 1),
    ]
    columns = _columns(rows)
    assert columns["day"].tolist() == [0, 1]
    assert PERIOD.since.astimezone(UTC) == datetime(2026, 5, 31, 16, 0, tzinfo=UTC)
    assert PERIOD.until.astimezone(UTC) == datetime(2026, 6, 20, 16, 0, tzinfo=UTC)


def test_no_findings_count_as_nothing() -> None:
    counts = analytics.count_findings(_columns([]), {})
    assert counts.total == 0 and counts.by_category == [] and counts.by_harm_party == {}


def test_the_median_is_the_lower_middle() -> None:
    assert analytics.median([]) is None
    assert analytics.median([5, 1, 3]) == 3
    assert analytics.median([4, 1, 3, 2]) == 2


def test_a_scheduled_run_covers_yesterday_or_the_last_full_week() -> None:
    from liveguard.reports import service
    from liveguard.reports.enums import Schedule

    wednesday = date(2026, 6, 24)
    assert service.period_of(Schedule.daily, wednesday) == Period(
        date(2026, 6, 23), date(2026, 6, 23)
    )
    assert service.period_of(Schedule.weekly, wednesday) == Period(
        date(2026, 6, 15), date(2026, 6, 21)
    )
    monday = date(2026, 6, 22)
    assert service.period_of(Schedule.weekly, monday) == Period(
        date(2026, 6, 15), date(2026, 6, 21)
    )
    assert service.month_period("2026-02") == Period(date(2026, 2, 1), date(2026, 2, 28))
