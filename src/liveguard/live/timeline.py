"""What the staff console shows of a room: events with their findings, frames' readings,
and the actions taken, from a point on (so a page can ask only for what is new)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.enforcement import service as enforcement_service
from liveguard.enforcement.schemas import ActionRead
from liveguard.live import service
from liveguard.live.enums import EventKind, FindingStatus
from liveguard.live.models import LiveEvent
from liveguard.live.schemas import (
    EventRead,
    FindingRead,
    RoomRead,
    SessionRead,
    TimelineEvent,
    TimelineRead,
)

MAX_EVENTS = 500


def room(*, db_session: Session, session_id: int) -> RoomRead:
    live_session = service.get(db_session=db_session, session_id=session_id)
    severities = Counter(
        f.severity
        for f in service.get_findings(db_session=db_session, session_id=session_id)
        if f.status is FindingStatus.open
    )
    return RoomRead(
        session=SessionRead.model_validate(live_session),
        status=service.status_of(live_session),
        risk_score=service.risk_score(severities, live_session.suspended_at is not None),
        open_findings=sum(severities.values()),
    )


def timeline(
    *,
    db_session: Session,
    session_id: int,
    after_seq: int = 0,
    after_action: int = 0,
    limit: int = MAX_EVENTS,
) -> TimelineRead:
    """Events after ``after_seq`` (at most ``limit``), actions after ``after_action``."""
    header = room(db_session=db_session, session_id=session_id)
    events = db_session.scalars(
        select(LiveEvent)
        .where(LiveEvent.session_id == session_id, LiveEvent.seq > after_seq)
        .order_by(LiveEvent.seq)
        .limit(limit)
    ).all()
    findings: dict[int, list[FindingRead]] = {}
    for finding in service.get_findings(
        db_session=db_session, session_id=session_id, event_pks=[e.id for e in events]
    ):
        findings.setdefault(finding.event_pk, []).append(FindingRead.model_validate(finding))
    on_show = _on_show_before(db_session, session_id, after_seq)
    items = []
    for event in events:
        if event.kind is EventKind.listing_shown:
            on_show = event.data.get("listing_id")
        elif event.kind is EventKind.listing_removed and event.data.get("listing_id") == on_show:
            on_show = None
        base = EventRead.model_validate(event).model_dump()
        items.append(TimelineEvent(**base, listing_id=on_show, findings=findings.get(event.id, [])))
    actions = enforcement_service.get_actions(
        db_session=db_session, session_id=session_id, after_id=after_action
    )
    return TimelineRead(
        room=header,
        last_seq=events[-1].seq if events else after_seq,
        last_action_id=actions[-1].id if actions else after_action,
        events=items,
        actions=[ActionRead.model_validate(a).model_dump(mode="json") for a in actions],
    )


def _on_show_before(db_session: Session, session_id: int, seq: int) -> int | None:
    row = db_session.execute(
        select(LiveEvent.kind, LiveEvent.data)
        .where(
            LiveEvent.session_id == session_id,
            LiveEvent.seq <= seq,
            LiveEvent.kind.in_([EventKind.listing_shown, EventKind.listing_removed]),
        )
        .order_by(LiveEvent.seq.desc())
        .limit(1)
    ).first()
    if row is None or row.kind is EventKind.listing_removed:
        return None
    listing_id: int | None = row.data.get("listing_id")
    return listing_id
