"""Live session routes: sessions, events in (HTTP batch and WebSocket), the staff timeline
and its stream, refusals, the room list, and viewers' warnings (public)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Header,
    Request,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from liveguard.auth import service as auth_service
from liveguard.bounds import Count, Id, Seq
from liveguard.db import transaction
from liveguard.enforcement import service as enforcement_service
from liveguard.enforcement.schemas import WarningRead
from liveguard.errors import Forbidden, InvalidInput, LiveGuardError, NotAuthenticated
from liveguard.live import ingest, room_picture, service, timeline
from liveguard.live.bus_view import BusView
from liveguard.live.models import LiveEvent, LiveFinding, LiveSession
from liveguard.live.notify import broadcaster, sse
from liveguard.live.schemas import (
    EventRead,
    FindingRead,
    IngestRead,
    RefusalCount,
    RoomPictureRead,
    RoomRead,
    SessionCreate,
    SessionRead,
    TimelineRead,
)
from liveguard.live.worker import settle_heap_once
from liveguard.web.deps import (
    AnyStaff,
    Blobs,
    Compliance,
    DbSession,
    LiveIngest,
    Now,
    Signed,
    socket_subprotocol,
    socket_token,
)
from liveguard.web.permissions import LIVE_INGEST, check_room_reader, check_staff
from liveguard.web.problems import socket_problem

# Where an EventSource resumes: a sequence number it was sent, checked like any input (a
# bad one is a 400 before the stream starts, never a crash inside it).
LastEventId = Annotated[Seq, Header(alias="last-event-id")]

router = APIRouter(prefix="/sessions", tags=["live"])
rooms_router = APIRouter(prefix="/live", tags=["live"])
public_router = APIRouter(prefix="/public/live", tags=["live (public)"])
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionRead)
def create_session(session_in: SessionCreate, db_session: DbSession, _: Compliance) -> LiveSession:
    return service.create(db_session=db_session, session_in=session_in)


@router.get("", response_model=list[SessionRead])
def list_sessions(db_session: DbSession, _: AnyStaff) -> Sequence[LiveSession]:
    return service.get_all(db_session=db_session)


@router.get("/{session_id}", response_model=SessionRead)
def read_session(session_id: Id, db_session: DbSession, _: AnyStaff) -> LiveSession:
    return service.get(db_session=db_session, session_id=session_id)


@router.post("/{session_id}/events", response_model=IngestRead)
def add_events(
    session_id: Id,
    events: list[Any],
    db_session: DbSession,
    now: Now,
    blobs: Blobs,
    background: BackgroundTasks,
    _: LiveIngest,
) -> IngestRead:
    """A batch of events, each accepted or refused on its own (200 either way: the body
    says which). Accepted means stored, in the ledger and monitored: the transaction
    commits before this answer is sent."""
    if len(events) > ingest.MAX_BATCH:
        raise InvalidInput("events", f"{len(events)} events; at most {ingest.MAX_BATCH} a batch")
    live_session = service.get(db_session=db_session, session_id=session_id)
    outcome = ingest.ingest(
        db_session=db_session,
        live_session=live_session,
        raw_events=events,
        channel="http",
        blobs=blobs,
        now=now,
    )
    if outcome.accepted:
        background.add_task(broadcaster.notify, session_id)  # runs after the commit
        background.add_task(settle_heap_once)
    return outcome.read()


@router.get("/{session_id}/events", response_model=list[EventRead])
def list_events(session_id: Id, db_session: DbSession, _: AnyStaff) -> Sequence[LiveEvent]:
    service.get(db_session=db_session, session_id=session_id)
    return service.get_events(db_session=db_session, session_id=session_id)


@router.websocket("/{session_id}/events/ws")
async def events_socket(websocket: WebSocket, session_id: Id) -> None:
    """Send an event (or a list) per message; each gets ``{"type": "ack", "accepted",
    "refused"}`` once stored. Sign in with ``Authorization: Bearer`` or, from a browser,
    the subprotocols ``["liveguard", "bearer.<token>"]``; never ``?token=`` (URLs end up
    in logs). Only staff the HTTP batch route admits (``LIVE_INGEST``) may write: a caller
    without a token is closed with 4401, one without the role with 1008 (policy
    violation), before anything is read."""
    state = websocket.app.state
    token = socket_token(websocket)  # a ?token= in the URL is not read: URLs are logged
    with transaction(state.session_factory) as db_session:
        try:
            principal = auth_service.resolve(
                db_session=db_session, raw_token=token, now=state.clock.now()
            )
        except LiveGuardError:
            principal = None
    try:
        check_staff(principal, LIVE_INGEST)
    except NotAuthenticated:
        await websocket.close(code=4401, reason="sign in with a staff token")
        return
    except Forbidden as refused:
        # a close frame's reason is at most 123 bytes: the Chinese sentence cut on a character
        reason = refused.detail.encode()[:123].decode(errors="ignore")
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=reason)
        return
    await websocket.accept(subprotocol=socket_subprotocol(websocket))
    try:
        while True:
            message = await websocket.receive_text()
            try:
                body = json.loads(message)
            except json.JSONDecodeError as error:
                body = [f"not JSON: {error.msg}"]  # refused below as not_an_object
            raw = body if isinstance(body, list) else [body]
            try:
                outcome = await asyncio.to_thread(
                    ingest.ingest_committed,
                    session_factory=state.session_factory,
                    session_id=session_id,
                    raw_events=raw,
                    channel="websocket",
                    blobs=state.blobs,
                    now=state.clock.now(),
                )
            except LiveGuardError as error:  # nothing stored: say why, keep the socket open
                await websocket.send_json(socket_problem(error))
                continue
            if outcome.accepted:
                broadcaster.notify(session_id)
                settle_heap_once()
            await websocket.send_json({"type": "ack", **outcome.read().model_dump()})
    except WebSocketDisconnect:
        return


@router.get("/{session_id}/timeline", response_model=TimelineRead)
def read_timeline(
    session_id: Id, db_session: DbSession, _: AnyStaff, after: Seq = 0, after_action: Count = 0
) -> TimelineRead:
    return timeline.timeline(
        db_session=db_session, session_id=session_id, after_seq=after, after_action=after_action
    )


@router.get("/{session_id}/stream")
async def timeline_stream(
    session_id: Id, request: Request, _: AnyStaff, last_event_id: LastEventId = 0
) -> StreamingResponse:
    """Server-Sent Events for the console: ``event: timeline``, data a TimelineRead of
    what is new since the last one (the id is the last event's sequence number)."""
    factory = request.app.state.session_factory
    with transaction(factory) as db_session:
        service.get(db_session=db_session, session_id=session_id)
    after_action = [0]

    def read(after_seq: int) -> list[tuple[int, str]]:
        with transaction(factory) as db_session:
            found = timeline.timeline(
                db_session=db_session,
                session_id=session_id,
                after_seq=after_seq,
                after_action=after_action[0],
            )
        if not found.events and not found.actions:
            return []
        after_action[0] = found.last_action_id
        return [(found.last_seq, found.model_dump_json())]

    stream = sse(session_id, read, event="timeline", last_id=last_event_id)
    return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/{session_id}/picture", response_model=RoomPictureRead)
def read_picture(session_id: Id, db_session: DbSession, principal: Signed) -> RoomPictureRead:
    """The room's real picture: viewers, likes, clicks, chat and orders per minute, its
    conversion against the category's, the signs of bought traffic and who controlled the
    numbers. Staff, and the merchant who paid for the room (its own rooms only)."""
    check_room_reader(principal)
    live_session = service.get(db_session=db_session, session_id=session_id)
    check_room_reader(principal, live_session.merchant_id)
    return room_picture.read(db_session=db_session, live_session=live_session)


@router.post("/{session_id}/picture/check", response_model=list[FindingRead])
def check_picture(
    session_id: Id, db_session: DbSession, now: Now, _: Compliance
) -> list[LiveFinding]:
    """Store the room's signs of bought traffic as findings (each once, in the ledger)."""
    live_session = service.get(db_session=db_session, session_id=session_id)
    return room_picture.check(db_session=db_session, live_session=live_session, now=now)


@router.get("/{session_id}/refusals", response_model=list[RefusalCount])
def refusals(session_id: Id, db_session: DbSession, _: AnyStaff) -> list[RefusalCount]:
    service.get(db_session=db_session, session_id=session_id)
    counts = service.refusal_counts(db_session=db_session, session_id=session_id)
    return [RefusalCount(reason=reason, count=n) for reason, n in counts]


@rooms_router.get("/rooms", response_model=list[RoomRead])
def rooms(db_session: DbSession, _: AnyStaff) -> list[RoomRead]:
    return [
        RoomRead(
            session=SessionRead.model_validate(r.session),
            status=r.status,
            risk_score=r.risk_score,
            open_findings=r.open_findings,
        )
        for r in service.rooms(db_session=db_session)
    ]


@rooms_router.get("/bus", response_model=BusView)
async def bus(request: Request, _: AnyStaff) -> BusView:
    """The NATS JetStream partitions: backlog, unacknowledged and redelivered messages, the
    worker that stored each one's last batch, and alerts (``live/data/bus.yaml``)."""
    return await service.bus_view(nats_url=request.app.state.settings.nats_url)


@rooms_router.get("/refusals", response_model=list[RefusalCount])
def refusals_without_session(db_session: DbSession, _: AnyStaff) -> list[RefusalCount]:
    """Events refused before any session could be told (NATS messages to no session)."""
    counts = service.refusal_counts(db_session=db_session, session_id=None)
    return [RefusalCount(reason=reason, count=n) for reason, n in counts]


# --- viewers: public, no sign-in ------------------------------------------------------------


def _warnings(db_session: Session, session_id: int, after_id: int = 0) -> list[WarningRead]:
    return [
        WarningRead(id=a.id, text=a.text or "", issued_at=a.created_at)
        for a in enforcement_service.warnings(
            db_session=db_session, session_id=session_id, after_id=after_id
        )
    ]


@public_router.get("/{session_id}/warnings", response_model=list[WarningRead])
def public_warnings(session_id: Id, db_session: DbSession) -> list[WarningRead]:
    """The warnings a viewer of the room must see, oldest first."""
    service.get(db_session=db_session, session_id=session_id)
    return _warnings(db_session, session_id)


@public_router.get("/{session_id}/warnings/stream")
async def public_warning_stream(
    session_id: Id, request: Request, last_event_id: LastEventId = 0
) -> StreamingResponse:
    """Server-Sent Events: ``event: warning``, data ``{"id", "text", "issued_at"}``, each
    once (``Last-Event-ID`` resumes after a reconnect)."""
    factory = request.app.state.session_factory
    with transaction(factory) as db_session:
        service.get(db_session=db_session, session_id=session_id)

    def read(after_id: int) -> list[tuple[int, str]]:
        with transaction(factory) as db_session:
            found = _warnings(db_session, session_id, after_id)
        return [(w.id, w.model_dump_json()) for w in found]

    stream = sse(session_id, read, event="warning", last_id=last_event_id)
    return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)
