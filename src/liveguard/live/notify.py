"""Waking the Server-Sent-Event streams when a room has news.

Stored first, then notified: a stream always reads what it sends from the database, so a
notification carries no data and a lost one costs only latency. Three ways news arrives:
- the monitor ran in this process (HTTP or WebSocket ingest): ``broadcaster.notify``
  after the commit wakes this process's streams at once;
- a NATS monitor worker ran it: the worker publishes the session id on the core subject
  ``liveguard.live.notify`` after its commit; each web process relays that to its
  broadcaster (``relay``), so the news crosses processes in about a millisecond;
- neither (no NATS, another process wrote): each stream also re-reads every
  ``POLL_SECONDS``, so nothing waits longer than that.
Core NATS rather than JetStream: a missed wake-up needs no redelivery, the poll covers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable

log = logging.getLogger(__name__)

NOTIFY_SUBJECT = "liveguard.live.notify"
POLL_SECONDS = 1.0


class Broadcaster:
    """Per-session wake-ups for async waiters, callable from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    def notify(self, session_id: int) -> None:
        with self._lock:
            waiters = list(self._waiters.get(session_id, ()))
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # its loop has closed
                loop.call_soon_threadsafe(event.set)

    async def wait(self, session_id: int, timeout: float = POLL_SECONDS) -> bool:
        """Until news for the session or ``timeout``; True when woken by news."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(session_id, set()).add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters.get(session_id, set()).discard(entry)


broadcaster = Broadcaster()


async def relay(nats_url: str) -> None:
    """Relay the workers' notifications to this process's broadcaster (runs until cancelled)."""
    import nats

    async def forward(message: object) -> None:
        with contextlib.suppress(ValueError):
            broadcaster.notify(int(message.data))  # type: ignore[attr-defined]

    while True:
        try:
            client = await nats.connect(nats_url, max_reconnect_attempts=-1)
            await client.subscribe(NOTIFY_SUBJECT, cb=forward)
            try:
                await asyncio.Event().wait()
            finally:
                await client.close()
        except asyncio.CancelledError:
            raise
        except Exception:  # no NATS yet: the poll keeps streams going meanwhile
            log.warning("cannot subscribe to %s at %s; retrying", NOTIFY_SUBJECT, nats_url)
            await asyncio.sleep(5)


async def sse(
    session_id: int,
    read: Callable[[int], list[tuple[int, str]]],
    *,
    event: str,
    last_id: int = 0,
) -> AsyncIterator[str]:
    """A text/event-stream of what ``read(after_id)`` returns: [(id, json text)], in order."""
    yield "retry: 2000\n\n"
    while True:
        items = await asyncio.to_thread(read, last_id)
        for item_id, body in items:
            last_id = max(last_id, item_id)
            yield f"id: {item_id}\nevent: {event}\ndata: {body}\n\n"
        if not items and not await broadcaster.wait(session_id):
            yield ": keep-alive\n\n"
