"""Counting a period's findings on DuckDB: the rows come from the live capability's
service as one stream, become numpy columns, and every count the report needs (by
category, by day, by room, by merchant, by harm and party) is one SQL query over them.

Why DuckDB over the columns rather than the database's own GROUP BY: a report asks
five questions of the same million rows, and the database would scan them five times
(SQLite scans one row at a time); here they are read once and each question is a
vectorised pass over columns in memory (benchmarks/bench_reports.py has the figures).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import numpy as np

from liveguard.clock import CHINA
from liveguard.reports import harms


@dataclass(frozen=True)
class Period:
    """Whole days in Beijing time, both ends included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        """The first moment (aware)."""
        return datetime.combine(self.start, time(0, 0), CHINA)

    @property
    def until(self) -> datetime:
        """The moment after the last day (aware, exclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time(0, 0), CHINA)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def day_index(self, moment: datetime) -> int:
        """Which day of the period a moment falls on, in Beijing time (0 = the first)."""
        return (moment.astimezone(CHINA).date() - self.start).days


@dataclass(frozen=True)
class Room:
    """What the counts need of a live session."""

    merchant_id: int
    anchor_id: int


@dataclass
class FindingCounts:
    total: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_day: dict[tuple[int, str], int] = field(default_factory=dict)  # (day index, category)
    top_sessions: list[tuple[int, int]] = field(default_factory=list)
    by_merchant: dict[int, int] = field(default_factory=dict)
    # (harm, merchant, anchor) -> findings
    by_harm_party: dict[tuple[str, int, int], int] = field(default_factory=dict)


def with_days(columns: Mapping[str, np.ndarray], period: Period) -> dict[str, np.ndarray]:
    """The findings' columns with ``day``, the Beijing day of the period each was made on
    (0 = the first), computed on the whole column at once from its UTC times."""
    since = np.datetime64(period.since.astimezone(UTC).replace(tzinfo=None), "us")
    days = (columns["created_at"] - since) // np.timedelta64(1, "D")
    return {
        "day": days.astype(np.int32),
        "category": columns["category"],
        "rule": columns["rule"],
        "session_id": columns["session_id"],
    }


def count_findings(
    columns: Mapping[str, np.ndarray],
    rooms: Mapping[int, Room],
    *,
    table: harms.Mapping | None = None,
    top: int = 10,
) -> FindingCounts:
    """Every count a report takes from its findings, one DuckDB query each."""
    table = table or harms.mapping()
    counts = FindingCounts(total=len(columns["day"]))
    if counts.total == 0:
        return counts
    ids = sorted(rooms)
    con = duckdb.connect()
    try:
        con.register("findings", dict(columns))
        con.register(
            "rooms",
            {
                "session_id": np.array(ids, dtype=np.int64),
                "merchant_id": np.array([rooms[i].merchant_id for i in ids], dtype=np.int64),
                "anchor_id": np.array([rooms[i].anchor_id for i in ids], dtype=np.int64),
            },
        )
        con.register("category_harms", _pairs("category", table.categories))
        con.register("rule_harms", _pairs("rule", table.rules))
        counts.by_category = [
            (str(c), int(n))
            for c, n in con.sql(
                "select category, count(*) n from findings group by 1 order by n desc, 1"
            ).fetchall()
        ]
        counts.by_day = {
            (int(d), str(c)): int(n)
            for d, c, n in con.sql(
                "select day, category, count(*) from findings group by 1, 2"
            ).fetchall()
        }
        counts.top_sessions = [
            (int(s), int(n))
            for s, n in con.sql(
                f"select session_id, count(*) n from findings group by 1 "
                f"order by n desc, 1 limit {int(top)}"
            ).fetchall()
        ]
        per_party = con.sql(
            f"""
            select coalesce(r.harm, c.harm, '{harms.OTHER}') harm,
                   s.merchant_id, s.anchor_id, count(*) n
            from findings f
            join rooms s using (session_id)
            left join category_harms c on c.category = f.category
            left join rule_harms r on r.rule = f.rule
            group by 1, 2, 3
            """
        ).fetchall()
    finally:
        con.close()
    for harm, merchant_id, anchor_id, n in per_party:
        counts.by_harm_party[(str(harm), int(merchant_id), int(anchor_id))] = int(n)
        counts.by_merchant[int(merchant_id)] = counts.by_merchant.get(int(merchant_id), 0) + int(n)
    return counts


def _pairs(key: str, mapping: Mapping[str, str]) -> dict[str, np.ndarray]:
    keys = sorted(mapping)
    return {
        key: np.array(keys, dtype=object),
        "harm": np.array([mapping[k] for k in keys], dtype=object),
    }


def median(values: list[int]) -> int | None:
    """The middle value (the lower of the two middles), or None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]
