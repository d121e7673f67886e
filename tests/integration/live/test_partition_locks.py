"""Workers count each other through the database's locks (advisory locks on PostgreSQL,
files beside SQLite), take a partition only once between them, and keep their share of
the partitions from batch to batch."""

from __future__ import annotations

import uuid

from liveguard.live.partitions import RECOUNT_SECONDS, Share, partition_locks


def test_workers_count_each_other_and_split_the_partitions_between_them(engine):
    stream = f"LOCKS_{uuid.uuid4().hex[:8]}"
    first, second = partition_locks(engine, stream), partition_locks(engine, stream)
    try:
        first.join()
        assert first.workers() == 1
        mine = Share(first, 8)
        mine.rebalance(0.0)
        assert [k for k in range(8) if mine.take(k)] == list(range(8))
        second.join()
        assert first.workers() == second.workers() == 2
        theirs = Share(second, 8)
        theirs.rebalance(0.0)
        assert not any(theirs.take(k) for k in range(8)), "every partition is held"
        mine.rebalance(RECOUNT_SECONDS)  # counts two workers: keeps its half
        assert first.holding() == {0, 1, 2, 3} and mine.still_holds(0)
        assert [k for k in range(8) if theirs.take(k)] == [4, 5, 6, 7]
        assert not first.acquire(4), "a partition is one worker's at a time"
        second.close()  # its locks and its place among the workers go with it
        assert first.workers() == 1
        mine.rebalance(2 * RECOUNT_SECONDS)
        assert [k for k in range(8) if mine.take(k)] == list(range(8))
    finally:
        first.close()
        second.close()
