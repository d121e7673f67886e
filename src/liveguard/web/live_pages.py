"""Console pages for live rooms, and the page a room's viewers see.

Staff: the room list with risk scores (``/console/live``) and a room's page
(``/console/live/{id}``) that keeps itself up to date from the timeline's Server-Sent
Events (``/api/sessions/{id}/stream``): transcript and chat with each finding's exact span
marked, frames with their decoded QR codes and read text, the actions taken, and forms to
act (CSRF-protected like every console form). The first paint is the same timeline JSON,
rendered by the same script, so a row looks the same whether it came first or later.

Viewers (``/live/{id}``, public, no sign-in): the room's warnings as a banner that
appears as soon as one is issued (``/api/public/live/{id}/warnings/stream``).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from liveguard import labels, refusals
from liveguard.bounds import Id, Seq
from liveguard.catalog import service as catalog_service
from liveguard.credit import service as credit_service
from liveguard.credit.enums import SubjectKind
from liveguard.enforcement import service as enforcement_service
from liveguard.enforcement.schemas import ActionCreate, ActionKind
from liveguard.errors import InvalidInput, NotFound
from liveguard.live import service as live_service
from liveguard.live import timeline
from liveguard.live.enums import FindingSource, FindingStatus, SpeakerRole
from liveguard.live.notify import broadcaster
from liveguard.live.schemas import EventKind
from liveguard.parties import service as parties_service
from liveguard.trade import service as trade_service
from liveguard.vocab import Severity
from liveguard.web.deps import Blobs, DbSession, FormStaff, Now, PageStaff, Today
from liveguard.web.pages import decide_and_return, render
from liveguard.web.permissions import COMPLIANCE_WORK
from liveguard.web.refusal_words import pydantic_said

router = APIRouter(include_in_schema=False)

# What the forms on a room's page may ask for; dismissing has its own route.
FORM_ACTIONS = (
    ActionKind.warn_anchor,
    ActionKind.viewer_warning,
    ActionKind.pull_listing,
    ActionKind.suspend_room,
    ActionKind.escalate,
    ActionKind.note,
)


@router.get("/console/live", response_class=HTMLResponse)
def rooms_page(request: Request, db_session: DbSession, principal: PageStaff) -> Response:
    rooms = live_service.rooms(db_session=db_session)
    anchors = {
        r.session.anchor_id: parties_service.get_anchor(
            db_session=db_session, anchor_id=r.session.anchor_id
        )
        for r in rooms
    }
    return render(
        request,
        "live_rooms.html",
        principal,
        rooms=rooms,
        anchors=anchors,
        status_words=room_words()["room"],
    )


@router.get("/console/live/bus", response_class=HTMLResponse)
async def bus_page(request: Request, principal: PageStaff) -> Response:
    """The bus beside the room list: each partition's backlog and worker, and alerts."""
    found = await live_service.bus_view(nats_url=request.app.state.settings.nats_url)
    return render(request, "live_bus.html", principal, bus=found)


@router.get("/console/live/{session_id}", response_class=HTMLResponse)
def room_page(
    request: Request,
    session_id: Id,
    db_session: DbSession,
    principal: PageStaff,
    now: Now,
    notice: str = "",
    error: str = "",
) -> Response:
    live_session = live_service.get(db_session=db_session, session_id=session_id)
    first = timeline.timeline(db_session=db_session, session_id=session_id)
    listings = catalog_service.get_all(db_session=db_session, merchant_id=live_session.merchant_id)
    # live actions (a message to the anchor, a banner, a suspension) only while it is on air
    on_air = live_session.ended_at is None or live_session.ended_at > now
    return render(
        request,
        "live_room.html",
        principal,
        session=live_session,
        anchor=parties_service.get_anchor(db_session=db_session, anchor_id=live_session.anchor_id),
        merchant=parties_service.get_merchant(
            db_session=db_session, merchant_id=live_session.merchant_id
        ),
        first=first.model_dump(mode="json"),
        traffic_findings=live_service.count_traffic_findings(
            db_session=db_session, session_id=live_session.id
        ),
        benefit_findings=trade_service.count_benefit_findings_of_session(
            db_session=db_session, session_id=live_session.id
        ),
        can_act=principal.role in COMPLIANCE_WORK,
        on_air=on_air,
        suspended=live_session.suspended_at is not None,
        finding_choices=[
            {**f, "at": e.occurred_at}
            for e in first.events
            for f in (x.model_dump() for x in e.findings)
            if f["status"] == "open"
        ],
        listings=listings,
        words={**room_words(), "listing": {str(x.id): x.title for x in listings}},
        actions=FORM_ACTIONS,
        notice=notice,
        error=error,
    )


def room_words() -> dict[str, dict[str, str]]:
    """The words the room page's script shows for codes, from the label catalogue."""

    def of(
        kind: str, enum: type[Enum] | None = None, codes: tuple[str, ...] = ()
    ) -> dict[str, str]:
        values = [m.value for m in enum] if enum is not None else list(codes)
        return {str(v): labels.label(v, kind) for v in values}

    return {
        "room": of("live.room_status", codes=("live", "ended", "suspended")),
        "done": of("enforcement.action_done", ActionKind),
        "severity": of("vocab.Severity", Severity),
        "event": of("live.EventKind", EventKind),
        "speaker": of("live.SpeakerRole", SpeakerRole),
        "status": of("live.FindingStatus", FindingStatus),
        "source": of("live.FindingSource", FindingSource),
        # QR payload kinds are the frame reader's (not an enum a page may import)
        "payload": of(
            "live.PayloadKind", codes=tuple(labels.catalogue().kinds.get("live.PayloadKind", {}))
        ),
    }


@router.post("/console/live/{session_id}/actions")
def act_on_room(
    request: Request,
    session_id: Id,
    db_session: DbSession,
    principal: FormStaff,
    now: Now,
    background: BackgroundTasks,
    kind: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    finding_id: Annotated[str, Form()] = "",
    listing_id: Annotated[str, Form()] = "",
) -> RedirectResponse:
    live_session = live_service.get(db_session=db_session, session_id=session_id)
    back = f"/console/live/{session_id}"

    def take() -> None:
        if kind not in {k.value for k in FORM_ACTIONS}:
            raise refusals.invalid("live", "kind", "not_an_action", value=kind)
        action_in = ActionCreate.model_validate(
            {
                "kind": kind,
                "reason": reason.strip() or _default_reason(kind),
                "text": text.strip() or None,
                "finding_id": _number("finding_id", finding_id),
                "listing_id": _number("listing_id", listing_id),
            }
        )
        enforcement_service.act(
            db_session=db_session,
            live_session=live_session,
            action_in=action_in,
            actor=principal.name,
            now=now,
        )

    background.add_task(broadcaster.notify, session_id)  # after the commit: pages update now
    return decide_and_return(
        request, lambda: _validated(take), back, kept={"act.reason": reason, "act.text": text}
    )


@router.post("/console/live/findings/{finding_id}/dismiss")
def dismiss_finding(
    request: Request,
    finding_id: Id,
    db_session: DbSession,
    principal: FormStaff,
    now: Now,
    background: BackgroundTasks,
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    finding = live_service.get_finding(db_session=db_session, finding_id=finding_id)
    background.add_task(broadcaster.notify, finding.session_id)
    return decide_and_return(
        request,
        lambda: enforcement_service.dismiss(
            db_session=db_session,
            finding_id=finding_id,
            reason=reason.strip() or "staff judged the finding wrong",
            actor=principal.name,
            now=now,
        ),
        f"/console/live/{finding.session_id}",
    )


@router.get("/console/live/{session_id}/frames/{seq}")
def frame_image(
    session_id: Id, seq: Seq, db_session: DbSession, blobs: Blobs, _: PageStaff
) -> Response:
    """A frame as it was received (from the content-addressed blob store)."""
    for event in live_service.get_events(db_session=db_session, session_id=session_id):
        if event.seq == seq and event.kind is EventKind.frame and event.data.get("blob"):
            return Response(
                blobs.get(event.data["blob"]),
                media_type=event.data.get("mime", "application/octet-stream"),
                headers={"Cache-Control": "private, max-age=86400"},
            )
    raise NotFound("frame", f"{session_id}/{seq}")


@router.get("/live/{session_id}", response_class=HTMLResponse)
def viewer_page(request: Request, session_id: Id, db_session: DbSession, today: Today) -> Response:
    """What a viewer of the room sees of LiveGuard: the warnings, in plain Chinese."""
    live_session = live_service.get(db_session=db_session, session_id=session_id)
    warnings = enforcement_service.warnings(db_session=db_session, session_id=session_id)
    page = render(
        request,
        "live_viewer.html",
        None,
        session=live_session,
        anchor=parties_service.get_anchor(db_session=db_session, anchor_id=live_session.anchor_id),
        warnings=[{"id": w.id, "text": w.text or ""} for w in warnings],
        credit=credit_service.in_force(
            db_session=db_session,
            subject=credit_service.Subject(SubjectKind.merchant, live_session.merchant_id),
            today=today,
        ),
    )
    # The rooms opened on this device (ids only, newest first), so the complaint form can
    # offer "a room you watched" with no account.
    seen = [i for i in request.cookies.get("lg_watched", "").split(".") if i.isdigit()]
    kept = [str(session_id), *(i for i in seen if i != str(session_id))][:10]
    page.set_cookie("lg_watched", ".".join(kept), max_age=90 * 86400, samesite="lax", httponly=True)
    return page


def _number(field: str, value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        named = labels.label(field, "live.form_field")
        raise refusals.invalid("live", field, "not_a_number", what=named, value=value)
    return int(value)


def _default_reason(kind: str) -> str:
    return f"{kind} by staff from the live-room console"


def _validated(take: Callable[[], None]) -> None:
    """Pydantic's refusal of a form, as an error a person can read on the page."""
    try:
        take()
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "form"
        named = labels.words("live.form_field", field)
        words = pydantic_said(first)
        raise InvalidInput(field, f"{named.zh}：{words}" if named else words) from None
