"""A worker whose blob store is full or read-only puts the batch back for later (a NAK
with a delay): its events are neither acknowledged nor refused, so none is lost."""

from __future__ import annotations

import json

from liveguard.errors import StorageUnavailable
from liveguard.live import ingest
from liveguard.live.worker import STORAGE_RETRY_SECONDS, Worker
from tests.aio import run


class Message:
    def __init__(self, session_id: int) -> None:
        self.data = json.dumps({"session_id": session_id, "events": [{"kind": "frame"}]}).encode()
        self.acked = False
        self.nak_delay: float | None = None

    async def ack(self) -> None:
        self.acked = True

    async def nak(self, delay: float | None = None) -> None:
        self.nak_delay = delay


def test_a_full_blob_store_puts_the_batch_back_for_later(monkeypatch):
    def full(**_: object) -> None:
        raise StorageUnavailable("the file store is full", full=True)

    def refuse(*_: object) -> None:
        raise AssertionError("events refused for a full disk would be lost")

    monkeypatch.setattr(ingest, "ingest_batch", full)
    monkeypatch.setattr(Worker, "_one_by_one", refuse)
    worker = Worker(session_factory=None, blobs=None)  # type: ignore[arg-type]
    messages = [Message(1), Message(2)]
    run(worker.handle(None, messages))
    assert [(m.acked, m.nak_delay) for m in messages] == [(False, STORAGE_RETRY_SECONDS)] * 2


class LostShare:
    """A partition held when the round began whose lock went with its database session."""

    def holds(self, partition: int) -> bool:
        return True

    def full(self) -> bool:
        return True

    def still_holds(self, partition: int) -> bool:
        return False


def test_a_batch_fetched_after_the_partitions_lock_was_lost_goes_back_unstored(monkeypatch):
    from liveguard.live import worker as worker_module

    messages = [Message(1), Message(2)]

    async def fetched(*_: object, **__: object) -> list[Message]:
        return messages

    async def stored(*_: object) -> None:
        raise AssertionError("another worker may hold the partition now")

    monkeypatch.setattr(worker_module, "fetch_now", fetched)
    worker = Worker(session_factory=None, blobs=None)  # type: ignore[arg-type]
    monkeypatch.setattr(worker, "handle", stored)
    assert run(worker._partition(None, LostShare(), None, 0)) == 0  # type: ignore[arg-type]
    assert [(m.acked, m.nak_delay) for m in messages] == [(False, None)] * 2
