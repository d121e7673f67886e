"""Staff acting on live rooms by hand: warn, banner, pull, suspend, escalate, dismiss."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, BackgroundTasks, status

from liveguard.bounds import Id
from liveguard.enforcement import service
from liveguard.enforcement.enums import ActionKind
from liveguard.enforcement.models import EnforcementAction
from liveguard.enforcement.schemas import ActionCreate, ActionRead, DismissIn
from liveguard.live import service as live_service
from liveguard.live.notify import broadcaster
from liveguard.web.deps import AnyStaff, Compliance, DbSession, Now

router = APIRouter(tags=["enforcement"])


@router.post(
    "/sessions/{session_id}/actions",
    status_code=status.HTTP_201_CREATED,
    response_model=ActionRead,
)
def act(
    session_id: Id,
    action_in: ActionCreate,
    now: Now,
    db_session: DbSession,
    background: BackgroundTasks,
    principal: Compliance,
) -> EnforcementAction:
    live_session = live_service.get(db_session=db_session, session_id=session_id)
    action = service.act(
        db_session=db_session,
        live_session=live_session,
        action_in=action_in,
        actor=principal.name,
        now=now,
    )
    if action.kind is ActionKind.viewer_warning:
        background.add_task(broadcaster.notify, session_id)
    return action


@router.get("/sessions/{session_id}/actions", response_model=list[ActionRead])
def list_actions(session_id: Id, db_session: DbSession, _: AnyStaff) -> Sequence[EnforcementAction]:
    live_service.get(db_session=db_session, session_id=session_id)
    return service.get_actions(db_session=db_session, session_id=session_id)


@router.post("/live/findings/{finding_id}/dismiss", response_model=ActionRead)
def dismiss(
    finding_id: Id,
    dismiss_in: DismissIn,
    now: Now,
    db_session: DbSession,
    principal: Compliance,
) -> EnforcementAction:
    return service.dismiss(
        db_session=db_session,
        finding_id=finding_id,
        reason=dismiss_in.reason,
        actor=principal.name,
        now=now,
    )
