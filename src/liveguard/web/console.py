"""The server-rendered console: a public home page, sign-in, and staff pages.

Pages read through the capabilities' services, like the API. Forms carry a CSRF token
bound to the session (and the cookie is SameSite=Strict), so another site cannot post
on a signed-in reviewer's behalf.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from liveguard.auth import service as auth_service
from liveguard.auth.service import Principal
from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.config import Environment, Settings
from liveguard.errors import Forbidden, LiveGuardError, NotAuthenticated
from liveguard.live import service as live_service
from liveguard.money import yuan
from liveguard.parties import deposits, reviews
from liveguard.parties import service as parties_service
from liveguard.parties.models import Decision, OwnerKind
from liveguard.parties.qualifications import catalogue
from liveguard.parties.schemas import ReviewIn
from liveguard.trade import service as trade_service
from liveguard.vocab import StaffRole
from liveguard.web.deps import (
    SESSION_COOKIE,
    CurrentSettings,
    DbSession,
    MaybePrincipal,
    Today,
    raw_token,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("liveguard.web") / "templates"))


def yuan_shown(fen: int | None) -> str:
    return "" if fen is None else yuan(fen, prefix="¥")


def china_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored UTC, shown in Beijing time: the time people in the live room saw."""
    return "" if moment is None else moment.astimezone(CHINA).strftime(fmt)


templates.env.filters["yuan"] = yuan_shown
templates.env.filters["china_time"] = china_time
templates.env.globals["category_name"] = lambda code: (
    c.name if (c := catalogue().category(code)) else code
)
templates.env.globals["document_name"] = lambda code: (
    d.name if (d := catalogue().document_type(code)) else code
)


def csrf_token(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE, "")
    return hmac.new(token.encode(), b"liveguard-csrf", hashlib.sha256).hexdigest()


class _SignInFirst(Exception):
    pass


def page_staff(request: Request, principal: MaybePrincipal) -> Principal:
    """Staff for a page: anyone else is sent to the sign-in page."""
    if principal is None or not principal.is_staff:
        raise _SignInFirst
    return principal


def form_signed(
    request: Request, principal: MaybePrincipal, csrf: Annotated[str, Form()] = ""
) -> Principal:
    """Any signed-in staff member posting a form from our own page (e.g. signing out)."""
    if principal is None:
        raise NotAuthenticated("sign in to the console first")
    if not hmac.compare_digest(csrf, csrf_token(request)):
        raise Forbidden("the form is stale or came from another site: reload the page")
    return principal


SignedForm = Annotated[Principal, Depends(form_signed)]


def form_staff(principal: SignedForm) -> Principal:
    """A signed-in reviewer allowed to decide (compliance or admin)."""
    if principal.role not in (StaffRole.compliance, StaffRole.admin):
        raise Forbidden(f"role {principal.role} cannot decide reviews")
    return principal


PageStaff = Annotated[Principal, Depends(page_staff)]
FormStaff = Annotated[Principal, Depends(form_staff)]


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


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
):
    return templates.TemplateResponse(
        request,
        name,
        {"principal": principal, "csrf": csrf_token(request), **context},
        status_code=status_code,
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db_session: DbSession, principal: MaybePrincipal, today: Today):
    platforms = parties_service.get_all_platforms(db_session=db_session)
    merchants, _ = parties_service.get_all_merchants(db_session=db_session, limit=100)
    queue = reviews.review_queue(db_session=db_session, today=today)
    counts = {
        "platforms": len(platforms),
        "merchants": parties_service.count_merchants(db_session=db_session),
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
        queue_size=sum(len(part) for part in queue),
        today=today,
    )


@router.get("/shops/{merchant_id}", response_class=HTMLResponse)
def shop(
    request: Request,
    merchant_id: int,
    db_session: DbSession,
    principal: MaybePrincipal,
    today: Today,
):
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=merchant_id)
    permits = parties_service.approved_documents(
        db_session=db_session, owner_kind="merchant", owner_id=merchant.id, on=today
    )
    return render(request, "shop.html", principal, merchant=merchant, permits=permits)


@router.get("/console/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    principal: MaybePrincipal,
    settings: CurrentSettings,
    error: str = "",
    next: str = "/console/reviews",
):
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
    next: Annotated[str, Form()] = "/console/reviews",
):
    try:
        token, _ = auth_service.login(
            db_session=db_session,
            username=username,
            password=password,
            ttl=timedelta(hours=settings.session_hours),
            now=request.app.state.clock.now(),
        )
    except NotAuthenticated as error:
        return render(
            request,
            "login.html",
            None,
            error=error.detail,
            next=safe_next(next),
            demo_accounts=demo_accounts(settings),
            status_code=401,
        )
    return session_redirect(safe_next(next), token, settings)


def session_redirect(target: str, token: str, settings: Settings) -> RedirectResponse:
    """Go to ``target`` holding a console session: HttpOnly, SameSite=Strict, Secure in
    production (staff and merchant sign-ins alike)."""
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=settings.session_hours * 3600,
        secure=settings.secure_cookies,
    )
    return response


@router.post("/console/logout")
def logout(request: Request, db_session: DbSession, principal: SignedForm):
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
):
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


def decide_and_return(action: Any, back: str) -> RedirectResponse:
    """Run a console decision; back to the page with a notice, or with the error in words."""
    try:
        action()
    except LiveGuardError as error:
        return RedirectResponse(f"{back}?{urlencode({'error': error.detail})}", status_code=303)
    return RedirectResponse(f"{back}?notice=saved", status_code=303)


@router.post("/console/documents/{document_id}/review")
def review_document(
    document_id: int,
    db_session: DbSession,
    principal: FormStaff,
    decision: Annotated[Decision, Form()],
    reason: Annotated[str, Form()] = "",
):
    document = reviews.get_document(db_session=db_session, document_id=document_id)
    review = ReviewIn(decision=decision, reason=reason or None)
    return decide_and_return(
        lambda: reviews.review_document(
            db_session=db_session, document=document, review=review, actor=principal.name
        ),
        "/console/reviews",
    )


@router.post("/console/merchants/{merchant_id}/review")
def review_merchant(
    merchant_id: int,
    db_session: DbSession,
    principal: FormStaff,
    today: Today,
    decision: Annotated[Decision, Form()],
    reason: Annotated[str, Form()] = "",
):
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=merchant_id)
    review = ReviewIn(decision=decision, reason=reason or None)
    return decide_and_return(
        lambda: reviews.review_merchant(
            db_session=db_session,
            merchant=merchant,
            review=review,
            actor=principal.name,
            today=today,
        ),
        "/console/reviews",
    )


@router.get("/console/merchants/{merchant_id}", response_class=HTMLResponse)
def merchant_page(
    request: Request, merchant_id: int, db_session: DbSession, principal: PageStaff, today: Today
):
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
    )


def _broken_promises(db_session: Session, merchant_id: int, today: date) -> dict[str, Any]:
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
def session_page(request: Request, session_id: int, db_session: DbSession, principal: PageStaff):
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


def install(app: Any) -> None:
    """Send people without a session to the sign-in page instead of an error."""

    async def _to_login(request: Request, exc: _SignInFirst) -> RedirectResponse:
        return RedirectResponse(f"/console/login?next={request.url.path}", status_code=303)

    app.add_exception_handler(_SignInFirst, _to_login)
