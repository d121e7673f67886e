"""What the NATS event bus holds now: each partition's backlog, unacknowledged messages
and the worker that last stored a batch of it.

JetStream keeps the counts (consumer info); which worker holds a partition is written by
the workers themselves, at most once a second a partition, into a key-value bucket of the
stream's (``<stream>_HOLDERS``, key = partition). A worker holds a partition's lock only
while it stores one batch (``partitions.py``), so "holder" means the worker that stored
its latest batch, with the time; a partition nobody stored for a while shows an old time.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from liveguard.live.schemas import BusStatus, PartitionStatus

# Writing the holder after every batch would cost a round trip a batch; once a second a
# partition is enough for a person watching.
HOLDER_EVERY_SECONDS = 1.0


def holders_bucket(stream: str) -> str:
    return f"{stream}_HOLDERS"


class HolderBook:
    """A worker's side: notes, at most once a second a partition, that it stored a batch."""

    def __init__(self, js: Any, stream: str, worker: str) -> None:
        self.js, self.stream, self.worker = js, stream, worker
        self.kv: Any = None
        self.written: dict[int, float] = {}

    async def open(self) -> None:
        from nats.js.errors import BucketNotFoundError

        bucket = holders_bucket(self.stream)
        try:
            self.kv = await self.js.key_value(bucket)
        except BucketNotFoundError:
            self.kv = await self.js.create_key_value(bucket=bucket, history=1)

    async def stored(self, partition: int) -> None:
        if self.kv is None:
            return
        now = time.monotonic()
        if now - self.written.get(partition, -HOLDER_EVERY_SECONDS) < HOLDER_EVERY_SECONDS:
            return
        self.written[partition] = now
        value = {"worker": self.worker, "at": datetime.now(UTC).isoformat()}
        await self.kv.put(str(partition), json.dumps(value).encode())


async def status(js: Any, *, stream: str, prefix: str, durable: str, partitions: int) -> BusStatus:
    """The stream's size and every partition's counts and holder, read from JetStream."""
    from nats.js.errors import BucketNotFoundError, KeyNotFoundError, NotFoundError

    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        return BusStatus(reachable=True, error=f"no stream {stream} yet", stream=stream)
    holders: dict[int, tuple[str, datetime]] = {}
    try:
        kv = await js.key_value(holders_bucket(stream))
    except BucketNotFoundError:
        kv = None
    result = BusStatus(
        reachable=True, stream=stream, messages=info.state.messages, bytes=info.state.bytes
    )
    for k in range(partitions):
        if kv is not None:
            try:
                entry = await kv.get(str(k))
                value = json.loads(entry.value)
                holders[k] = (value["worker"], datetime.fromisoformat(value["at"]))
            except (KeyNotFoundError, ValueError, KeyError, TypeError):
                pass
        name = f"{durable}-{k}"
        holder, held_at = holders.get(k, (None, None))
        try:
            consumer = await js.consumer_info(stream, name)
        except NotFoundError:
            result.partitions.append(
                PartitionStatus(
                    partition=k,
                    subject=f"{prefix}.*.{k}",
                    consumer=name,
                    exists=False,
                    backlog=0,
                    unacked=0,
                    redelivered=0,
                    holder=holder,
                    held_at=held_at,
                )
            )
            continue
        result.partitions.append(
            PartitionStatus(
                partition=k,
                subject=consumer.config.filter_subject or f"{prefix}.*.{k}",
                consumer=name,
                exists=True,
                backlog=consumer.num_pending or 0,
                unacked=consumer.num_ack_pending or 0,
                redelivered=consumer.num_redelivered or 0,
                holder=holder,
                held_at=held_at,
            )
        )
    return result
