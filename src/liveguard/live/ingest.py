"""Events in: one schema whichever way they come (HTTP batch, WebSocket, NATS).

Each raw event is validated on its own: a bad one is refused with a reason code and
counted in ``live_refusals``, the rest go on. Accepted events are stored in order with
the next sequence numbers of their session, appended to the evidence ledger, and run
through the monitor, all in the caller's transaction: the caller acknowledges only after
it commits, so an acknowledged event is a stored one. An event id seen before in the
session is acknowledged again with its stored sequence number and monitored no more,
which makes every channel's redelivery harmless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liveguard.blobs import BlobStore
from liveguard.db import transaction
from liveguard.detect import service as detect_service
from liveguard.detect.engine import Context
from liveguard.detect.rulefile import Role
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.live import event_rows, flows, monitor, service
from liveguard.live.enums import EventKind, SpeakerRole
from liveguard.live.event_rows import NewEvent
from liveguard.live.models import LiveRefusal, LiveSession
from liveguard.live.schemas import (
    EVENT_ADAPTER,
    Accepted,
    FrameIn,
    IngestRead,
    Refused,
)

MAX_BATCH = 5000
_ROLES = {SpeakerRole.anchor: Role.anchor, SpeakerRole.assistant: Role.assistant}  # sellers


@dataclass
class Outcome:
    session_id: int
    accepted: list[Accepted] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    warnings: int = 0  # viewer warnings issued: subscribers must be told after commit
    actions: int = 0

    def read(self) -> IngestRead:
        return IngestRead(accepted=self.accepted, refused=self.refused)


def parse(raw: object) -> tuple[Any, None] | tuple[None, tuple[str, str]]:
    """An event model, or (reason code, detail) saying why it is refused."""
    if not isinstance(raw, dict):
        return None, ("not_an_object", f"an event is a JSON object, not {type(raw).__name__}")
    kind = raw.get("kind")
    if kind not in EventKind.__members__:
        known = ", ".join(EventKind)
        return None, ("unknown_kind", f"kind {kind!r} is not one of: {known}")
    try:
        return EVENT_ADAPTER.validate_python(raw), None
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'event'}: {e['msg']}"
            for e in error.errors(include_url=False)
        ]
        reason = "missing_event_id" if not isinstance(raw.get("event_id"), str) else "malformed"
        return None, (reason, "; ".join(problems))


def refuse(
    *,
    db_session: Session,
    session_id: int | None,
    channel: str,
    reason: str,
    detail: str,
    event_id: str | None,
    now: datetime,
) -> None:
    db_session.add(
        LiveRefusal(
            session_id=session_id,
            channel=channel,
            reason=reason,
            detail=detail[:2000],
            event_id=event_id[:100] if event_id else None,
            received_at=now,
        )
    )


def ingest(
    *,
    db_session: Session,
    live_session: LiveSession,
    raw_events: Sequence[object],
    channel: str,
    blobs: BlobStore,
    now: datetime,
) -> Outcome:
    """Validate, store, record in the ledger and monitor a batch of events (no commit)."""
    groups = [(live_session, raw_events)]
    outcomes = ingest_many(
        db_session=db_session, groups=groups, channel=channel, blobs=blobs, now=now
    )
    return outcomes[live_session.id]


def ingest_many(
    *,
    db_session: Session,
    groups: Sequence[tuple[LiveSession, Sequence[object]]],
    channel: str,
    blobs: BlobStore,
    now: datetime,
) -> dict[int, Outcome]:
    """``ingest`` for several sessions at once: a few queries, one ledger append and one
    detector call for the whole batch, whatever the number of rooms (no commit)."""
    prepared = [prepare(live_session.id, raw, blobs) for live_session, raw in groups]
    sessions = {live_session.id: live_session for live_session, _ in groups}
    return store(
        db_session=db_session, sessions=sessions, prepared=prepared, channel=channel, now=now
    )


@dataclass
class Prepared:
    """A session's events read before any lock is taken: validated (or refused, with
    why), frames' images put in the blob store and read (QR codes, on-screen text)."""

    session_id: int
    outcome: Outcome
    events: list[tuple[int, Any]]  # (index in the batch, the event's model)
    refusals: list[tuple[str, str, str | None]]  # (reason, detail, event id) to record
    frames: dict[str, dict[str, Any]] = field(default_factory=dict)  # by event id
    readings: dict[str, Any] = field(default_factory=dict)  # FrameReading by event id
    masked: dict[str, str] = field(default_factory=dict)  # texts with personal data, by event id


def prepare(session_id: int, raw_events: Sequence[object], blobs: BlobStore) -> Prepared:
    """Everything about a batch that needs no database: done before the transaction, so
    a writer holds the write lock (all of SQLite's) only for the writes. Reading a frame
    (0.2-0.4 s when its text is read) is the dearest of it."""
    outcome = Outcome(session_id)
    prepared = Prepared(session_id, outcome, [], [])
    for index, raw in enumerate(raw_events):
        event, problem = parse(raw)
        if problem is None:
            prepared.events.append((index, event))
            if isinstance(event, FrameIn):
                _prepare_frame(prepared, event, blobs)
            continue
        event_id = raw.get("event_id") if isinstance(raw, dict) else None
        event_id = event_id if isinstance(event_id, str) else None
        outcome.refused.append(
            Refused(index=index, event_id=event_id, reason=problem[0], detail=problem[1])
        )
        prepared.refusals.append((problem[0], problem[1], event_id))
    _mask_personal(prepared)
    return prepared


def _mask_personal(prepared: Prepared) -> None:
    """Personal data in what was said or typed (a viewer's phone number) is masked in the
    stored event; the words as sent are sealed in its ledger leaf, and the monitor reads
    them to find it. One detector call for the batch."""
    texts = [(e, e.text) for _, e in prepared.events if getattr(e, "text", None)]
    contexts = [Context(role=_ROLES.get(e.speaker_role)) for e, _ in texts]
    scrubbed = detect_service.scrub_many([text for _, text in texts], contexts)
    for (event, _), result in zip(texts, scrubbed, strict=True):
        if result.changed:
            prepared.masked[event.event_id] = result.text


def _prepare_frame(prepared: Prepared, event: FrameIn, blobs: BlobStore) -> None:
    image = event.data.image()
    digest = blobs.put(image)  # content-addressed: the same frame twice is one file
    data: dict[str, Any] = {"blob": digest, "mime": event.data.mime, "bytes": len(image)}
    reading, error = monitor.read_frame(image, prepared.session_id, event.occurred_at)
    if reading is not None:
        data["frame"] = reading.to_dict()
        prepared.readings[event.event_id] = reading
    elif error is not None:
        data["frame_error"] = error
    prepared.frames[event.event_id] = data


def store(
    *,
    db_session: Session,
    sessions: Mapping[int, LiveSession],
    prepared: Sequence[Prepared],
    channel: str,
    now: datetime,
    defer_credit: bool = False,
) -> dict[int, Outcome]:
    """Store, record in the ledger, monitor and act on prepared batches (no commit). The
    ledger appends (events, then findings, then actions) are made last, so the log's
    lock, which every writer queues on, is held only for them and the commit.
    ``defer_credit``: see ``flows.monitor_many``."""
    with ledger.appends_at_end(db_session=db_session, now=now):
        outcomes = _store(
            db_session=db_session,
            sessions=sessions,
            prepared=prepared,
            channel=channel,
            now=now,
            defer_credit=defer_credit,
        )
    db_session.flush()  # the findings' and actions' ledger items
    return outcomes


def _store(
    *,
    db_session: Session,
    sessions: Mapping[int, LiveSession],
    prepared: Sequence[Prepared],
    channel: str,
    now: datetime,
    defer_credit: bool,
) -> dict[int, Outcome]:
    outcomes = {p.session_id: p.outcome for p in prepared}
    parsed = {p.session_id: p.events for p in prepared}
    for p in prepared:
        for reason, detail, event_id in p.refusals:
            refuse(
                db_session=db_session,
                session_id=p.session_id,
                channel=channel,
                reason=reason,
                detail=detail,
                event_id=event_id,
                now=now,
            )
    ids = sorted(sid for sid, events in parsed.items() if events)
    if not ids:
        db_session.flush()
        return outcomes
    # One writer per session at a time (row locks on PostgreSQL, taken in id order so two
    # writers with overlapping batches queue instead of deadlocking; SQLite writes alone).
    db_session.execute(
        select(LiveSession.id)
        .where(LiveSession.id.in_(ids))
        .order_by(LiveSession.id)
        .with_for_update()
    )
    stored = event_rows.stored(
        db_session, list({(sid, e.event_id) for sid in ids for _, e in parsed[sid]})
    )
    lasts = event_rows.lasts(db_session, ids)
    frames = {(p.session_id, eid): data for p in prepared for eid, data in p.frames.items()}
    readings = {(p.session_id, eid): r for p in prepared for eid, r in p.readings.items()}
    masked = {(p.session_id, eid): text for p in prepared for eid, text in p.masked.items()}
    rows: list[NewEvent] = []
    fresh: dict[int, dict[int, NewEvent]] = {sid: {} for sid in ids}  # by index in batch
    for sid in ids:
        seq = lasts.get(sid, (0, None))[0]
        for index, event in parsed[sid]:
            if (sid, event.event_id) in stored:
                continue
            seq += 1
            row = _row(sid, seq, event, frames.get((sid, event.event_id)))
            if (sid, event.event_id) in masked:
                row.clear_text, row.text = row.text, masked[(sid, event.event_id)]
            stored[(sid, event.event_id)] = (seq, None)
            rows.append(row)
            fresh[sid][index] = row
    if rows:
        rooms = {sid: _Room.of(sessions[sid]) for sid in ids}  # read once, not per event
        records = [_evidence(rooms[r.session_id], r) for r in rows]
        if ledger.holding_back(db_session):  # PostgreSQL: the ledger's lock taken last
            # ids now, the rows written once with their items when the ledger appends
            # them (the monitor reads the batch's own rows from memory meanwhile)
            event_rows.assign_ids(db_session, rows)
            ledger.append_later(
                db_session=db_session,
                records=lambda: records,
                done=lambda appended: event_rows.insert_linked(db_session, rows, appended),
                now=now,
            )
        else:  # the items first, so the rows are written once
            appended = ledger.append(db_session=db_session, records=records, now=now)
            for row, item in zip(rows, appended, strict=True):
                row.ledger_seq = item.seq
            event_rows.insert(db_session, rows)
    results = flows.monitor_many(
        db_session=db_session,
        groups=[
            (sessions[sid], list(fresh[sid].values()), lasts.get(sid, (0, None))[1]) for sid in ids
        ],
        now=now,
        readings=readings,
        defer_credit=defer_credit,
    )
    found = event_rows.finding_counts(
        db_session, [pk for _, pk in stored.values() if pk is not None]
    )
    for sid in ids:
        outcome, result = outcomes[sid], results[sid]
        for index, event in parsed[sid]:
            seq, pk = stored[(sid, event.event_id)]
            new = fresh[sid].get(index)
            count = result.counts.get(new.id, 0) if new is not None else found.get(pk or 0, 0)
            outcome.accepted.append(
                Accepted(
                    index=index,
                    event_id=event.event_id,
                    seq=seq,
                    duplicate=new is None,
                    findings=count,
                )
            )
        outcome.accepted.sort(key=lambda accepted: accepted.index)
        outcome.warnings = result.warnings
        outcome.actions = len(result.actions)
    db_session.flush()
    return outcomes


def _row(session_id: int, seq: int, event: Any, frame: dict[str, Any] | None) -> NewEvent:
    if frame is not None:  # the image is in the blob store, the row has its hash
        data = frame
    else:
        data = event.data.model_dump(exclude_none=True) if event.data is not None else {}
    return NewEvent(
        session_id=session_id,
        seq=seq,
        event_id=event.event_id,
        kind=event.kind,
        occurred_at=event.occurred_at,
        speaker_role=getattr(event, "speaker_role", None),
        text=getattr(event, "text", None),
        data=data,
    )


_EVIDENCE_KINDS = {
    EventKind.utterance: RecordKind.utterance,
    EventKind.chat: RecordKind.chat_message,
    EventKind.frame: RecordKind.frame,
    EventKind.listing_shown: RecordKind.listing_version,
    EventKind.listing_changed: RecordKind.listing_version,
    EventKind.listing_removed: RecordKind.listing_version,
    EventKind.counters: RecordKind.counters,
    EventKind.order: RecordKind.order,
}


@dataclass(frozen=True)
class _Room:
    where: dict[str, object]
    anchor_id: int
    merchant_id: int

    @classmethod
    def of(cls, live_session: LiveSession) -> _Room:
        where = service.ledger_where(live_session)
        return cls(where, live_session.anchor_id, live_session.merchant_id)


def _evidence(room: _Room, event: NewEvent) -> RecordIn:
    """The ledger record of an event, as it came: the monitor's readings of a frame are
    the monitor's (its findings cite them), not the event. Viewers appear only by role:
    no personal data."""
    data: dict[str, Any] = {
        "text": event.text,
        "event": event.kind.value,
        "event_id": event.event_id,
        **event.data,
    }
    blobs = {}
    if event.kind is EventKind.frame:
        blobs = {"image": data.pop("blob")}
        data.pop("frame", None)
        data.pop("frame_error", None)
    user = data.pop("user", None)  # a chat pseudonym is the platform's, not evidence
    personal, subject = None, None
    if event.clear_text is not None:  # the text above is masked; as sent, it is sealed
        personal = {"text": event.clear_text}
        subject = _subject(event, user)
    return RecordIn(
        kind=_EVIDENCE_KINDS[event.kind],
        occurred_at=event.occurred_at,
        where={**room.where, "event_seq": event.seq},
        who={
            "anchor_id": room.anchor_id,
            "merchant_id": room.merchant_id,
            "speaker_role": event.speaker_role.value if event.speaker_role else None,
        },
        data=data,
        blobs=blobs,
        subject=subject,
        personal=personal,
    )


def _subject(event: NewEvent, user: object) -> str:
    """Whose key seals an event's words: the viewer's in the room (so erasing her erases
    all she typed there), else the event's own."""
    if event.kind is EventKind.chat and isinstance(user, str) and user:
        return f"viewer:{event.session_id}:{user}"
    return f"live-event:{event.session_id}:{event.event_id}"


def ingest_committed(
    *,
    session_factory: sessionmaker[Session],
    session_id: int,
    raw_events: Sequence[object],
    channel: str,
    blobs: BlobStore,
    now: datetime,
) -> Outcome:
    """``ingest`` in a transaction of its own, committed before it returns: what the
    WebSocket acknowledges. An unknown session is refused and counted."""
    groups = {session_id: raw_events}
    return ingest_batch(
        session_factory=session_factory, groups=groups, channel=channel, blobs=blobs, now=now
    )[session_id]


def ingest_batch(
    *,
    session_factory: sessionmaker[Session],
    groups: Mapping[int, Sequence[object]],
    channel: str,
    blobs: BlobStore,
    now: datetime,
    defer_credit: bool = False,
) -> dict[int, Outcome]:
    """Several sessions' events in one transaction, committed before it returns (what a
    NATS worker acknowledges). One commit a batch, not one a session: the commit is the
    dearest step on either database. ``defer_credit``: see ``flows.monitor_many``."""
    outcomes = {}
    prepared = {sid: prepare(sid, raw, blobs) for sid, raw in groups.items()}
    with transaction(session_factory, write=True) as db_session:
        # Lock the batch's sessions up front, in id order: two workers with overlapping
        # batches then queue on the first shared session instead of deadlocking.
        found = db_session.scalars(
            select(LiveSession)
            .where(LiveSession.id.in_(list(groups)))
            .order_by(LiveSession.id)
            .with_for_update()
        ).all()
        sessions = {s.id: s for s in found}
        for session_id, raw_events in groups.items():
            if session_id not in sessions:
                outcomes[session_id] = _unknown_session(
                    db_session, session_id, raw_events, channel, now
                )
        known = [p for sid, p in prepared.items() if sid in sessions]
        outcomes.update(
            store(
                db_session=db_session,
                sessions=sessions,
                prepared=known,
                channel=channel,
                now=now,
                defer_credit=defer_credit,
            )
        )
    return outcomes


def _unknown_session(
    db_session: Session, session_id: int, raw_events: Sequence[object], channel: str, now: datetime
) -> Outcome:
    detail = f"live session {session_id} does not exist"
    outcome = Outcome(session_id)
    for index, raw in enumerate(raw_events):
        event_id = raw.get("event_id") if isinstance(raw, dict) else None
        event_id = event_id if isinstance(event_id, str) else None
        outcome.refused.append(
            Refused(index=index, event_id=event_id, reason="unknown_session", detail=detail)
        )
        refuse(
            db_session=db_session,
            session_id=None,
            channel=channel,
            reason="unknown_session",
            detail=detail,
            event_id=event_id,
            now=now,
        )
    return outcome
