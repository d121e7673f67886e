"""Lockstep buyer groups: accounts that buy from the same shops in the same short windows,
across many shops. A dense block in buyer x shop x time.

Which algorithm, and why. CopyCatch (Beutel et al., WWW 2013) defines the pattern we
look for: a group of at least m accounts that acted on at least n of the same targets, each
within one short window per target. FRAUDAR (Hooi et al., KDD 2016) finds the densest
such block by greedy peeling with camouflage-resistant weights (an edge into a column of
degree d weighs 1/log(d + 5)), with a guarantee on how far from the densest it can be,
and it stays right when fraudsters add honest-looking purchases. Both need candidate
blocks first; over a million orders we get them in DuckDB, not in Python:

1. each order becomes a cell (shop, time bucket) twice, buckets offset by half a window,
   so two purchases minutes apart never fall on a bucket edge in both;
2. cells with more buyers than ``crowd`` (a flash sale: hundreds buy in the same minutes)
   are left out of pairing: lockstep in a crowd is not evidence, and it is where the
   honest pairs would explode;
3. pairs of buyers sharing a cell, kept when they met in at least ``pair_shops`` different
   shops (a self-join with GROUP BY; a pair meeting in one shop is a shared taste);
4. connected components of those pairs (union-find over the kept pairs only, a few
   thousand edges, not the orders) are the candidate groups;
5. FRAUDAR's peeling (numpy) over each candidate's buyer x cell matrix gives the block,
   its density is the suspiciousness score, and the peel repeats on what is left to find
   a second block.

A block is a finding when it has at least ``min_members`` buyers in at least ``min_shops``
shops and a score of at least ``min_score`` (all data, integrity/data/integrity.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np


@dataclass(frozen=True)
class Params:
    window_us: int
    crowd: int
    pair_shops: int
    min_members: int
    min_shops: int
    min_score: float


@dataclass(frozen=True)
class Window:
    shop: object
    start_us: int
    end_us: int
    buyers: int


@dataclass(frozen=True)
class Group:
    score: float
    members: list[object]
    shops: list[object]
    windows: list[Window]
    orders: list[tuple[str, object, object, int]]  # (order_no, shop, buyer, at_us)


_SQL = """
CREATE OR REPLACE TEMP TABLE l_buyers AS
SELECT buyer, row_number() OVER (ORDER BY buyer) - 1 AS bid
FROM (SELECT DISTINCT buyer FROM {source});

CREATE OR REPLACE TEMP TABLE l_shops AS
SELECT shop, row_number() OVER (ORDER BY shop) - 1 AS sid FROM (SELECT DISTINCT shop FROM {source});

CREATE OR REPLACE TEMP TABLE l_cells AS
SELECT DISTINCT b.bid, s.sid, k, (o.us + k * ($w // 2)) // $w AS slot
FROM {source} o JOIN l_buyers b USING (buyer) JOIN l_shops s USING (shop),
     (VALUES (0), (1)) AS t(k);

CREATE OR REPLACE TEMP TABLE l_sizes AS
SELECT sid, k, slot, count(*) AS size FROM l_cells GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE l_small AS
SELECT c.* FROM l_cells c JOIN l_sizes z USING (sid, k, slot) WHERE z.size BETWEEN 2 AND $crowd;

CREATE OR REPLACE TEMP TABLE l_pairs AS
SELECT a.bid AS a, b.bid AS b
FROM l_small a JOIN l_small b ON a.sid = b.sid AND a.k = b.k AND a.slot = b.slot AND a.bid < b.bid
GROUP BY a.bid, b.bid
HAVING count(DISTINCT a.sid) >= $pair_shops
"""


def detect(
    connection: duckdb.DuckDBPyConnection, params: Params, *, source: str = "b_orders"
) -> list[Group]:
    """Lockstep groups over ``source`` (``order_no, shop, buyer, us``), most suspicious first."""
    from liveguard.integrity.brushing import run_script

    run_script(
        connection,
        _SQL.format(source=source),
        {"w": params.window_us, "crowd": params.crowd, "pair_shops": params.pair_shops},
    )
    pairs = connection.execute("SELECT a, b FROM l_pairs").fetchnumpy()
    components = [c for c in _components(pairs["a"], pairs["b"]) if len(c) >= params.min_members]
    if not components:
        return []
    # Every candidate's cells in one query: those at least two of its component bought in.
    bids = np.concatenate(components)
    comps = np.concatenate([np.full(len(c), n) for n, c in enumerate(components)])
    member_frame = {"bid": bids, "comp": comps}  # noqa: F841 - read by DuckDB by name
    connection.execute("CREATE OR REPLACE TEMP TABLE l_members AS SELECT * FROM member_frame")
    edges = connection.execute(
        """WITH e AS (
            SELECT m.comp, c.bid, c.sid, c.k, c.slot
            FROM l_cells c JOIN l_members m USING (bid)
        )
        SELECT e.comp, e.bid, e.sid, e.k, e.slot, z.size
        FROM e JOIN l_sizes z USING (sid, k, slot)
        QUALIFY count(*) OVER (PARTITION BY e.comp, e.sid, e.k, e.slot) >= 2
        ORDER BY e.comp"""
    ).fetchnumpy()
    bounds = np.searchsorted(edges["comp"], np.arange(len(components) + 1))
    blocks: list[tuple[np.ndarray, np.ndarray, float]] = []
    for n in range(len(components)):
        part = slice(bounds[n], bounds[n + 1])
        blocks.extend(_blocks({k: v[part] for k, v in edges.items()}, params))
    groups = _groups(connection, blocks, params, source)
    groups.sort(key=lambda g: -g.score)
    return groups


def _components(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    """Connected components of the pair graph (union-find with path halving)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    found: dict[int, list[int]] = {}
    for x in parent:
        found.setdefault(root(x), []).append(x)
    return [np.array(sorted(v), dtype=np.int64) for v in found.values()]


def _blocks(
    edges: dict[str, np.ndarray], params: Params
) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """FRAUDAR's peeling over one candidate's buyer x cell matrix, repeated on the rest:
    each block's buyers, cells (sid, k, slot) and density."""
    if len(edges["bid"]) == 0:
        return []
    rows, row_index = np.unique(edges["bid"], return_inverse=True)
    cell_keys = np.stack([edges["sid"], edges["k"], edges["slot"]], axis=1)
    cells, col_index = np.unique(cell_keys, axis=0, return_inverse=True)
    col_index = col_index.reshape(-1)
    matrix = np.zeros((len(rows), len(cells)))
    matrix[row_index.reshape(-1), col_index] = 1.0 / np.log(edges["size"].astype(float) + 5.0)
    found = []
    alive_rows = np.ones(len(rows), dtype=bool)
    for _ in range(4):  # a second and third ring joined to the first by a stray pair
        if alive_rows.sum() < params.min_members:
            break
        keep_rows, keep_cols, score = _peel(matrix * alive_rows[:, None])
        keep_rows &= alive_rows
        shops = {int(cells[c][0]) for c in np.flatnonzero(keep_cols)}
        if keep_rows.sum() < params.min_members or len(shops) < params.min_shops:
            break
        if score < params.min_score:
            break
        found.append((rows[keep_rows], cells[keep_cols], score))
        alive_rows &= ~keep_rows
    return found


def _peel(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Greedy peeling (FRAUDAR): drop the row or column with the least weight left, keep
    the set where total weight / (rows + columns) was highest."""
    rows_alive = matrix.sum(axis=1) > 0
    cols_alive = matrix.sum(axis=0) > 0
    row_weight = matrix.sum(axis=1)
    col_weight = matrix.sum(axis=0)
    total = float(matrix.sum())
    best = (
        rows_alive.copy(),
        cols_alive.copy(),
        total / max(1, rows_alive.sum() + cols_alive.sum()),
    )
    order: list[tuple[str, int]] = []
    while rows_alive.any() and cols_alive.any():
        r_w = np.where(rows_alive, row_weight, np.inf)
        c_w = np.where(cols_alive, col_weight, np.inf)
        r, c = int(r_w.argmin()), int(c_w.argmin())
        if r_w[r] <= c_w[c]:
            rows_alive[r] = False
            total -= row_weight[r]
            col_weight -= matrix[r] * cols_alive
            order.append(("r", r))
        else:
            cols_alive[c] = False
            total -= col_weight[c]
            row_weight -= matrix[:, c] * rows_alive
            order.append(("c", c))
        size = rows_alive.sum() + cols_alive.sum()
        if size and total / size > best[2] + 1e-12:
            best = (rows_alive.copy(), cols_alive.copy(), total / size)
    return best[0], best[1], float(best[2])


def _groups(
    connection: duckdb.DuckDBPyConnection,
    blocks: list[tuple[np.ndarray, np.ndarray, float]],
    params: Params,
    source: str,
) -> list[Group]:
    """Every block's members, shops, windows and orders by their own names, in one query."""
    if not blocks:
        return []
    block_frame = {  # noqa: F841 - read by DuckDB by name
        "block": np.concatenate([np.full(len(b[0]), n) for n, b in enumerate(blocks)]),
        "bid": np.concatenate([b[0] for b in blocks]),
    }
    cell_frame = {  # noqa: F841
        "block": np.concatenate([np.full(len(b[1]), n) for n, b in enumerate(blocks)]),
        "sid": np.concatenate([b[1][:, 0] for b in blocks]),
        "k": np.concatenate([b[1][:, 1] for b in blocks]),
        "slot": np.concatenate([b[1][:, 2] for b in blocks]),
    }
    rows = connection.execute(
        f"""SELECT DISTINCT m.block, o.order_no, o.shop, o.buyer, o.us
        FROM {source} o JOIN l_buyers b USING (buyer) JOIN l_shops s USING (shop)
        JOIN block_frame m ON m.bid = b.bid
        JOIN cell_frame c ON c.block = m.block AND c.sid = s.sid
             AND c.slot = (o.us + c.k * ($w // 2)) // $w
        ORDER BY m.block, o.us""",
        {"w": params.window_us},
    ).fetchall()
    orders: dict[int, list[tuple[str, object, object, int]]] = {}
    for block, order_no, shop, buyer, at in rows:
        orders.setdefault(int(block), []).append((str(order_no), shop, buyer, int(at)))
    groups = []
    for n, (_, _, score) in enumerate(blocks):
        own = orders.get(n, [])
        if not own:
            continue
        windows: dict[object, list[tuple[int, object]]] = {}
        for _, shop, buyer, at in own:
            windows.setdefault(shop, []).append((at, buyer))
        groups.append(
            Group(
                score=round(score, 4),
                members=sorted({o[2] for o in own}, key=str),
                shops=sorted({o[1] for o in own}, key=str),
                windows=[
                    _windows(shop, times, params.window_us) for shop, times in windows.items()
                ],
                orders=own,
            )
        )
    return groups


def _windows(shop: object, times: list[tuple[int, object]], window_us: int) -> Window:
    """The span of the block's orders in one shop (the first window if it bought twice)."""
    times.sort(key=lambda t: t[0])
    start = times[0][0]
    inside = [t for t in times if t[0] - start <= 2 * window_us]
    return Window(shop, start, inside[-1][0], len({b for _, b in inside}))
