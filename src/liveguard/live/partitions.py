"""One worker at a time per partition of rooms, each worker keeping a fair share of them,
and fetches that never linger.

A worker takes a partition's lock before it asks the partition's consumer for messages,
and keeps it from batch to batch (``Share``) while it holds no more than its fair share,
ceil(partitions / workers); it lets a partition go only after its acknowledgements are on
the wire. So two workers never store the same partition's batches at once, a room's
events are stored in the order they were published, and a room's batches go to the same
worker while the workers stay the same, so what the worker kept of the room after its
last batch (``live/context.py``) is still good. (Taking the lock for each batch and
letting it go after, a partition's batches went to whichever worker came round next: with
4 workers 86 % of a batch's rooms found their state stale and loaded it again, and the CPU
an event cost grew with the number of workers, docs/benchmarks.md.)

The lock is the database's, the one thing every worker already shares, and it dies with
its holder: a PostgreSQL session advisory lock (released when the connection drops) or,
for a SQLite database (one machine), an ``flock`` on a file beside it (released when the
process exits). Workers count each other the same way (a shared advisory lock each, a
locked file each), so the count falls when a worker dies and the others take its
partitions within a second. A killed worker therefore never blocks a partition; its
unacknowledged messages come back after the consumer's ack wait. The partition allows
one batch outstanding (``Bus.batch`` as ``max_ack_pending``), so when the lost batch was a
full one, later messages wait behind it; after a short one they may be stored first (each
event keeps its own time).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
import uuid
from contextlib import suppress
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
# Between tries to reconnect to a database that went away.
RECONNECT_SECONDS = 1.0


class PartitionLocks(Protocol):
    def acquire(self, partition: int) -> bool:
        """Take the partition if no other worker has it (never waits)."""

    def release(self, partition: int) -> None: ...

    def holding(self) -> set[int]:
        """The partitions taken and not let go (none once the session that took them
        was lost)."""

    def join(self) -> None:
        """Count this worker among the stream's workers, until ``close``."""

    def workers(self) -> int:
        """The stream's workers that have joined, this one included."""

    def intact(self) -> bool:
        """Whether the locks taken are still held: the database session that took them
        still answers."""

    def close(self) -> None: ...


# How often a worker counts the others, and so how soon a partition of a worker that died
# is taken by another, or one of its own goes to a worker that joined.
RECOUNT_SECONDS = 1.0


class Share:
    """The partitions a worker holds from batch to batch: at most ceil(partitions /
    workers), so that every partition has a worker and no worker has more than its share.
    A worker below its share takes free partitions as it comes to them; one above it (a
    worker joined) lets the extra ones go between rounds, after their batches are
    acknowledged."""

    def __init__(self, locks: PartitionLocks, partitions: int) -> None:
        self.locks, self.partitions = locks, partitions
        self.fair = partitions
        self.counted_at = -RECOUNT_SECONDS

    def rebalance(self, now: float | None = None) -> None:
        """Between rounds: count the workers (at most once a ``RECOUNT_SECONDS``) and let
        go of what is over the share."""
        now = time.monotonic() if now is None else now
        if now - self.counted_at >= RECOUNT_SECONDS:
            self.counted_at = now
            self.fair = -(-self.partitions // max(1, self.locks.workers()))
        held = sorted(self.locks.holding(), reverse=True)
        for k in held[: max(0, len(held) - self.fair)]:
            self.locks.release(k)

    def holds(self, partition: int) -> bool:
        return partition in self.locks.holding()

    def full(self) -> bool:
        """Holding its share: it takes no other partition."""
        return len(self.locks.holding()) >= self.fair

    def take(self, partition: int) -> bool:
        """Hold the partition if it is ours already, or free and within the share."""
        held = self.locks.holding()
        if partition in held:
            return True
        return len(held) < self.fair and self.locks.acquire(partition)

    def still_holds(self, partition: int) -> bool:
        """Checked before a batch is stored: the lock was not lost with its session."""
        return self.locks.intact() and partition in self.locks.holding()


def partition_locks(engine: Engine, stream: str) -> PartitionLocks:
    """The locks for a stream's partitions, kept where the workers' database is."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            raise ValueError("a monitor worker needs a SQLite database file, not memory")
        return FileLocks(Path(database).with_name(Path(database).name + ".partitions"), stream)
    return AdvisoryLocks(engine, stream)


class FileLocks:
    """``flock`` on ``<database>.partitions/<stream>-<k>.lock``: for workers on the SQLite
    database's machine, the only place a SQLite database can be written from."""

    def __init__(self, folder: Path, stream: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.stream = folder, stream
        self.held: dict[int, int] = {}  # partition -> open file descriptor
        self.presence: tuple[Path, int] | None = None  # this worker's file, locked

    def acquire(self, partition: int) -> bool:
        path = self.folder / f"{self.stream}-{partition}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.held[partition] = fd
        return True

    def release(self, partition: int) -> None:
        fd = self.held.pop(partition)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def join(self) -> None:
        """A file of this worker's, locked while it lives; made under another name and
        renamed once locked, so no other worker sees it unlocked and takes it for a dead
        worker's."""
        if self.presence is not None:
            return
        name = f"{self.stream}-worker-{os.getpid()}-{uuid.uuid4().hex[:8]}.lock"
        making = self.folder / f".{name}"
        fd = os.open(making, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(making, self.folder / name)
        self.presence = (self.folder / name, fd)

    def workers(self) -> int:
        """Files still locked by their worker; a dead worker's file is removed."""
        count = 0
        for path in self.folder.glob(f"{self.stream}-worker-*.lock"):
            if self.presence is not None and path == self.presence[0]:
                count += 1
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:  # another worker removed it just now
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                count += 1  # its worker lives
            else:
                with suppress(FileNotFoundError):
                    path.unlink()
            finally:
                os.close(fd)
        return max(count, 1)

    def holding(self) -> set[int]:
        return set(self.held)

    def intact(self) -> bool:
        return True  # an flock lasts as long as the process

    def close(self) -> None:
        for partition in list(self.held):
            self.release(partition)
        if self.presence is not None:
            path, fd = self.presence
            self.presence = None
            with suppress(FileNotFoundError):
                path.unlink()
            os.close(fd)


class AdvisoryLocks:
    """PostgreSQL session advisory locks on one connection of the worker's own, outside
    any transaction, so a lock outlives the batches' transactions and dies with it.

    When the database goes away (a restart, a failover) the session and every lock it held
    are gone: no partition is taken until a new connection succeeds, tried at most once a
    second, so the worker waits for the database instead of dying with it."""

    def __init__(self, engine: Engine, stream: str) -> None:
        self.engine = engine
        self.stream = stream
        self.connection: Connection | None = None
        self.retry_at = 0.0
        self.joined = False
        self.held: set[int] = set()
        self._connected()

    def _connected(self) -> Connection:
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self.joined:  # a new session: counted again
                self.connection.execute(_JOIN, {"key": self._key("workers")})
        return self.connection

    def _lost(self, error: DBAPIError) -> None:
        log.warning("partition locks lost with the database connection: %s", error.orig)
        if self.connection is not None:
            with suppress(DBAPIError):
                self.connection.invalidate()
        self.connection = None
        self.held.clear()
        self.retry_at = time.monotonic() + RECONNECT_SECONDS

    def _key(self, partition: int | str) -> int:
        digest = hashlib.blake2b(f"liveguard:{self.stream}:{partition}".encode(), digest_size=8)
        return int.from_bytes(digest.digest(), "big", signed=True)  # a bigint key

    def acquire(self, partition: int) -> bool:
        if self.connection is None and time.monotonic() < self.retry_at:
            return False
        query = text("SELECT pg_try_advisory_lock(:key)")
        try:
            taken = bool(self._connected().scalar(query, {"key": self._key(partition)}))
        except DBAPIError as error:
            self._lost(error)
            return False
        if taken:
            self.held.add(partition)
        return taken

    def release(self, partition: int) -> None:
        self.held.discard(partition)
        if self.connection is None:
            return  # the session ended, and its locks with it
        try:
            self.connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._key(partition)}
            )
        except DBAPIError as error:
            self._lost(error)

    def join(self) -> None:
        """A shared advisory lock on the stream's workers' key, one per worker's session."""
        self.joined = True
        if self.connection is not None:
            try:
                self.connection.execute(_JOIN, {"key": self._key("workers")})
            except DBAPIError as error:
                self._lost(error)  # joined again with the next session

    def workers(self) -> int:
        """Sessions holding the shared lock: workers alive (a dead one's session ended)."""
        if self.connection is None and time.monotonic() < self.retry_at:
            return 1
        key = self._key("workers") & 0xFFFF_FFFF_FFFF_FFFF  # pg_locks splits it unsigned
        try:
            count = self._connected().scalar(
                _WORKERS, {"high": key >> 32, "low": key & 0xFFFF_FFFF}
            )
        except DBAPIError as error:
            self._lost(error)
            return 1
        return max(int(count or 0), 1)

    def holding(self) -> set[int]:
        return set(self.held)

    def intact(self) -> bool:
        """The session that took the locks still answers (a new one would hold none)."""
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1"))
        except DBAPIError as error:
            self._lost(error)
            return False
        return True

    def close(self) -> None:
        if self.connection is not None:
            # unlocked first: a session's end reaches the server asynchronously (its
            # backend exits a moment after the socket closes), and till then the others
            # would count this worker and see its partitions held
            with suppress(DBAPIError):
                self.connection.execute(_LEAVE)
            # the session ends too; closed, the connection would go back to the pool
            # with its session alive
            with suppress(DBAPIError):
                self.connection.invalidate()
            self.connection.close()
            self.connection = None
        self.held.clear()


_JOIN = text("SELECT pg_advisory_lock_shared(:key)")
_LEAVE = text("SELECT pg_advisory_unlock_all()")
_WORKERS = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND classid = CAST(:high AS bigint)::oid AND objid = CAST(:low AS bigint)::oid"
    " AND objsubid = 1"
)


async def fetch_now(
    client: Any, inbox: Any, *, stream: str, consumer: str, batch: int
) -> list[Any]:
    """Up to ``batch`` messages the consumer holds now, asked with ``no_wait`` and no
    expiry: the server answers at once and keeps no request open. (A library fetch with a
    timeout leaves one open at the server when nothing is there; a message published a
    moment later goes to it and sits in this worker's inbox while another worker, holding
    the partition by then, stores the messages after it.) ``inbox`` is a subscription on
    an inbox of this worker's own, one per partition."""
    request = json.dumps({"batch": batch, "no_wait": True}).encode()
    await client.publish(
        f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}", request, reply=inbox.subject
    )
    messages: list[Any] = []
    while len(messages) < batch:
        try:
            message = await inbox.next_msg(timeout=10)
        except TimeoutError:  # no answer (the server away, reconnecting): what came so far
            break
        if message.headers and message.headers.get("Status"):
            break  # 404 no messages, 408, 409 max ack pending: nothing more for now
        messages.append(message)
    return messages
