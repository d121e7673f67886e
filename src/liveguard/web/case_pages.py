"""Console pages for complaint cases: the list, a filing form, one case with its answer
(each rule quoted, each fact with its source, a form field per missing fact), the
workflow steps, and the public anonymised record.

Staff sign in as usual; a consumer signs in with her token and sees only her cases.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liveguard import labels
from liveguard.auth import service as auth_service
from liveguard.bounds import Id
from liveguard.cases import flows, handling, publicity, service
from liveguard.errors import LiveGuardError, NotFound
from liveguard.liability.facts import CaseFacts
from liveguard.vocab import PrincipalKind
from liveguard.web import case_view, lists
from liveguard.web.case_facts import parse_answer
from liveguard.web.deps import (
    CurrentSettings,
    DbSession,
    MaybePrincipal,
    Now,
    PageSigned,
    SignedForm,
    SignInAttempts,
    Today,
    actor,
    get_cipher,
    get_now,
)
from liveguard.web.pages import back, render, session_redirect, sign_in_refusal
from liveguard.web.permissions import check_case_access
from liveguard.web.refusal_words import said

router = APIRouter(include_in_schema=False)


@router.get("/console/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, db_session: DbSession, principal: PageSigned, today: Today
) -> Response:
    """The cases list with its filters and pages; a consumer sees her own cases only."""
    own = principal.id if principal.kind is PrincipalKind.consumer else None
    filters, problems = lists.query_of(request)
    page = lists.run_search(service.search, db_session, filters, problems, consumer_id=own)
    return render(
        request,
        "cases.html",
        principal,
        cases=page.items,
        today=today,
        form={k: v for k, v in request.query_params.items() if k not in ("after", "limit")},
        problems=problems,
        next_href=lists.next_link("/console/cases", filters, page),
        export_href=lists.export_link("/console/cases/export.csv", filters),
        first_page=filters.after is None,
        first_href=lists.export_link("/console/cases", filters),
        names=lists.party_names(db_session, page.items),
        narrowed=lists.filter_names(db_session, dict(request.query_params)),
        **lists.case_list_context(db_session),
        status_code=422 if problems else 200,
    )


@router.get("/console/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: PageSigned,
    notice: str = "",
    error: str = "",
) -> Response:
    case = service.get(db_session=db_session, case_id=case_id)
    check_case_access(principal, case, write=False)
    return case_view.page(request, db_session, principal, case, notice=notice, error=error)


@router.post("/console/cases/{case_id}/facts")
async def answer_case(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    today: Today,
) -> RedirectResponse:
    case = service.get(db_session=db_session, case_id=case_id)
    form = await request.form()
    try:
        check_case_access(principal, case, write=True)
        answers = {
            name[len("fact_") :]: parse_answer(
                name[len("fact_") :], [str(v) for v in form.getlist(name)]
            )
            for name in dict.fromkeys(form.keys())
            if name.startswith("fact_") and name[len("fact_") :] in CaseFacts.model_fields
        }
        answers = {k: v for k, v in answers.items() if v is not None}
        if not answers:
            return back(
                f"/console/cases/{case.id}", error="请至少回答一个问题 Answer at least one question"
            )
        flows.answer_facts(
            db_session=db_session,
            case=case,
            answers=answers,
            actor=actor(principal),
            party_role="staff" if principal.is_staff else "consumer",
            now=now,
            today=today,
        )
    except (LiveGuardError, ValueError) as error:
        db_session.rollback()
        return back(f"/console/cases/{case.id}", error=said(error))
    return back(f"/console/cases/{case.id}", notice="saved")


@router.get("/console/consumer-login", response_class=HTMLResponse)
def consumer_login_page(request: Request, principal: MaybePrincipal, error: str = "") -> Response:
    return render(
        request, "consumer_login.html", principal, error=error, form={}, errors={}, next=""
    )


@router.post("/console/consumer-login")
def consumer_login(
    request: Request,
    db_session: DbSession,
    settings: CurrentSettings,
    attempts: SignInAttempts,
    token: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    """A consumer signs in with the token the platform gave her, exchanged for a console
    session as a merchant's is: signing out ends the session, not her token."""
    try:
        with attempts.guard():
            session = auth_service.exchange(
                db_session=db_session,
                raw_token=token.strip(),
                kind=PrincipalKind.consumer,
                refusal=labels.say("auth.refusal", "not_consumer_token"),
                ttl=timedelta(hours=settings.session_hours),
                now=get_now(request),
            )
    except LiveGuardError as error:
        return back("/console/consumer-login", error=sign_in_refusal(error))
    return session_redirect("/console/cases", session, settings)


@router.post("/console/cases/{case_id}/anchor-identity", response_class=HTMLResponse)
def anchor_identity(
    request: Request, case_id: Id, db_session: DbSession, principal: SignedForm, now: Now
) -> Response:
    """The anchor's verified identity, handed to the consumer when the answer says the
    platform must (消费者权益保护法实施条例 art. 14); the handover is recorded."""
    case = service.get(db_session=db_session, case_id=case_id)
    try:
        check_case_access(principal, case, write=True)
        identity = handling.disclose_anchor_identity(
            db_session=db_session,
            case=case,
            cipher=get_cipher(request),
            actor=actor(principal),
            now=now,
        )
    except LiveGuardError as error:
        db_session.rollback()
        return back(f"/console/cases/{case.id}", error=said(error))
    return render(request, "anchor_identity.html", principal, case=case, identity=identity)


@router.get("/complaints", response_class=HTMLResponse)
def public_cases_page(
    request: Request, db_session: DbSession, principal: MaybePrincipal
) -> Response:
    """Complaint publicity: every published case, anonymised."""
    records = [
        publicity.public_record(db_session=db_session, case=case)
        for case in service.get_published(db_session=db_session)
    ]
    return render(request, "public_cases.html", principal, records=records)


@router.get("/complaints/{case_id}", response_class=HTMLResponse)
def public_case_page(
    request: Request, case_id: Id, db_session: DbSession, principal: MaybePrincipal
) -> Response:
    """The anonymised public record of a published case (complaint publicity)."""
    case = service.get(db_session=db_session, case_id=case_id)
    if case.published_at is None:
        raise NotFound("published case", case_id)
    record = publicity.public_record(db_session=db_session, case=case)
    return render(request, "public_case.html", principal, record=record)
