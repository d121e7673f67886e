"""The server-rendered console: a public home page, sign-in, and staff pages.

Pages read through the capabilities' services, like the API. Forms carry a CSRF token
bound to the session (and the cookie is SameSite=Strict), so another site cannot post
on a signed-in reviewer's behalf.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from liveguard.auth import service as auth_service
from liveguard.bounds import Id
from liveguard.catalog import service as catalog_service
from liveguard.config import Environment, Settings
from liveguard.errors import NotAuthenticated, TooManyAttempts
from liveguard.integrity import service as integrity_service
from liveguard.live import service as live_service
from liveguard.parties import deposits, reviews
from liveguard.parties import service as parties_service
from liveguard.parties.enums import PartyStatus
from liveguard.parties.schemas import Decision, OwnerKind, ReviewIn
from liveguard.trade import service as trade_service
from liveguard.web import lists
from liveguard.web.deps import (
    SESSION_COOKIE,
    CurrentSettings,
    DbSession,
    FormStaff,
    MaybePrincipal,
    PageStaff,
    SignedForm,
    SignInAttempts,
    Today,
    get_now,
    raw_token,
)
from liveguard.web.pages import decide_and_return, render, session_redirect, sign_in_refusal

router = APIRouter(include_in_schema=False)


def safe_next(target: str) -> str:
    """Only a path on this site: never '//host' or 'https://host' (an open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/reviews"


def demo_accounts(settings: Settings) -> list[tuple[str, str, str]]:
    """The demo's accounts, shown on the sign-in page only when running the demo."""
    if settings.environment is not Environment.demo:
        return []
    from liveguard.cli.demo_data import DEMO_STAFF

    return DEMO_STAFF


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, db_session: DbSession, principal: MaybePrincipal, today: Today
) -> Response:
    platforms = parties_service.get_all_platforms(db_session=db_session)
    staff = principal is not None and principal.is_staff
    merchants, merchant_count = _merchants_shown(db_session, staff=staff)
    queue = reviews.review_queue(db_session=db_session, today=today) if staff else None
    counts = {
        "platforms": len(platforms),
        "merchants": merchant_count,
        "anchors": parties_service.count_anchors(db_session=db_session),
        "listings": catalog_service.count(db_session=db_session),
        "sessions": live_service.count(db_session=db_session),
    }
    sessions = live_service.get_all(db_session=db_session, limit=10)
    return render(
        request,
        "home.html",
        principal,
        counts=counts,
        platforms={p.id: p for p in platforms},
        merchants=merchants,
        sessions=sessions,
        queue_size=sum(len(part) for part in queue) if queue is not None else None,
        today=today,
    )


# What anyone may see of a merchant: one that trades, or whose suspension the platform
# must make public (电子商务法 art. 36), with the licence facts of art. 15 and no more. A
# shop under review or refused, and the reviewers' reasons, are for staff.
PUBLIC_MERCHANT_STATUSES = (PartyStatus.active, PartyStatus.suspended)


def _merchants_shown(
    db_session: Session, *, staff: bool
) -> tuple[list[parties_service.Merchant], int]:
    """The first hundred merchants the home page lists, and how many there are."""
    if staff:
        merchants, _ = parties_service.get_all_merchants(db_session=db_session, limit=100)
        return merchants, parties_service.count_merchants(db_session=db_session)
    pages = [
        parties_service.get_all_merchants(db_session=db_session, status=status, limit=100)
        for status in PUBLIC_MERCHANT_STATUSES
    ]
    shown = sorted((m for items, _ in pages for m in items), key=lambda m: m.id)[:100]
    return shown, sum(total for _, total in pages)


@router.get("/shops/{merchant_id}", response_class=HTMLResponse)
def shop(
    request: Request,
    merchant_id: Id,
    db_session: DbSession,
    principal: MaybePrincipal,
    today: Today,
) -> Response:
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=merchant_id)
    permits = parties_service.approved_documents(
        db_session=db_session, owner_kind="merchant", owner_id=merchant.id, on=today
    )
    on_sale = [
        x
        for x in catalog_service.get_all(db_session=db_session, merchant_id=merchant.id)
        if x.status.value == "on_sale"
    ]
    return render(
        request, "shop.html", principal, merchant=merchant, permits=permits, on_sale=on_sale
    )


@router.get("/console/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    principal: MaybePrincipal,
    settings: CurrentSettings,
    error: str = "",
    next: str = "/console/reviews",
) -> Response:
    return render(
        request,
        "login.html",
        principal,
        error=error,
        next=safe_next(next),
        demo_accounts=demo_accounts(settings),
    )


@router.post("/console/login")
def login(
    request: Request,
    db_session: DbSession,
    settings: CurrentSettings,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    attempts: SignInAttempts,
    next: Annotated[str, Form()] = "/console/reviews",
) -> Response:
    try:
        with attempts.guard(account=username):
            token, _ = auth_service.login(
                db_session=db_session,
                username=username,
                password=password,
                ttl=timedelta(hours=settings.session_hours),
                now=get_now(request),
            )
    except (NotAuthenticated, TooManyAttempts) as error:
        return render(
            request,
            "login.html",
            None,
            error=sign_in_refusal(error),
            next=safe_next(next),
            demo_accounts=demo_accounts(settings),
            status_code=error.status,
        )
    return session_redirect(safe_next(next), token, settings)


@router.post("/console/logout")
def logout(request: Request, db_session: DbSession, principal: SignedForm) -> RedirectResponse:
    token = raw_token(request)
    if token:
        auth_service.revoke(db_session=db_session, raw_token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/console/reviews", response_class=HTMLResponse)
def review_queue(
    request: Request,
    db_session: DbSession,
    principal: PageStaff,
    today: Today,
    notice: str = "",
    error: str = "",
) -> Response:
    merchants, anchors, documents = reviews.review_queue(db_session=db_session, today=today)
    owners = {
        d.owner_id: parties_service.get_merchant(db_session=db_session, merchant_id=d.owner_id)
        for d in documents
        if d.owner_kind is OwnerKind.merchant
    }
    return render(
        request,
        "reviews.html",
        principal,
        merchants=merchants,
        anchors=anchors,
        documents=documents,
        owners=owners,
        notice=notice,
        error=error,
        decisions=[Decision.approve, Decision.reject, Decision.request_more],
    )


@router.post("/console/documents/{document_id}/review")
def review_document(
    request: Request,
    document_id: Id,
    db_session: DbSession,
    principal: FormStaff,
    decision: Annotated[Decision, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    document = reviews.get_document(db_session=db_session, document_id=document_id)
    return decide_and_return(
        request,
        lambda: reviews.review_document(
            db_session=db_session,
            document=document,
            review=ReviewIn(decision=decision, reason=reason or None),
            actor=principal.name,
        ),
        "/console/reviews",
        kept={f"document.{document_id}.reason": reason},
    )


@router.post("/console/merchants/{merchant_id}/review")
def review_merchant(
    request: Request,
    merchant_id: Id,
    db_session: DbSession,
    principal: FormStaff,
    today: Today,
    decision: Annotated[Decision, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=merchant_id)
    return decide_and_return(
        request,
        lambda: reviews.review_merchant(
            db_session=db_session,
            merchant=merchant,
            review=ReviewIn(decision=decision, reason=reason or None),
            actor=principal.name,
            today=today,
        ),
        "/console/reviews",
        kept={f"merchant.{merchant_id}.reason": reason},
    )


@router.get("/console/merchants/{merchant_id}", response_class=HTMLResponse)
def merchant_page(
    request: Request, merchant_id: Id, db_session: DbSession, principal: PageStaff, today: Today
) -> Response:
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=merchant_id)
    checks = [
        parties_service.check_selling(
            db_session=db_session, merchant=merchant, category=c, on=today
        )
        for c in merchant.categories
    ]
    return render(
        request,
        "merchant.html",
        principal,
        merchant=merchant,
        checks=checks,
        documents=reviews.get_documents(
            db_session=db_session, owner_kind=OwnerKind.merchant, owner_id=merchant.id
        ),
        decisions=reviews.get_decisions(
            db_session=db_session, subject_kind="merchant", subject_id=merchant.id
        ),
        deposit_required=deposits.required_fen(merchant),
        movements=deposits.get_movements(db_session=db_session, merchant_id=merchant.id),
        listings=catalog_service.get_all(db_session=db_session, merchant_id=merchant.id),
        **_broken_promises(db_session, merchant.id, today),
        benefit_findings=[
            (f, trade_service.get(db_session=db_session, order_id=f.order_id))
            for f in trade_service.benefit_findings_of(
                db_session=db_session, merchant_id=merchant.id
            )
        ],
        benefit_titles=trade_service.benefit_finding_titles(),
        rooms=live_service.get_all(db_session=db_session, merchant_id=merchant.id),
        traffic_findings=live_service.count_traffic_findings(
            db_session=db_session, merchant_id=merchant.id
        ),
        integrity_findings=integrity_service.findings_for_merchant(
            db_session=db_session, merchant_id=merchant.id
        ),
        **lists.profile_sections(db_session, kind="merchant", subject_id=merchant.id, today=today),
    )


def _broken_promises(db_session: Session, merchant_id: Id, today: date) -> dict[str, Any]:
    """The shop's broken delivery promises with their orders, and how many in a year:
    what a credit rating will count against it."""
    breaches = trade_service.breaches_of(db_session=db_session, merchant_id=merchant_id)
    year_ago = today - timedelta(days=365)
    return {
        "breaches": [
            (b, trade_service.get(db_session=db_session, order_id=b.order_id)) for b in breaches
        ],
        "breaches_in_year": sum(1 for b in breaches if b.breached_on > year_ago),
    }


@router.get("/console/sessions/{session_id}", response_class=HTMLResponse)
def session_page(
    request: Request, session_id: Id, db_session: DbSession, principal: PageStaff
) -> Response:
    live_session = live_service.get(db_session=db_session, session_id=session_id)
    return render(
        request,
        "session.html",
        principal,
        session=live_session,
        anchor=parties_service.get_anchor(db_session=db_session, anchor_id=live_session.anchor_id),
        merchant=parties_service.get_merchant(
            db_session=db_session, merchant_id=live_session.merchant_id
        ),
        events=live_service.get_events(db_session=db_session, session_id=session_id),
    )
