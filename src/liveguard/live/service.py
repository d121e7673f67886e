"""Recording live sessions and their events."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveguard.errors import InvalidInput, NotFound
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.live.models import EventKind, LiveEvent, LiveSession
from liveguard.live.schemas import EventCreate, SessionCreate
from liveguard.parties import service as parties_service


def create(*, db_session: Session, session_in: SessionCreate) -> LiveSession:
    parties_service.get_platform(db_session=db_session, platform_id=session_in.platform_id)
    anchor = parties_service.get_anchor(db_session=db_session, anchor_id=session_in.anchor_id)
    merchant = parties_service.get_merchant(
        db_session=db_session, merchant_id=session_in.merchant_id
    )
    if anchor.platform_id != session_in.platform_id:
        raise InvalidInput("anchor_id", "the anchor is registered on another platform")
    if merchant.platform_id != session_in.platform_id:
        raise InvalidInput("merchant_id", "the merchant is registered on another platform")
    live_session = LiveSession(**session_in.model_dump())
    db_session.add(live_session)
    db_session.flush()
    return live_session


def get(*, db_session: Session, session_id: int) -> LiveSession:
    found = db_session.get(LiveSession, session_id)
    if found is None:
        raise NotFound("live session", session_id)
    return found


def count(*, db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(LiveSession)) or 0)


def get_all(*, db_session: Session, limit: int = 50) -> Sequence[LiveSession]:
    query = select(LiveSession).order_by(LiveSession.started_at.desc()).limit(limit)
    return db_session.scalars(query).all()


def add_events(
    *, db_session: Session, live_session: LiveSession, events: list[EventCreate]
) -> list[LiveEvent]:
    """Append events in order; each gets the next sequence number in its session."""
    last = db_session.scalar(
        select(func.max(LiveEvent.seq)).where(LiveEvent.session_id == live_session.id)
    )
    rows = [
        LiveEvent(session_id=live_session.id, seq=(last or 0) + i, **event.model_dump())
        for i, event in enumerate(events, start=1)
    ]
    # Recorded in the evidence ledger in the same transaction: stored means provable.
    appended = ledger.append(
        db_session=db_session, records=[_evidence(live_session, row) for row in rows]
    )
    for row, item in zip(rows, appended, strict=True):
        row.ledger_seq = item.seq
    db_session.add_all(rows)
    db_session.flush()
    return rows


_EVIDENCE_KINDS = {
    EventKind.utterance: RecordKind.utterance,
    EventKind.chat: RecordKind.chat_message,
    EventKind.listing_shown: RecordKind.listing_version,
    EventKind.counters: RecordKind.counters,
    EventKind.order: RecordKind.order,
}


def _evidence(live_session: LiveSession, event: LiveEvent) -> RecordIn:
    """The ledger record of an event. Viewers appear only by role: no personal data."""
    return RecordIn(
        kind=_EVIDENCE_KINDS[event.kind],
        occurred_at=event.occurred_at,
        where={
            "platform_id": live_session.platform_id,
            "room": live_session.room_code,
            "session_id": live_session.id,
            "event_seq": event.seq,
        },
        who={
            "anchor_id": live_session.anchor_id,
            "merchant_id": live_session.merchant_id,
            "speaker_role": event.speaker_role.value if event.speaker_role else None,
        },
        data={"text": event.text, **event.data},
    )


def get_events(*, db_session: Session, session_id: int) -> Sequence[LiveEvent]:
    query = select(LiveEvent).where(LiveEvent.session_id == session_id).order_by(LiveEvent.seq)
    return db_session.scalars(query).all()
