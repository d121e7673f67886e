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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liveguard.blobs import BlobStore
from liveguard.db import transaction
from liveguard.errors import NotFound
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.live import monitor, service
from liveguard.live.models import EventKind, LiveEvent, LiveFinding, LiveRefusal, LiveSession
from liveguard.live.schemas import (
    EVENT_ADAPTER,
    Accepted,
    FrameIn,
    IngestRead,
    Refused,
)

MAX_BATCH = 5000


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
    outcome = Outcome(live_session.id)
    parsed: list[tuple[int, Any]] = []
    for index, raw in enumerate(raw_events):
        event, problem = parse(raw)
        if problem is not None:
            event_id = raw.get("event_id") if isinstance(raw, dict) else None
            event_id = event_id if isinstance(event_id, str) else None
            outcome.refused.append(
                Refused(index=index, event_id=event_id, reason=problem[0], detail=problem[1])
            )
            refuse(
                db_session=db_session,
                session_id=live_session.id,
                channel=channel,
                reason=problem[0],
                detail=problem[1],
                event_id=event_id,
                now=now,
            )
        else:
            parsed.append((index, event))
    if not parsed:
        db_session.flush()
        return outcome
    # One writer per session at a time (a row lock on PostgreSQL; SQLite writes one at a time).
    db_session.execute(
        select(LiveSession.id).where(LiveSession.id == live_session.id).with_for_update()
    )
    stored = _stored(db_session, live_session.id, [e.event_id for _, e in parsed])
    last = db_session.scalar(
        select(func.max(LiveEvent.seq)).where(LiveEvent.session_id == live_session.id)
    )
    rows: list[LiveEvent] = []
    images: dict[str, bytes] = {}  # frames by blob hash, for the monitor to read
    fresh: dict[int, LiveEvent] = {}  # by the event's index in the batch
    for index, event in parsed:
        if event.event_id in stored:
            continue
        row = _row(live_session.id, (last or 0) + len(rows) + 1, event, blobs, images)
        stored[event.event_id] = (row.seq, None)
        rows.append(row)
        fresh[index] = row
    if rows:
        appended = ledger.append(
            db_session=db_session, records=[_evidence(live_session, r) for r in rows], now=now
        )
        for row, item in zip(rows, appended, strict=True):
            row.ledger_seq = item.seq
        db_session.add_all(rows)
        db_session.flush()
    result = monitor.run(
        db_session=db_session, live_session=live_session, events=rows, now=now, images=images
    )
    found = _finding_counts(db_session, [pk for _, pk in stored.values() if pk is not None])
    for index, event in parsed:
        seq, pk = stored[event.event_id]
        new = fresh.get(index)
        count = result.counts.get(new.id, 0) if new is not None else found.get(pk or 0, 0)
        outcome.accepted.append(
            Accepted(
                index=index, event_id=event.event_id, seq=seq, duplicate=new is None, findings=count
            )
        )
    outcome.warnings = result.warnings
    outcome.actions = len(result.actions)
    db_session.flush()
    return outcome


def _stored(
    db_session: Session, session_id: int, event_ids: list[str]
) -> dict[str, tuple[int, int | None]]:
    """Event ids already stored in the session: (seq, row id)."""
    rows = db_session.execute(
        select(LiveEvent.event_id, LiveEvent.seq, LiveEvent.id).where(
            LiveEvent.session_id == session_id, LiveEvent.event_id.in_(set(event_ids))
        )
    ).all()
    return {event_id: (seq, pk) for event_id, seq, pk in rows}


def _finding_counts(db_session: Session, event_pks: list[int]) -> dict[int, int]:
    if not event_pks:
        return {}
    rows = db_session.execute(
        select(LiveFinding.event_pk, func.count())
        .where(LiveFinding.event_pk.in_(event_pks))
        .group_by(LiveFinding.event_pk)
    ).all()
    return {pk: int(n) for pk, n in rows}


def _row(
    session_id: int, seq: int, event: Any, blobs: BlobStore, images: dict[str, bytes]
) -> LiveEvent:
    data = event.data.model_dump(exclude_none=True) if event.data is not None else {}
    if isinstance(event, FrameIn):
        image = event.data.image()
        digest = blobs.put(image)  # content-addressed: the same frame twice is one file
        images[digest] = image
        data = {"blob": digest, "mime": event.data.mime, "bytes": len(image)}
    return LiveEvent(
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


def _evidence(live_session: LiveSession, event: LiveEvent) -> RecordIn:
    """The ledger record of an event. Viewers appear only by role: no personal data."""
    data: dict[str, Any] = {
        "text": event.text,
        "event": event.kind.value,
        "event_id": event.event_id,
        **event.data,
    }
    blobs = {"image": data.pop("blob")} if event.kind is EventKind.frame else {}
    data.pop("user", None)  # a chat pseudonym is the platform's, not evidence
    return RecordIn(
        kind=_EVIDENCE_KINDS[event.kind],
        occurred_at=event.occurred_at,
        where={**service.ledger_where(live_session), "event_seq": event.seq},
        who={
            "anchor_id": live_session.anchor_id,
            "merchant_id": live_session.merchant_id,
            "speaker_role": event.speaker_role.value if event.speaker_role else None,
        },
        data=data,
        blobs=blobs,
    )


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
    WebSocket and the NATS worker acknowledge. An unknown session is refused and counted."""
    with transaction(session_factory) as db_session:
        try:
            live_session = service.get(db_session=db_session, session_id=session_id)
        except NotFound as error:
            outcome = Outcome(session_id)
            for index, raw in enumerate(raw_events):
                event_id = raw.get("event_id") if isinstance(raw, dict) else None
                event_id = event_id if isinstance(event_id, str) else None
                outcome.refused.append(
                    Refused(
                        index=index, event_id=event_id, reason="unknown_session", detail=str(error)
                    )
                )
                refuse(
                    db_session=db_session,
                    session_id=None,
                    channel=channel,
                    reason="unknown_session",
                    detail=str(error),
                    event_id=event_id,
                    now=now,
                )
            return outcome
        return ingest(
            db_session=db_session,
            live_session=live_session,
            raw_events=raw_events,
            channel=channel,
            blobs=blobs,
            now=now,
        )
