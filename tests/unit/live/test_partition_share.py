"""A worker keeps its fair share of the partitions from batch to batch (``Share``), and the
workers count each other through locks that die with them."""

from __future__ import annotations

import subprocess
import sys

from liveguard.live.partitions import RECOUNT_SECONDS, FileLocks, Share


class Table:
    """Locks shared by workers in one process: partition -> holder, workers joined."""

    def __init__(self) -> None:
        self.owner: dict[int, str] = {}
        self.joined: set[str] = set()
        self.lost: set[str] = set()


class Locks:
    def __init__(self, table: Table, name: str) -> None:
        self.table, self.name = table, name
        self.tries = 0

    def acquire(self, partition: int) -> bool:
        self.tries += 1
        if partition in self.table.owner:
            return False
        self.table.owner[partition] = self.name
        return True

    def release(self, partition: int) -> None:
        if self.table.owner.get(partition) == self.name:
            del self.table.owner[partition]

    def holding(self) -> set[int]:
        return {k for k, who in self.table.owner.items() if who == self.name}

    def join(self) -> None:
        self.table.joined.add(self.name)

    def workers(self) -> int:
        return len(self.table.joined)

    def intact(self) -> bool:
        return self.name not in self.table.lost

    def close(self) -> None:
        for k in self.holding():
            self.release(k)
        self.table.joined.discard(self.name)


def _round(share: Share, partitions: int, now: float) -> list[int]:
    share.rebalance(now)
    return [k for k in range(partitions) if share.take(k)]


def test_one_worker_keeps_every_partition_without_asking_again():
    table = Table()
    locks = Locks(table, "a")
    locks.join()
    share = Share(locks, 8)
    assert _round(share, 8, 0.0) == list(range(8))
    tries = locks.tries
    for second in range(1, 5):
        assert _round(share, 8, float(second)) == list(range(8))
    assert locks.tries == tries, "a held partition is not asked for again"


def test_a_worker_that_joins_gets_its_share_and_each_partition_has_one_worker():
    table = Table()
    a, b = Locks(table, "a"), Locks(table, "b")
    a.join()
    first = Share(a, 8)
    _round(first, 8, 0.0)
    b.join()
    second = Share(b, 8)
    assert _round(second, 8, 0.0) == [], "all taken until the first one counts again"
    # within a recount the first lets half go, and the second takes them
    mine = _round(first, 8, RECOUNT_SECONDS)
    theirs = _round(second, 8, RECOUNT_SECONDS)
    assert len(mine) == len(theirs) == 4 and set(mine).isdisjoint(theirs)
    assert set(mine) | set(theirs) == set(range(8))


def test_uneven_shares_leave_no_partition_without_a_worker():
    table = Table()
    names = ["a", "b", "c"]
    shares = []
    for name in names:
        locks = Locks(table, name)
        locks.join()
        shares.append(Share(locks, 8))
    taken = [set(_round(share, 8, 0.0)) for share in shares]
    assert set().union(*taken) == set(range(8))
    assert sorted(len(t) for t in taken) == [2, 3, 3]


def test_the_partitions_of_a_worker_that_died_are_taken_within_a_recount():
    table = Table()
    a, b = Locks(table, "a"), Locks(table, "b")
    a.join(), b.join()
    first, second = Share(a, 8), Share(b, 8)
    _round(first, 8, 0.0), _round(second, 8, 0.0)
    assert len(b.holding()) == 4
    a.close()  # its session ended: its locks and its place among the workers with it
    assert len(_round(second, 8, RECOUNT_SECONDS)) == 8


def test_a_batch_is_not_stored_once_the_locks_session_is_lost():
    table = Table()
    locks = Locks(table, "a")
    locks.join()
    share = Share(locks, 2)
    _round(share, 2, 0.0)
    assert share.still_holds(0)
    table.lost.add("a")
    assert not share.still_holds(0)


def test_file_locks_count_live_workers_and_clear_a_dead_ones_file(tmp_path):
    folder = tmp_path / "db.sqlite.partitions"
    mine = FileLocks(folder, "S")
    mine.join()
    other = FileLocks(folder, "S")
    other.join()
    assert mine.workers() == 2
    other.close()
    assert mine.workers() == 1
    # a worker killed leaves its file; its lock went with its process
    script = (
        "import os, sys; from pathlib import Path; from liveguard.live.partitions import "
        "FileLocks; f = FileLocks(Path(sys.argv[1]), 'S'); f.join(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(folder)], check=True)
    assert len(list(folder.glob("S-worker-*.lock"))) == 2
    assert mine.workers() == 1
    assert len(list(folder.glob("S-worker-*.lock"))) == 1, "the dead worker's file is removed"
    assert FileLocks(folder, "OTHER").workers() == 1, "another stream's workers are not counted"
    mine.close()
