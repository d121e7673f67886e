"""Live session routes."""

from __future__ import annotations

from fastapi import APIRouter, status

from liveguard.live import service
from liveguard.live.schemas import EventCreate, EventRead, SessionCreate, SessionRead
from liveguard.web.deps import AnyStaff, Compliance, DbSession

router = APIRouter(prefix="/sessions", tags=["live"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionRead)
def create_session(session_in: SessionCreate, db_session: DbSession, _: Compliance):
    return service.create(db_session=db_session, session_in=session_in)


@router.get("", response_model=list[SessionRead])
def list_sessions(db_session: DbSession, _: AnyStaff):
    return service.get_all(db_session=db_session)


@router.get("/{session_id}", response_model=SessionRead)
def read_session(session_id: int, db_session: DbSession, _: AnyStaff):
    return service.get(db_session=db_session, session_id=session_id)


@router.post(
    "/{session_id}/events", status_code=status.HTTP_201_CREATED, response_model=list[EventRead]
)
def add_events(session_id: int, events: list[EventCreate], db_session: DbSession, _: Compliance):
    live_session = service.get(db_session=db_session, session_id=session_id)
    return service.add_events(db_session=db_session, live_session=live_session, events=events)


@router.get("/{session_id}/events", response_model=list[EventRead])
def list_events(session_id: int, db_session: DbSession, _: AnyStaff):
    service.get(db_session=db_session, session_id=session_id)
    return service.get_events(db_session=db_session, session_id=session_id)
