"""Console pages for listings: staff review (every listing with its verdict and reasons,
and the queue of those waiting for a person), sampling results, the merchant's own view
with its appeals, and the public listing page a buyer sees without signing in.

Merchants sign in to the console with the API token an admin issued them
(``POST /api/auth/tokens``): the token is checked once and exchanged for an expiring
session in the same HttpOnly, SameSite=Strict cookie staff get, and their forms carry the
same CSRF token. A merchant session reaches only that merchant's listings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from liveguard import labels, refusals
from liveguard.auth import service as auth_service
from liveguard.auth.service import Principal
from liveguard.bounds import Id
from liveguard.catalog import flows, public, review, review_rules, sampling, service
from liveguard.catalog.schemas import (
    AppealIn,
    DecisionIn,
    SampleCreate,
    SampleKind,
    SampleOutcome,
    StaffDecision,
)
from liveguard.clock import CHINA
from liveguard.credit import service as credit_service
from liveguard.credit.enums import SubjectKind
from liveguard.errors import LiveGuardError
from liveguard.live import service as live_service
from liveguard.vocab import PrincipalKind
from liveguard.web.deps import (
    CurrentSettings,
    DbSession,
    FormSampleWriter,
    FormStaff,
    MaybePrincipal,
    Now,
    PageStaff,
    SignedForm,
    SignInAttempts,
    Today,
    get_now,
)
from liveguard.web.pages import (
    back,
    decide_and_return,
    refused,
    render,
    session_redirect,
    sign_in_refusal,
)
from liveguard.web.permissions import SAMPLE_WRITERS
from liveguard.web.refusal_words import pydantic_said, said

router = APIRouter(include_in_schema=False)

MERCHANT_HOME = "/console/merchant"
MERCHANT_LOGIN = "/console/merchant/login"


def label_names() -> dict[str, str]:
    return {key: field.name for key, field in review_rules.review_rules().label.fields.items()}


# --- staff: listing review ------------------------------------------------------------------


@router.get("/console/listings", response_class=HTMLResponse)
def listings_page(
    request: Request, db_session: DbSession, principal: PageStaff, notice: str = "", error: str = ""
) -> Response:
    listings = service.get_all(db_session=db_session)
    waiting = {listing.id for listing in service.review_queue(db_session=db_session)}
    return render(
        request,
        "listings.html",
        principal,
        rows=[
            (listing, review.latest_review(db_session=db_session, listing_id=listing.id))
            for listing in listings
        ],
        waiting=waiting,
        notice=notice,
        error=error,
    )


@router.post("/console/listings/{listing_id}/decision")
def decide_listing(
    request: Request,
    listing_id: Id,
    db_session: DbSession,
    principal: FormStaff,
    now: Now,
    decision: Annotated[StaffDecision, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    listing = service.get(db_session=db_session, listing_id=listing_id)
    return decide_and_return(
        request,
        lambda: service.decide(
            db_session=db_session,
            listing=listing,
            decision_in=DecisionIn(decision=decision, reason=reason or None),
            now=now,
            actor=principal.name,
        ),
        "/console/listings",
    )


# --- staff and regulators: sampling results -----------------------------------------------


@router.get("/console/samples", response_class=HTMLResponse)
def samples_page(
    request: Request, db_session: DbSession, principal: PageStaff, notice: str = "", error: str = ""
) -> Response:
    return render(
        request,
        "samples.html",
        principal,
        samples=sampling.get_all(db_session=db_session),
        listings={item.id: item for item in service.get_all(db_session=db_session)},
        sessions=live_service.get_all(db_session=db_session, limit=200),
        may_record=principal.role in SAMPLE_WRITERS,
        kinds=list(SampleKind),
        outcomes=list(SampleOutcome),
        notice=notice,
        error=error,
    )


def failed_items(text: str) -> list[dict[str, str]]:
    """The form's failed items: one a line, ``item | measured | required``."""
    items: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace("｜", "|").split("|")]
        if len(parts) != 3:
            raise ValueError(
                f"不合格项目第 {number} 行：请写成 项目 | 实测值 | 标准要求，"
                "例如 蛋白质 | 0.2 g/100g | ≥ 0.6 g/100g"
            )
        items.append(dict(zip(("item", "measured", "required"), parts, strict=True)))
    return items


@router.post("/console/samples")
def record_sample(
    db_session: DbSession,
    principal: FormSampleWriter,
    now: Now,
    listing_id: Annotated[Id, Form()],
    kind: Annotated[SampleKind, Form()],
    bought_at: Annotated[str, Form()],
    bought_by: Annotated[str, Form()],
    tested_by: Annotated[str, Form()],
    test: Annotated[str, Form()],
    standard: Annotated[str, Form()],
    outcome: Annotated[SampleOutcome, Form()],
    live_session_id: Annotated[str, Form()] = "",
    batch: Annotated[str, Form()] = "",
    production_date: Annotated[str, Form()] = "",
    report_number: Annotated[str, Form()] = "",
    failed: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """The console form for ``POST /api/samples``: Beijing time, failed items one a line."""
    try:
        sample_in = SampleCreate(
            listing_id=listing_id,
            live_session_id=int(live_session_id) if live_session_id else None,
            kind=kind,
            batch=batch or None,
            production_date=date.fromisoformat(production_date) if production_date else None,
            bought_at=datetime.fromisoformat(bought_at).replace(tzinfo=CHINA),
            bought_by=bought_by,
            tested_by=tested_by,
            report_number=report_number or None,
            test=test,
            standard=standard,
            outcome=outcome,
            failed_items=failed_items(failed),
        )
        acted = flows.record_sample(
            db_session=db_session, sample_in=sample_in, now=now, actor=principal.name
        )
    except ValidationError as error:
        return back("/console/samples", error="；".join(pydantic_said(e) for e in error.errors()))
    except ValueError as error:
        return back("/console/samples", error=said(error))
    except LiveGuardError as error:
        return back("/console/samples", error=said(error))
    return back("/console/samples", notice="saved", sample=str(acted.sample.id))


# --- the public listing page ----------------------------------------------------------------


@router.get("/listings/{listing_id}", response_class=HTMLResponse)
def public_listing(
    request: Request,
    listing_id: Id,
    db_session: DbSession,
    principal: MaybePrincipal,
    today: Today,
) -> Response:
    item = public.listing_page(db_session=db_session, listing_id=listing_id, today=today)
    credit = credit_service.in_force(
        db_session=db_session,
        subject=credit_service.Subject(SubjectKind.merchant, item.merchant.id),
        today=today,
    )
    return render(
        request,
        "listing_public.html",
        principal,
        item=item,
        label_names=label_names(),
        credit=credit,
    )


# --- merchants: sign in with their token, their listings, appeals ----------------------------


@router.get(MERCHANT_LOGIN, response_class=HTMLResponse)
def merchant_login_page(request: Request, principal: MaybePrincipal, error: str = "") -> Response:
    return render(request, "merchant_login.html", principal, error=error)


@router.post(MERCHANT_LOGIN)
def merchant_login(
    request: Request,
    db_session: DbSession,
    settings: CurrentSettings,
    attempts: SignInAttempts,
    token: Annotated[str, Form()],
) -> Response:
    """Exchange a merchant's API token for a console session (the token never goes in a
    cookie, so signing out ends the session and leaves the token working)."""
    try:
        with attempts.guard():
            session = auth_service.exchange(
                db_session=db_session,
                raw_token=token.strip(),
                kind=PrincipalKind.merchant,
                refusal=labels.say("auth.refusal", "not_merchant_token"),
                ttl=timedelta(hours=settings.session_hours),
                now=get_now(request),
            )
    except LiveGuardError as error:  # unknown, revoked or expired; or its merchant is gone
        return render(
            request,
            "merchant_login.html",
            None,
            error=sign_in_refusal(error),
            status_code=429 if error.status == 429 else 401,
        )
    return session_redirect(MERCHANT_HOME, session, settings)


def merchant_rows(*, db_session: Session, merchant_id: Id) -> list[dict[str, Any]]:
    """Each listing of a merchant with its latest review, open appeal and sampling results."""
    rows: list[dict[str, Any]] = []
    for listing in service.get_all(db_session=db_session, merchant_id=merchant_id):
        rows.append(
            {
                "listing": listing,
                "review": review.latest_review(db_session=db_session, listing_id=listing.id),
                "appeal": service.open_appeal(db_session=db_session, listing=listing),
                "appealable": listing.status in service.APPEALABLE,
                "samples": sampling.get_all(db_session=db_session, listing_id=listing.id),
            }
        )
    return rows


@router.get(MERCHANT_HOME, response_class=HTMLResponse)
def merchant_home(
    request: Request,
    db_session: DbSession,
    principal: MaybePrincipal,
    notice: str = "",
    error: str = "",
) -> Response:
    if principal is None or principal.kind is not PrincipalKind.merchant:
        return RedirectResponse(MERCHANT_LOGIN, status_code=303)
    proceedings = credit_service.get_all(
        db_session=db_session, subject=credit_service.Subject(SubjectKind.merchant, principal.id)
    )
    return render(
        request,
        "merchant_listings.html",
        principal,
        rows=merchant_rows(db_session=db_session, merchant_id=principal.id),
        credit=proceedings,
        notices={p.id: credit_service.notice(p) for p in proceedings},
        rooms=live_service.get_all(db_session=db_session, merchant_id=principal.id),
        notice=notice,
        error=error,
    )


def own_merchant(principal: Principal) -> Principal:
    if principal.kind is not PrincipalKind.merchant:
        raise refusals.forbidden("web", "merchant_form_only")
    return principal


@router.post("/console/merchant/listings/{listing_id}/appeal")
def merchant_appeal(
    request: Request,
    listing_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    statement: Annotated[str, Form()] = "",
) -> RedirectResponse:
    merchant = own_merchant(principal)
    listing = service.get(db_session=db_session, listing_id=listing_id)
    if listing.merchant_id != merchant.id:
        raise refusals.forbidden("web", "own_listings_only")
    kept = {f"appeal.{listing_id}.statement": statement}
    try:
        appeal_in = AppealIn(statement=statement)
    except ValidationError:
        too_short = refusals.invalid("catalog", "statement", "appeal_length")
        return refused(request, MERCHANT_HOME, too_short, kept)
    return decide_and_return(
        request,
        lambda: service.appeal(
            db_session=db_session,
            listing=listing,
            statement=appeal_in.statement,
            now=now,
            actor=f"merchant:{merchant.id}",
        ),
        MERCHANT_HOME,
        kept=kept,
    )
