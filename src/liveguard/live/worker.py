"""The NATS JetStream path: platforms publish events, monitor workers share the stream.

Rooms are spread over ``Bus.partitions`` partitions by session id, and a message goes to
``liveguard.events.<platform code>.<partition>``; one stream (``LIVEGUARD_EVENTS``) holds
``liveguard.events.*.*``, and each partition has its own durable pull consumer
(``monitor-<k>``) and a lock in the database (``partitions.py``). A worker stores a
partition's batch only while it holds the partition's lock, and keeps the lock from batch
to batch while it holds no more than its fair share of the partitions (the workers count
each other through the database, so workers can be added or killed at any time and the
partitions are shared out again within a second); a partition lets one batch at a time be
outstanding (its consumer's ``max_ack_pending`` is the batch size). So two workers never
wait on each other's rooms, a room's events are stored in the order they were published,
and a room's batches go to one worker, whose state of the room stays good.
(One consumer shared by all, as before, handed every worker a slice of every room: they
queued on the same rooms' locks and ran no faster than one.)

A message is ``{"session_id": 7, "events": [<event>, ...]}``, the events in the same
schema as HTTP and WebSocket. A worker fetches a batch, stores and monitors it in one
transaction, and acknowledges the messages only after the commit; a worker killed before
that leaves them unacknowledged, JetStream redelivers them after ``Bus.ack_wait``
seconds, and the event ids make the second delivery a no-op. An envelope that cannot be
read is recorded as a refusal (no session) and then acknowledged: it would never get
better by redelivery. A message published on a subject without a partition is refused
by the stream itself (no stream holds it), so the publisher learns it was not taken.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import random
import time
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from liveguard.blobs import BlobStore
from liveguard.clock import Clock
from liveguard.db import transaction
from liveguard.errors import LiveGuardError, StorageUnavailable
from liveguard.live import flows, ingest
from liveguard.live.bus import HolderBook
from liveguard.live.notify import NOTIFY_SUBJECT
from liveguard.live.partitions import Share, fetch_now, partition_locks
from liveguard.live.schemas import Refused

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bus:
    """Where events travel. The defaults are production's; tests and benchmarks use their
    own names so they never share a stream with a running system. Publishers and workers
    must agree on ``partitions``; ``batch`` is both what a worker fetches at a time and
    how many messages of a partition may be outstanding."""

    stream: str = "LIVEGUARD_EVENTS"
    prefix: str = "liveguard.events"
    durable: str = "monitor"
    ack_wait: float = 30  # seconds before an unacknowledged message goes to another worker
    partitions: int = 8
    batch: int = 500

    def __post_init__(self) -> None:
        if not 1 <= self.partitions <= 1024:
            raise ValueError(f"partitions must be between 1 and 1024, not {self.partitions}")
        if self.batch < 1:
            raise ValueError(f"batch must be at least 1, not {self.batch}")

    def partition(self, session_id: int) -> int:
        return session_id % self.partitions

    def subject(self, platform: str, session_id: int) -> str:
        return f"{self.prefix}.{platform}.{self.partition(session_id)}"

    def consumer(self, partition: int) -> str:
        return f"{self.durable}-{partition}"

    async def ensure(self, js: Any) -> None:
        """The stream and one durable consumer per partition, created if missing. An
        existing consumer is left as it is (its settings are the first creator's)."""
        from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
        from nats.js.errors import NotFoundError

        await js.add_stream(StreamConfig(name=self.stream, subjects=[f"{self.prefix}.*.*"]))
        for k in range(self.partitions):
            try:
                await js.consumer_info(self.stream, self.consumer(k))
                continue
            except NotFoundError:
                pass
            await js.add_consumer(
                self.stream,
                ConsumerConfig(
                    durable_name=self.consumer(k),
                    filter_subject=f"{self.prefix}.*.{k}",
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=self.ack_wait,
                    max_ack_pending=self.batch,
                ),
            )


BUS = Bus()
# A full or read-only blob store is an operator's fix, not a blip: wait longer than for the
# database before the next delivery.
STORAGE_RETRY_SECONDS = 15
# Between tries to reach a NATS server that is away.
RECONNECT_SECONDS = 1
# The longest pause between rounds of an idle worker: the most a new event waits for it.
IDLE_POLL_SECONDS = 0.08
# How often a worker recomputes the credit of the parties its batches found against (at
# most; beside the batches, not on their path): a party's score lags its findings by
# about this, where a recompute a batch was a third to a half of it (docs/benchmarks.md).
CREDIT_SECONDS = 1.0


@dataclass
class Stats:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    warnings: int = 0
    batches: int = 0
    sessions: set[int] = field(default_factory=set)


def settle_heap() -> None:
    """Put what the process has loaded so far (rules, the detector's automata, the word
    segmenter's dictionary, the mappers) out of the garbage collector's reach. Its full
    collections otherwise walk those millions of long-lived objects every few seconds:
    160-200 ms each here, stalling whichever batch they fall in, which was the tail of
    the event-to-warning latency (benchmarks/README.md). Nothing is leaked: frozen objects
    are only never scanned for cycles, and they live as long as the process anyway."""
    gc.collect()
    gc.freeze()


_settled = False


def settle_heap_once() -> None:
    """``settle_heap`` the first time a process has monitored something (a web process
    ingesting over HTTP or WebSocket: its first batch loaded the rules)."""
    global _settled
    if not _settled:
        _settled = True
        settle_heap()


def read_envelope(data: bytes) -> tuple[int, list[object]] | str:
    """(session id, raw events), or why the message cannot be read."""
    try:
        body = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return f"not JSON: {error}"
    if not isinstance(body, dict):
        return 'a message is a JSON object {"session_id": ..., "events": [...]}'
    session_id, events = body.get("session_id"), body.get("events")
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        return "session_id: send the live session's id (an integer)"
    if not isinstance(events, list) or not events:
        return "events: send a non-empty list of events"
    return session_id, events


class Worker:
    """One monitor worker: visits the partitions in turn, storing each one's next batch,
    until told to stop."""

    def __init__(
        self,
        *,
        session_factory: Any,
        blobs: BlobStore,
        clock: Clock | None = None,
        name: str = "monitor",
        bus: Bus = BUS,
        poll: float = 0.02,
    ) -> None:
        self.bus = bus
        self.session_factory = session_factory
        self.blobs = blobs
        self.clock = clock or Clock()
        self.name = name
        # the pause after a round that found every partition empty: the longest a new
        # event waits for an idle worker, beside the round itself
        self.poll = poll
        self.stats = Stats()
        self.book: HolderBook | None = None
        self.credit: asyncio.Task[int] | None = None  # the running credit recompute
        self.credit_at = float("-inf")  # when it started (time.monotonic)

    async def run(self, nats_url: str, stop: asyncio.Event | None = None) -> Stats:

        stop = stop or asyncio.Event()
        client = await self._connect(nats_url, stop)
        if client is None:
            return self.stats
        engine = self.session_factory.kw["bind"]
        locks = partition_locks(engine, self.bus.stream)
        share = Share(locks, self.bus.partitions)
        try:
            js = client.jetstream()
            await self.bus.ensure(js)
            self.book = await self._holder_book(js)
            inboxes = [
                await client.subscribe(client.new_inbox()) for _ in range(self.bus.partitions)
            ]
            # workers start their rounds at different partitions, so they do not all
            # ask the same one first
            first = random.randrange(self.bus.partitions)
            order = [(first + n) % self.bus.partitions for n in range(self.bus.partitions)]
            await asyncio.to_thread(self.warm)
            await asyncio.to_thread(locks.join)  # counted once ready: it takes a share now
            pause = self.poll
            while not stop.is_set():
                await asyncio.to_thread(share.rebalance)
                found = 0
                for k in order:
                    if stop.is_set():
                        break
                    found += await self._partition(client, share, inboxes[k], k)
                    self._credit_due()
                if found:
                    pause = self.poll
                else:
                    # A round costs a lock query and a fetch a partition: idle at 20 ms a
                    # round, a worker burnt a fifth of a core asking (and more while the
                    # others held the partitions), so empty rounds wait longer, up to
                    # IDLE_POLL_SECONDS, and the first round that finds work resets it.
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, max(self.poll, IDLE_POLL_SECONDS))
            if self.credit is not None:
                await asyncio.gather(self.credit, return_exceptions=True)
            await asyncio.to_thread(self.recompute_credit)  # what the last batches noted
        finally:
            if self.credit is not None:
                await asyncio.gather(self.credit, return_exceptions=True)
            await client.close()  # unacknowledged messages go back to the stream
            locks.close()
        return self.stats

    def _credit_due(self) -> None:
        """Start recomputing the noted parties' credit beside the batches, at most every
        CREDIT_SECONDS and one recompute at a time: a batch's path only notes them
        (``handle``), so a busy party's record no longer slows every batch."""
        if self.credit is not None and not self.credit.done():
            return
        if time.monotonic() - self.credit_at < CREDIT_SECONDS:
            return
        self.credit_at = time.monotonic()
        self.credit = asyncio.create_task(asyncio.to_thread(self.recompute_credit))

    def recompute_credit(self) -> int:
        """The noted parties' credit, recomputed and committed (``flows.recompute_credit``);
        an error leaves the notes for the next time."""
        try:
            with transaction(self.session_factory, write=True) as db_session:
                return flows.recompute_credit(db_session=db_session, now=self.clock.now())
        except Exception:
            log.exception("credit recompute failed; its notes wait for the next one")
            return 0

    async def _holder_book(self, js: Any) -> HolderBook | None:
        """Where this worker notes the partitions it stores (the console's bus view);
        without it the worker still works, the view just names no holder."""
        import nats

        book = HolderBook(js, self.bus.stream, self.name)
        try:
            await book.open()
        except (OSError, TimeoutError, nats.errors.Error) as error:
            log.warning(
                "no holders bucket for %s (%s): holders go unrecorded", self.bus.stream, error
            )
            return None
        return book

    async def _note_holder(self, partition: int) -> None:
        import nats

        if self.book is not None:
            try:
                await self.book.stored(partition)
            except (OSError, TimeoutError, nats.errors.Error) as error:  # only the view loses
                log.debug("holder of partition %d not recorded: %s", partition, error)

    async def _connect(self, nats_url: str, stop: asyncio.Event) -> Any:
        """A client that never gives up on the server: the first connection is tried again
        until NATS answers (or the worker is stopped), and a lost one is reconnected for as
        long as it takes. The durable consumers keep each partition's place meanwhile."""
        import nats

        while not stop.is_set():
            try:
                return await nats.connect(
                    nats_url,
                    name=self.name,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=RECONNECT_SECONDS,
                )
            except (OSError, TimeoutError, nats.errors.Error) as error:
                log.warning("no NATS at %s (%s); trying again", nats_url, error)
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RECONNECT_SECONDS)
        return None

    def warm(self) -> None:
        """Load every platform's detector and the data a batch reads before the first
        fetch, then settle the heap: the first batches would otherwise wait seconds for
        them while their messages' ack wait runs, and each worker pays them once (loaded
        in its first batches, they were about a second of a quarter-core worker's CPU,
        counted against the events: docs/benchmarks.md)."""
        from liveguard import labels
        from liveguard.catalog import label_claims, review_rules
        from liveguard.credit import rules as credit_rules
        from liveguard.detect import service as detect_service
        from liveguard.detect.engine import Context
        from liveguard.enforcement import policy
        from liveguard.live import claims, monitor
        from liveguard.parties import qualifications
        from liveguard.parties import service as parties_service
        from liveguard.privacy import policy as privacy_policy
        from liveguard.trade import benefits

        with transaction(self.session_factory) as db_session:
            for platform in parties_service.get_all_platforms(db_session=db_session):
                detector = detect_service.get_detector(
                    db_session=db_session, platform=platform.code
                )
                detector.detect_many(["加我微信私聊"], [Context()])
        claims.rules()
        policy.load()
        # what a batch's findings read: policy's words, catalog's review rules and
        # lexicons (label and spoken-terms checks), credit's rules, privacy's and trade's
        # policies (the credit recompute), and the frame reader with its models
        for load in (
            labels.catalogue,
            review_rules.review_rules,
            review_rules.lexicons,
            label_claims.rules,
            qualifications.catalogue,
            credit_rules.rules,
            privacy_policy.policy,
            benefits.policy,
            monitor.frame_analyser,
        ):
            load()
        settle_heap()

    async def _partition(self, client: Any, share: Share, inbox: Any, k: int) -> int:
        """Store partition k's next batch if the partition is this worker's, or free and
        within its share (kept then for the batches after: ``partitions.Share``)."""
        if not share.holds(k) and (share.full() or not await asyncio.to_thread(share.take, k)):
            return 0
        messages = await fetch_now(
            client,
            inbox,
            stream=self.bus.stream,
            consumer=self.bus.consumer(k),
            batch=self.bus.batch,
        )
        if not messages:
            return 0
        if not await asyncio.to_thread(share.still_holds, k):
            # the lock went with its database session: another worker may hold the
            # partition now, so the batch goes back to the stream for it, in order
            for message in messages:
                await message.nak()
            return 0
        await self.handle(client, messages)
        await client.flush()  # the acknowledgements reach the server before the lock goes
        await self._note_holder(k)
        return len(messages)

    async def handle(self, client: Any, messages: list[Any]) -> None:
        """Store and monitor one fetched batch, then acknowledge it."""
        self.stats.batches += 1
        self.stats.messages += len(messages)
        by_session: dict[int, list[tuple[Any, list[object]]]] = defaultdict(list)
        unreadable = []
        for message in messages:
            envelope = read_envelope(message.data)
            if isinstance(envelope, str):
                unreadable.append((message, envelope))
            else:
                by_session[envelope[0]].append((message, envelope[1]))
        if unreadable:
            await asyncio.to_thread(self._refuse_unreadable, [why for _, why in unreadable])
            for message, _ in unreadable:
                await message.ack()
        if not by_session:
            return
        groups = {
            session_id: [event for _, events in items for event in events]
            for session_id, items in by_session.items()
        }
        try:
            outcomes = await asyncio.to_thread(
                ingest.ingest_batch,
                session_factory=self.session_factory,
                groups=groups,
                channel="nats",
                blobs=self.blobs,
                now=self.clock.now(),
                defer_credit=True,  # recomputed beside the batches (``_credit_due``)
            )
        except StorageUnavailable as error:  # the disk, not the batch: try it again later
            log.warning("a batch of %d messages waits for storage: %s", len(messages), error)
            await self._redeliver(by_session, delay=STORAGE_RETRY_SECONDS)
            return
        except LiveGuardError as error:  # the batch itself is at fault: redelivery won't help
            outcomes = await asyncio.to_thread(self._one_by_one, groups, error)
        except Exception:  # the database is away: let another delivery try again
            log.exception(
                "a batch of %d messages was not stored; it will be redelivered", len(messages)
            )
            await self._redeliver(by_session, delay=1)
            return
        for items in by_session.values():  # stored and committed: now, and only now, ack
            for message, _ in items:
                await message.ack()
        for session_id, outcome in outcomes.items():
            self.stats.accepted += sum(not a.duplicate for a in outcome.accepted)
            self.stats.duplicates += sum(a.duplicate for a in outcome.accepted)
            self.stats.refused += len(outcome.refused)
            self.stats.warnings += outcome.warnings
            self.stats.sessions.add(session_id)
            if outcome.accepted:
                await client.publish(NOTIFY_SUBJECT, str(session_id).encode())

    @staticmethod
    async def _redeliver(
        by_session: dict[int, list[tuple[Any, list[object]]]], *, delay: float
    ) -> None:
        for items in by_session.values():
            for message, _ in items:
                await message.nak(delay=delay)

    def _one_by_one(
        self, groups: dict[int, list[object]], error: LiveGuardError
    ) -> dict[int, ingest.Outcome]:
        """Store a refused batch's events one at a time, so one bad event (one the schema
        let through but storage refused) costs only itself: it is recorded as refused and
        acknowledged, not redelivered for ever."""
        log.warning("batch refused (%s); storing its events one at a time", error)
        outcomes = {}
        for session_id, events in groups.items():
            outcome = ingest.Outcome(session_id)
            for index, raw in enumerate(events):
                try:
                    single = ingest.ingest_committed(
                        session_factory=self.session_factory,
                        session_id=session_id,
                        raw_events=[raw],
                        channel="nats",
                        blobs=self.blobs,
                        now=self.clock.now(),
                    )
                except LiveGuardError as problem:
                    event_id = raw.get("event_id") if isinstance(raw, dict) else None
                    event_id = event_id if isinstance(event_id, str) else None
                    with transaction(self.session_factory) as db_session:
                        ingest.refuse(
                            db_session=db_session,
                            session_id=session_id,
                            channel="nats",
                            reason="unstorable",
                            detail=str(problem),
                            event_id=event_id,
                            now=self.clock.now(),
                        )
                    outcome.refused.append(
                        Refused(
                            index=index, event_id=event_id, reason="unstorable", detail=str(problem)
                        )
                    )
                    continue
                outcome.accepted += [a.model_copy(update={"index": index}) for a in single.accepted]
                outcome.refused += [r.model_copy(update={"index": index}) for r in single.refused]
                outcome.warnings += single.warnings
            outcomes[session_id] = outcome
        return outcomes

    def _refuse_unreadable(self, reasons: list[str]) -> None:
        now = self.clock.now()
        with transaction(self.session_factory) as db_session:
            for reason in reasons:
                ingest.refuse(
                    db_session=db_session,
                    session_id=None,
                    channel="nats",
                    reason="unreadable_message",
                    detail=reason,
                    event_id=None,
                    now=now,
                )
        self.stats.refused += len(reasons)


async def publish(
    js: Any, *, platform: str, session_id: int, events: list[dict[str, Any]], bus: Bus = BUS
) -> None:
    """Publish events for a session (what a platform's adapter does), awaiting the stream's
    acknowledgement that it holds them."""
    body = json.dumps({"session_id": session_id, "events": events}, ensure_ascii=False)
    await js.publish(bus.subject(platform, session_id), body.encode())
