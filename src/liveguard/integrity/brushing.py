"""Order brushing by concentration, as platforms define it (Shopee's public rule), in DuckDB.

The rule: in any one-hour interval, closed at both ends, a shop's concentration is its
orders in the interval divided by the distinct buyers in it; an interval whose
concentration reaches the threshold (3, held as data) is a brushing interval. A shop's
suspicious buyers are those with the largest share of the shop's orders that lie inside
at least one brushing interval; a tie names them all.

"Any interval" is every [s, s + 1 h] for real s, not only those starting at an order. As s
slides, the set of orders inside changes only where s passes an order time t (t leaves)
or s + 1 h reaches one (s = t - 1 h, t enters). So every set an interval can hold is the
set at a breakpoint b (closed: [b, b + 1 h]) or just after one (open on the left:
(b, b + 1 h]); the latter matters when orders sit exactly on b, as ties at the same second
do. Times are counted in doubled microseconds so that both are plain window frames:
a probe at 2b sees [b, b + 1 h], a probe at 2b + 1 sees (b, b + 1 h], and no order sits
on an odd position. ``tests/unit/integrity/test_brushing.py`` checks it against a slow
reference that tries every interval, boundary cases included.

Speed: a distinct count over a sliding window is the costly part, so it runs only where
it can matter. Concentration >= 3 means orders >= 3 x buyers, so some buyer has three
orders inside the interval (if each had at most two there would be at most 2 x buyers),
and every order inside lies within an hour of those three. Windows are counted only over
the orders within an hour of a buyer's three orders in an hour; every other order of
every shop is left alone. For a threshold below 3 the same holds with two orders (any
concentration above 1 needs a buyer with two).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import duckdb

HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class Interval:
    """A stretch of a shop's time covered by brushing intervals (overlapping ones joined)."""

    start_us: int  # the first order inside, microseconds since the epoch (UTC)
    end_us: int  # the last order inside
    orders: int
    buyers: int
    concentration: float  # the highest of the brushing intervals it joins


@dataclass(frozen=True)
class ShopResult:
    shop: object
    intervals: list[Interval]
    suspicious: list[object]  # ascending
    share: float  # the suspicious buyers' (each one's) share of the shop's brushing orders
    orders: list[tuple[str, object, int]]  # (order_no, buyer, at_us) inside brushing intervals


def _repeat_needed(threshold: Decimal) -> int:
    """How many orders one buyer must have inside an interval for it to reach ``threshold``:
    orders >= threshold x buyers needs a buyer with at least ceil(threshold) of them."""
    return max(2, math.ceil(threshold))


def detect(
    connection: duckdb.DuckDBPyConnection,
    *,
    source: str = "b_orders",
    threshold: Decimal = Decimal(3),
    window_us: int = HOUR_US,
) -> list[ShopResult]:
    """Brushing per shop over ``source`` (columns ``order_no, shop, buyer, us``: the payment
    time in microseconds); shops without brushing are left out (see ``shops``)."""
    repeat = _repeat_needed(threshold)
    sql = _SQL.format(source=source, lag=repeat - 1)
    params: dict[str, object] = {"w": window_us, "threshold": float(threshold)}
    run_script(connection, sql, params)
    intervals: dict[object, list[Interval]] = {}
    for shop, start, end, count, buyers, peak in connection.execute(
        "SELECT shop, first_us, last_us, orders, buyers, peak FROM b_islands "
        "ORDER BY shop, first_us"
    ).fetchall():
        intervals.setdefault(shop, []).append(Interval(start, end, count, buyers, peak))
    suspects: dict[object, tuple[list[object], float]] = {}
    for shop, buyers, share in connection.execute(
        "SELECT shop, list(buyer ORDER BY buyer), any_value(share) FROM b_suspects GROUP BY shop"
    ).fetchall():
        suspects[shop] = (buyers, share)
    orders: dict[object, list[tuple[str, object, int]]] = {}
    for shop, order_no, buyer, at in connection.execute(
        "SELECT i.shop, i.order_no, i.buyer, i.us FROM b_inside i "
        "SEMI JOIN b_suspects s ON i.shop = s.shop AND i.buyer = s.buyer ORDER BY i.shop, i.us"
    ).fetchall():
        orders.setdefault(shop, []).append((order_no, buyer, at))
    return [
        ShopResult(shop, intervals[shop], suspects[shop][0], suspects[shop][1], orders[shop])
        for shop in sorted(intervals, key=_sort_key)
    ]


def run_script(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    """Run statements split on ``;``, each given the ``$name`` parameters it names."""
    for statement in sql.split(";"):
        if statement.strip():
            used = {k: v for k, v in params.items() if f"${k}" in statement}
            connection.execute(statement, used or None)


def _sort_key(value: object) -> tuple[int, object]:
    return (0, value) if isinstance(value, int) else (1, str(value))


def shops(connection: duckdb.DuckDBPyConnection, *, source: str = "b_orders") -> list[object]:
    """Every shop in ``source``, ascending."""
    found = connection.execute(f"SELECT DISTINCT shop FROM {source} ORDER BY 1").fetchall()
    return [r[0] for r in found]


_SQL = """
-- a buyer's `lag + 1` orders in one shop within the window: every brushing interval holds
-- such a run, and all its orders lie within [last - w, first + w] of it
-- (a hash aggregate first: most buyers pay a shop once or twice, and sorting them all by
-- shop and buyer for the window took 1.7x as long as the aggregate and the smaller window)
CREATE OR REPLACE TEMP TABLE b_spans AS
WITH repeat AS (
    SELECT shop, buyer FROM {source} GROUP BY shop, buyer HAVING count(*) > {lag}
)
SELECT shop, us - $w AS lo, first_us + $w AS hi
FROM (
    SELECT shop, us, lag(us, {lag}) OVER (PARTITION BY shop, buyer ORDER BY us) AS first_us
    FROM {source} SEMI JOIN repeat USING (shop, buyer)
)
WHERE us - first_us <= $w;

-- those spans joined where they overlap, per shop
CREATE OR REPLACE TEMP TABLE b_hot AS
SELECT shop, min(lo) AS lo, max(hi) AS hi
FROM (
    SELECT shop, lo, hi,
           sum(fresh) OVER (PARTITION BY shop ORDER BY lo, hi ROWS UNBOUNDED PRECEDING) AS run
    FROM (
        SELECT shop, lo, hi,
               CASE WHEN lo <= max(hi) OVER (PARTITION BY shop ORDER BY lo, hi
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                    THEN 0 ELSE 1 END AS fresh
        FROM b_spans
    )
)
GROUP BY shop, run;

CREATE OR REPLACE TEMP TABLE b_near AS
SELECT o.order_no, o.shop, o.buyer, o.us
FROM {source} o JOIN b_hot h ON o.shop = h.shop AND o.us BETWEEN h.lo AND h.hi;

-- probes at every breakpoint b (an order time, or an hour before one): 2b sees [b, b + w],
-- 2b + 1 sees (b, b + w], and orders sit at 2t
CREATE OR REPLACE TEMP TABLE b_probes AS
WITH points AS (
    SELECT DISTINCT shop, us AS b FROM b_near
    UNION SELECT DISTINCT shop, us - $w FROM b_near
),
rows AS (
    SELECT shop, 2 * us AS pos, buyer, TRUE AS is_order FROM b_near
    UNION ALL SELECT shop, 2 * b, NULL, FALSE FROM points
    UNION ALL SELECT shop, 2 * b + 1, NULL, FALSE FROM points
),
counted AS (
    SELECT shop, pos, is_order,
           count(buyer) OVER frame AS orders,
           count(DISTINCT buyer) OVER frame AS buyers
    FROM rows
    WINDOW frame AS (PARTITION BY shop ORDER BY pos
                     RANGE BETWEEN CURRENT ROW AND 2 * $w FOLLOWING)
)
SELECT shop, pos AS lo, pos + 2 * $w AS hi, orders / buyers AS concentration
FROM counted
WHERE NOT is_order AND buyers > 0 AND orders >= $threshold * buyers;

-- brushing intervals joined where they overlap: a point of the union is in one of them
CREATE OR REPLACE TEMP TABLE b_cover AS
SELECT shop, min(lo) AS lo, max(hi) AS hi, max(concentration) AS peak
FROM (
    SELECT *, sum(fresh) OVER (PARTITION BY shop ORDER BY lo, hi ROWS UNBOUNDED PRECEDING) AS run
    FROM (
        SELECT *, CASE WHEN lo <= max(hi) OVER (PARTITION BY shop ORDER BY lo, hi
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                       THEN 0 ELSE 1 END AS fresh
        FROM b_probes
    )
)
GROUP BY shop, run;

CREATE OR REPLACE TEMP TABLE b_inside AS
SELECT n.order_no, n.shop, n.buyer, n.us, c.lo AS cover
FROM b_near n JOIN b_cover c ON n.shop = c.shop AND 2 * n.us BETWEEN c.lo AND c.hi;

CREATE OR REPLACE TEMP TABLE b_islands AS
SELECT i.shop, min(i.us) AS first_us, max(i.us) AS last_us, count(*) AS orders,
       count(DISTINCT i.buyer) AS buyers, any_value(c.peak) AS peak
FROM b_inside i JOIN b_cover c ON i.shop = c.shop AND i.cover = c.lo
GROUP BY i.shop, i.cover;

CREATE OR REPLACE TEMP TABLE b_suspects AS
WITH per_buyer AS (
    SELECT shop, buyer, count(*) AS n, sum(count(*)) OVER (PARTITION BY shop) AS total
    FROM b_inside GROUP BY shop, buyer
)
SELECT shop, buyer, n / total AS share
FROM per_buyer
QUALIFY n = max(n) OVER (PARTITION BY shop);
"""


def shopee_rows(connection: duckdb.DuckDBPyConnection, results: list[ShopResult]) -> list[str]:
    """``shopid,userid`` lines: every shop, ``0`` without brushing, buyers joined by ``&``."""
    found = {r.shop: r for r in results}
    lines = ["shopid,userid"]
    for shop in shops(connection):
        result = found.get(shop)
        buyers = "&".join(str(b) for b in result.suspicious) if result else "0"
        lines.append(f"{shop},{buyers}")
    return lines


def load_file(connection: duckdb.DuckDBPyConnection, path: str, *, shopee: bool = False) -> None:
    """An order file (CSV or Parquet) as ``b_orders``. Shopee's columns are
    ``orderid,shopid,userid,event_time``; ours ``order_no,merchant_id,buyer,paid_at``
    (docs/integrity.md). Times without an offset are read as they stand."""
    reader = (
        "read_parquet(?)" if path.lower().endswith(".parquet") else "read_csv(?, header = true)"
    )
    if shopee:
        names = "CAST(orderid AS VARCHAR), shopid, userid, event_time"
    else:
        names = "CAST(order_no AS VARCHAR), merchant_id, CAST(buyer AS VARCHAR), paid_at"
    connection.execute(
        f"""CREATE OR REPLACE TEMP TABLE b_orders AS
        SELECT order_no, shop, buyer, epoch_us(CAST(paid AS TIMESTAMPTZ)) AS us
        FROM (SELECT {names} FROM {reader}) AS t(order_no, shop, buyer, paid)""",
        [path],
    )
