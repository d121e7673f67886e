"""Console pages for listing review: every listing with its verdict and reasons, and the
queue of listings waiting for a person's decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from liveguard.catalog import review, service
from liveguard.catalog.schemas import DecisionIn, StaffDecision
from liveguard.catalog.views import Now
from liveguard.web.console import FormStaff, PageStaff, decide_and_return, render
from liveguard.web.deps import DbSession

router = APIRouter(include_in_schema=False)


@router.get("/console/listings", response_class=HTMLResponse)
def listings_page(
    request: Request, db_session: DbSession, principal: PageStaff, notice: str = "", error: str = ""
):
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
    listing_id: int,
    db_session: DbSession,
    principal: FormStaff,
    now: Now,
    decision: Annotated[StaffDecision, Form()],
    reason: Annotated[str, Form()] = "",
):
    listing = service.get(db_session=db_session, listing_id=listing_id)
    return decide_and_return(
        lambda: service.decide(
            db_session=db_session,
            listing=listing,
            decision_in=DecisionIn(decision=decision, reason=reason or None),
            now=now,
            actor=principal.name,
        ),
        "/console/listings",
    )
