"""One worker at a time per partition of rooms, and fetches that never linger.

A worker takes a partition's lock before it asks the partition's consumer for messages
and lets it go only after their acknowledgements are on the wire, so two workers never
store the same partition's batches at once and a room's events are stored in the order
they were published. The lock is the database's, the one thing every worker already
shares, and it dies with its holder: a PostgreSQL session advisory lock (released when the
connection drops) or, for a SQLite database (one machine), an ``flock`` on a file beside
it (released when the process exits). A killed worker therefore never blocks a
partition; its unacknowledged messages come back after the consumer's ack wait. The
partition allows one batch outstanding (``Bus.batch`` as ``max_ack_pending``), so when the
lost batch was a full one, later messages wait behind it; after a short one they may be
stored first (each event keeps its own time).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
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

    def close(self) -> None: ...


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

    def close(self) -> None:
        for partition in list(self.held):
            self.release(partition)


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
        self._connected()

    def _connected(self) -> Connection:
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self.connection

    def _lost(self, error: DBAPIError) -> None:
        log.warning("partition locks lost with the database connection: %s", error.orig)
        if self.connection is not None:
            with suppress(DBAPIError):
                self.connection.invalidate()
        self.connection = None
        self.retry_at = time.monotonic() + RECONNECT_SECONDS

    def _key(self, partition: int) -> int:
        digest = hashlib.blake2b(f"liveguard:{self.stream}:{partition}".encode(), digest_size=8)
        return int.from_bytes(digest.digest(), "big", signed=True)  # a bigint key

    def acquire(self, partition: int) -> bool:
        if self.connection is None and time.monotonic() < self.retry_at:
            return False
        query = text("SELECT pg_try_advisory_lock(:key)")
        try:
            return bool(self._connected().scalar(query, {"key": self._key(partition)}))
        except DBAPIError as error:
            self._lost(error)
            return False

    def release(self, partition: int) -> None:
        if self.connection is None:
            return  # the session ended, and its locks with it
        try:
            self.connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._key(partition)}
            )
        except DBAPIError as error:
            self._lost(error)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()  # the session ends: any lock still held goes with it


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
