"""Credit pages: the public lookup of the red and black lists (anyone), and the console's
proceedings, where staff read the notice, the records behind it and every step, record a
party's objection, appeal or repair application, and decide with a written reason."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liveguard import refusals
from liveguard.bounds import Id
from liveguard.credit import flows as credit_flows
from liveguard.credit import rules as credit_rules
from liveguard.credit import service as credit_service
from liveguard.credit.enums import Decision, PartyAct, ProceedingState, StepKind, SubjectKind
from liveguard.labels import label, words
from liveguard.web.deps import (
    DbSession,
    FormStaff,
    MaybePrincipal,
    Now,
    PageStaff,
    SignedForm,
    Today,
    actor,
)
from liveguard.web.pages import decide_and_return, render
from liveguard.web.permissions import COMPLIANCE_WORK, check_credit_party

router = APIRouter(include_in_schema=False)


def _words(enum: type[StrEnum]) -> dict[StrEnum, str]:
    return {member: label(member) for member in enum}


# The words are the label catalogue's (data/labels.yaml), shared with exports and the CLI.
LABELS = {
    "subject": _words(SubjectKind),
    "state": _words(ProceedingState),
    "step": _words(StepKind),
    "decision": _words(Decision),
}


def cause_zh(cause: str) -> str:
    """A history row's cause in words: ``breach:7`` -> 未按承诺发货或送达 #7."""
    head, _, rest = cause.partition(":")
    number = rest.rsplit(":", 1)[-1]
    said = w.zh if (w := words("credit.cause", head)) else "记录更新"
    return f"{said}{' #' + number if number.isdigit() else ''}"


@router.get("/credit", response_class=HTMLResponse)
def lookup_page(
    request: Request, db_session: DbSession, principal: MaybePrincipal, today: Today, q: str = ""
) -> Response:
    """Anyone: search the red and black lists by name or unified social credit code."""
    entries = credit_service.public_search(db_session=db_session, q=q[:100], today=today)
    return render(
        request, "credit_lookup.html", principal, q=q[:100], entries=entries, labels=LABELS
    )


@router.get("/credit/{proceeding_id}", response_class=HTMLResponse)
def public_entry_page(
    request: Request,
    proceeding_id: Id,
    db_session: DbSession,
    principal: MaybePrincipal,
    today: Today,
) -> Response:
    entry = credit_service.public_get(
        db_session=db_session, proceeding_id=proceeding_id, today=today
    )
    rules = credit_rules.rules()
    return render(
        request,
        "credit_public.html",
        principal,
        entry=entry,
        labels=LABELS,
        basis=rules.lists[entry.proceeding.list_kind].legal_basis + rules.publicity.legal_basis,
    )


@router.get("/console/credit", response_class=HTMLResponse)
def proceedings_page(request: Request, db_session: DbSession, principal: PageStaff) -> Response:
    proceedings = credit_service.get_all(db_session=db_session)
    return render(
        request, "credit_proceedings.html", principal, proceedings=proceedings, labels=LABELS
    )


@router.get("/console/credit/{proceeding_id}", response_class=HTMLResponse)
def proceeding_page(
    request: Request,
    proceeding_id: Id,
    db_session: DbSession,
    principal: PageStaff,
    now: Now,
    notice: str = "",
    error: str = "",
) -> Response:
    proceeding = credit_service.get(db_session=db_session, proceeding_id=proceeding_id)
    subject = credit_service.subject_of(proceeding)
    return render(
        request,
        "credit_proceeding.html",
        principal,
        p=proceeding,
        steps=credit_service.get_steps(db_session=db_session, proceeding_id=proceeding.id),
        score=(scored := credit_service.compute(db_session=db_session, subject=subject, now=now)),
        factors=credit_service.factors_json(scored),
        history=credit_service.history(db_session=db_session, subject=subject),
        can_decide=principal.role in COMPLIANCE_WORK,
        cause_zh=cause_zh,
        labels=LABELS,
        notice=notice,
        error=error,
    )


@router.post("/console/credit/{proceeding_id}/decision")
def decide_form(
    request: Request,
    proceeding_id: Id,
    db_session: DbSession,
    principal: FormStaff,
    now: Now,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    page = f"/console/credit/{proceeding_id}"

    def take() -> None:
        proceeding = credit_service.get(db_session=db_session, proceeding_id=proceeding_id)
        chosen = Decision(decision) if decision in Decision.__members__ else None
        if chosen is None:
            raise refusals.invalid("credit", "decision", "choose_decision")
        credit_flows.decide(
            db_session=db_session,
            proceeding=proceeding,
            decision=chosen,
            reason=reason,
            actor=actor(principal),
            now=now,
        )
        db_session.flush()

    return decide_and_return(request, take, page, kept={f"credit.{proceeding_id}.reason": reason})


@router.post("/console/credit/{proceeding_id}/statement")
def statement_form(
    request: Request,
    proceeding_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    kind: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """The party's objection, appeal or repair application (staff recording it for a
    party without a sign-in)."""
    proceeding = credit_service.get(db_session=db_session, proceeding_id=proceeding_id)
    check_credit_party(principal, proceeding.subject_kind, proceeding.subject_id, write=True)
    page = f"/console/credit/{proceeding_id}" if principal.is_staff else "/console/merchant"

    def take() -> None:
        if kind not in PartyAct.__members__:
            raise refusals.invalid("credit", "kind", "choose_act")
        credit_service.PARTY_ACTS[PartyAct(kind)](
            db_session=db_session, proceeding=proceeding, text=text, actor=actor(principal), now=now
        )

    return decide_and_return(
        request, take, page, kept={f"credit.{proceeding_id}.{kind}.text": text}
    )
