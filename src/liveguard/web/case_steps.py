"""Console forms for the steps of a case: moving it on, a party's answer, a mediation
note, the decision, advance compensation, publishing the anonymised record, and the
evidence bundle. Each runs the same service as the API and returns to the case page
with a notice; a refused step shows the case page again with the reason in Chinese and
what was typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liveguard.auth.service import Principal
from liveguard.bounds import Id
from liveguard.cases import handling, publicity, refusals, service, workflow
from liveguard.cases.schemas import CaseState, CompensationCreate, DecisionCreate
from liveguard.errors import LiveGuardError
from liveguard.money import parse_yuan
from liveguard.web import case_view
from liveguard.web.deps import (
    Blobs,
    CurrentSettings,
    DbSession,
    LogSigner,
    Now,
    SignedForm,
    Today,
)
from liveguard.web.pages import back
from liveguard.web.permissions import CASE_WORK, check_case_access
from liveguard.web.refusal_words import said

router = APIRouter(include_in_schema=False)


def _staff_step(
    request: Request,
    db_session: Session,
    principal: Principal,
    case_id: Id,
    step: Callable[[service.Case], object],
    kept: dict[str, str],
) -> Response:
    """Run a step; ``kept``: its fields as typed (``answers.text``), shown again if refused."""
    case = service.get(db_session=db_session, case_id=case_id)
    page = f"/console/cases/{case.id}"
    if not (principal.is_staff and principal.role in CASE_WORK):
        return back(page, error=refusals.sentence("not_staff_step"))
    try:
        step(case)
    except (LiveGuardError, ValueError) as error:
        db_session.rollback()
        case = service.get(db_session=db_session, case_id=case_id)
        check_case_access(principal, case, write=False)
        return case_view.page(
            request, db_session, principal, case, error=said(error), kept=kept, status_code=422
        )
    return back(page, notice="saved")


@router.post("/console/cases/{case_id}/transition")
def move_case(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    today: Today,
    to_state: Annotated[CaseState, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    return _staff_step(
        request,
        db_session,
        principal,
        case_id,
        lambda case: workflow.transition(
            db_session=db_session,
            case=case,
            to_state=to_state,
            actor=principal.name,
            party_role="staff",
            reason=reason,
            now=now,
            today=today,
        ),
        {"transition.reason": reason},
    )


@router.post("/console/cases/{case_id}/answers")
def party_answer(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    text: Annotated[str, Form()],
    party: Annotated[str, Form()] = "merchant",
) -> Response:
    """Staff take down what the merchant, the anchor or the MCN answered."""
    return _staff_step(
        request,
        db_session,
        principal,
        case_id,
        lambda case: handling.answer(
            db_session=db_session,
            case=case,
            party_role=party,
            text=text,
            actor=principal.name,
            now=now,
        ),
        {"answers.text": text, "answers.party": party},
    )


@router.post("/console/cases/{case_id}/notes")
def mediation_note(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    text: Annotated[str, Form()],
) -> Response:
    return _staff_step(
        request,
        db_session,
        principal,
        case_id,
        lambda case: handling.note(
            db_session=db_session, case=case, text=text, actor=principal.name, now=now
        ),
        {"notes.text": text},
    )


@router.post("/console/cases/{case_id}/decision")
def decide(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    today: Today,
    outcome: Annotated[str, Form()],
    amount_yuan: Annotated[str, Form()],
) -> Response:
    return _staff_step(
        request,
        db_session,
        principal,
        case_id,
        lambda case: handling.decide(
            db_session=db_session,
            case=case,
            decision_in=DecisionCreate(
                outcome=outcome,
                amount_fen=parse_yuan(amount_yuan),
                liable=[p["role"] for p in case.resolution.get("parties", [])],
            ),
            actor=principal.name,
            now=now,
            today=today,
        ),
        {"decision.outcome": outcome, "decision.amount_yuan": amount_yuan},
    )


@router.post("/console/cases/{case_id}/compensation")
def compensate(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    today: Today,
    amount_yuan: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "平台先行赔付，再向商家追偿",
) -> Response:
    return _staff_step(
        request,
        db_session,
        principal,
        case_id,
        lambda case: handling.compensate(
            db_session=db_session,
            case=case,
            compensation_in=CompensationCreate(amount_fen=parse_yuan(amount_yuan), reason=reason),
            actor=principal.name,
            now=now,
            today=today,
        ),
        {"compensation.amount_yuan": amount_yuan, "compensation.reason": reason},
    )


@router.post("/console/cases/{case_id}/publish")
def publish(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    confirm: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Publish the public record the case page showed (``confirm``: its digest)."""
    return _staff_step(
        request,
        db_session,
        principal,
        case_id,
        lambda case: publicity.publish(
            db_session=db_session, case=case, confirm=confirm, actor=principal.name, now=now
        ),
        {},
    )


@router.post("/console/cases/{case_id}/bundle")
def bundle(
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    blobs: Blobs,
    signer: LogSigner,
    settings: CurrentSettings,
) -> Response:
    """The evidence bundle, for the consumer herself or staff."""
    case = service.get(db_session=db_session, case_id=case_id)
    check_case_access(principal, case, write=not principal.is_staff)
    content = publicity.export_bundle(
        db_session=db_session,
        case=case,
        blobs=blobs,
        signer=signer,
        origin=settings.checkpoint_origin,
    )
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="liveguard-case-{case.id}.zip"'},
    )
