"""Listing routes: create and change (each a reviewed version), decisions, appeals, sale,
bulk import, and the public page a buyer sees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy.orm import Session

from liveguard import refusals
from liveguard.auth.service import Principal
from liveguard.bounds import Id, Moment
from liveguard.catalog import bulk, flows, public, review, sampling, service
from liveguard.catalog.models import (
    Listing,
    ListingAppeal,
    ListingReview,
    ListingVersion,
    SampleResult,
)
from liveguard.catalog.schemas import (
    AppealIn,
    AppealRead,
    DecisionIn,
    FailedSample,
    ImportResult,
    ListingCreate,
    ListingPublic,
    ListingRead,
    ListingReviewed,
    ListingUpdate,
    QueueItem,
    ReviewRead,
    SampleActedRead,
    SampleCreate,
    SampleRead,
    VersionRead,
)
from liveguard.clock import CHINA
from liveguard.labels import label
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.deps import (
    AnyStaff,
    Compliance,
    DbSession,
    Now,
    Signed,
    actor,
    require_staff,
)
from liveguard.web.limits import read_body
from liveguard.web.permissions import COMPLIANCE_WORK, check_merchant_access

router = APIRouter(tags=["catalog"])


# Lookups depend on a signed-in caller, so an anonymous request cannot probe for ids.
def current_listing(listing_id: Id, db_session: DbSession, _: Signed) -> Listing:
    return service.get(db_session=db_session, listing_id=listing_id)


CurrentListing = Annotated[Listing, Depends(current_listing)]


def reviewed(db_session: Session, listing: Listing) -> ListingReviewed:
    shown = ListingReviewed.model_validate(listing)
    latest = review.latest_review(db_session=db_session, listing_id=listing.id)
    shown.review = ReviewRead.model_validate(latest) if latest else None
    return shown


@router.post("/listings", status_code=status.HTTP_201_CREATED, response_model=ListingReviewed)
def create_listing(
    listing_in: ListingCreate, db_session: DbSession, now: Now, principal: Signed
) -> ListingReviewed:
    """Store and review a listing. A refused listing is stored too, with its reasons."""
    check_merchant_access(principal, listing_in.merchant_id, write=True)
    listing = service.create(
        db_session=db_session, listing_in=listing_in, now=now, actor=actor(principal)
    )
    return reviewed(db_session, listing)


@router.get("/listings", response_model=list[ListingRead])
def list_listings(
    db_session: DbSession, principal: Signed, merchant_id: Id | None = None
) -> Sequence[Listing]:
    """Every listing (staff), or a merchant's own: a merchant sees only its own."""
    if principal.kind is PrincipalKind.merchant:
        merchant_id = principal.id if merchant_id is None else merchant_id
    if merchant_id is not None:
        check_merchant_access(principal, merchant_id, write=False)
    elif not principal.is_staff:
        raise refusals.forbidden("web", "wrong_account", kind=label(principal.kind))
    return service.get_all(db_session=db_session, merchant_id=merchant_id)


@router.get("/listings/review-queue", response_model=list[QueueItem])
def review_queue(db_session: DbSession, _: AnyStaff) -> list[QueueItem]:
    """Listings waiting for a staff decision: review asked for changes, or an appeal."""
    items: list[QueueItem] = []
    for listing in service.review_queue(db_session=db_session):
        latest = review.latest_review(db_session=db_session, listing_id=listing.id)
        appeal = service.open_appeal(db_session=db_session, listing=listing)
        items.append(
            QueueItem(
                listing=ListingRead.model_validate(listing),
                review=ReviewRead.model_validate(latest) if latest else None,
                appeal=AppealRead.model_validate(appeal) if appeal else None,
            )
        )
    return items


@router.post("/listings/import", response_model=ImportResult)
async def import_listings(
    request: Request, db_session: DbSession, now: Now, principal: Signed
) -> ImportResult:
    """Many listings at once, as a JSON list or a CSV file (``Content-Type: text/csv``).

    Valid rows are stored and reviewed even when others fail; each failure names its row
    and field.
    """
    own = principal.id if principal.kind is PrincipalKind.merchant else None
    if own is None and principal.role not in COMPLIANCE_WORK:
        raise refusals.forbidden("web", "who_imports")
    fix = refusals.fix(
        "catalog",
        "import_too_big",
        rows=f"{bulk.MAX_IMPORT_ROWS:,}",
        size=f"{bulk.MAX_IMPORT_BYTES:,}",
    )
    body = await read_body(request, bulk.MAX_IMPORT_BYTES, fix)
    rows = bulk.parse_import(body, request.headers.get("content-type", ""))
    return bulk.import_rows(
        db_session=db_session, rows=rows, now=now, actor=actor(principal), own_merchant_id=own
    )


@router.get("/listings/{listing_id}", response_model=ListingReviewed)
def read_listing(
    listing: CurrentListing, db_session: DbSession, principal: Signed
) -> ListingReviewed:
    check_merchant_access(principal, listing.merchant_id, write=False)
    return reviewed(db_session, listing)


@router.patch("/listings/{listing_id}", response_model=ListingReviewed)
def change_listing(
    listing_in: ListingUpdate,
    listing: CurrentListing,
    db_session: DbSession,
    now: Now,
    principal: Signed,
) -> ListingReviewed:
    """Change a listing: a new version, reviewed again; a refused change takes it off sale."""
    check_merchant_access(principal, listing.merchant_id, write=True)
    service.update(
        db_session=db_session,
        listing=listing,
        listing_in=listing_in,
        now=now,
        actor=actor(principal),
    )
    return reviewed(db_session, listing)


@router.get("/listings/{listing_id}/versions", response_model=list[VersionRead])
def listing_versions(
    listing: CurrentListing, db_session: DbSession, principal: Signed
) -> Sequence[ListingVersion]:
    check_merchant_access(principal, listing.merchant_id, write=False)
    return service.get_versions(db_session=db_session, listing_id=listing.id)


@router.get("/listings/{listing_id}/reviews", response_model=list[ReviewRead])
def listing_reviews(
    listing: CurrentListing, db_session: DbSession, principal: Signed
) -> Sequence[ListingReview]:
    check_merchant_access(principal, listing.merchant_id, write=False)
    return review.get_reviews(db_session=db_session, listing_id=listing.id)


@router.post("/listings/{listing_id}/decision", response_model=ListingReviewed)
def decide(
    decision_in: DecisionIn,
    listing: CurrentListing,
    db_session: DbSession,
    now: Now,
    principal: Compliance,
) -> ListingReviewed:
    """Staff approve, reject or request changes; the reason is shown to the merchant."""
    service.decide(
        db_session=db_session,
        listing=listing,
        decision_in=decision_in,
        now=now,
        actor=actor(principal),
    )
    return reviewed(db_session, listing)


@router.post(
    "/listings/{listing_id}/appeal", status_code=status.HTTP_201_CREATED, response_model=AppealRead
)
def appeal(
    appeal_in: AppealIn,
    listing: CurrentListing,
    db_session: DbSession,
    now: Now,
    principal: Signed,
) -> ListingAppeal:
    """The merchant contests a review of its own listing: it goes back to the staff queue."""
    if principal.kind is not PrincipalKind.merchant or principal.id != listing.merchant_id:
        raise refusals.forbidden("web", "own_listings_only")
    return service.appeal(
        db_session=db_session,
        listing=listing,
        statement=appeal_in.statement,
        now=now,
        actor=actor(principal),
    )


@router.post("/listings/{listing_id}/publish", response_model=ListingReviewed)
def publish(
    listing: CurrentListing, db_session: DbSession, now: Now, principal: Signed
) -> ListingReviewed:
    """Put an approved listing on sale; anything else is refused with the review's reasons."""
    check_merchant_access(principal, listing.merchant_id, write=True)
    service.put_on_sale(db_session=db_session, listing=listing, now=now)
    return reviewed(db_session, listing)


@router.post("/listings/{listing_id}/unpublish", response_model=ListingReviewed)
def unpublish(
    listing: CurrentListing, db_session: DbSession, now: Now, principal: Signed
) -> ListingReviewed:
    check_merchant_access(principal, listing.merchant_id, write=True)
    service.take_off_sale(db_session=db_session, listing=listing, now=now)
    return reviewed(db_session, listing)


@router.get("/public/listings/{listing_id}", response_model=ListingPublic, tags=["public"])
def public_listing(listing_id: Id, db_session: DbSession, now: Now) -> ListingPublic:
    """A listing on sale (or taken off sale, with why) as a buyer sees it, with the
    seller's licence information (E-Commerce Law art. 15) and sampling results: no sign-in."""
    return public.listing_page(
        db_session=db_session, listing_id=listing_id, today=now.astimezone(CHINA).date()
    )


# --- sampling and mystery shopping ------------------------------------------------------

# Regulators and consumer associations run the tests (seed 001), so they may record their
# own results, as may compliance; a result changes nothing but the listing's sale.
SampleRecorder = Annotated[
    Principal, Depends(require_staff(StaffRole.compliance, StaffRole.regulator))
]


@router.post("/samples", status_code=status.HTTP_201_CREATED, response_model=SampleActedRead)
def record_sample(
    sample_in: SampleCreate, db_session: DbSession, now: Now, principal: SampleRecorder
) -> SampleActedRead:
    """Record an item bought from a live room and its test result. A failed result takes
    the listing off sale at once, with the failed items as the reason."""
    acted = flows.record_sample(
        db_session=db_session, sample_in=sample_in, now=now, actor=actor(principal)
    )
    listing = service.get(db_session=db_session, listing_id=acted.sample.listing_id)
    return SampleActedRead(
        sample=SampleRead.model_validate(acted.sample),
        listing_status=listing.status,
        pulled=ReviewRead.model_validate(acted.pulled) if acted.pulled else None,
        case_ids=[case.id for case in acted.cases],
    )


@router.get("/samples", response_model=list[SampleRead])
def list_samples(
    db_session: DbSession,
    _: AnyStaff,
    listing_id: Id | None = None,
    merchant_id: Id | None = None,
) -> Sequence[SampleResult]:
    """Results, newest first."""
    return sampling.get_all(db_session=db_session, listing_id=listing_id, merchant_id=merchant_id)


@router.get("/samples/failed", response_model=list[FailedSample])
def failed_samples(
    db_session: DbSession, _: AnyStaff, since: Moment | None = None
) -> list[FailedSample]:
    """Failed results since a time (all if none), oldest first: listing, merchant, batch."""
    return service.failed_samples(db_session=db_session, since=since)


@router.get("/samples/{sample_id}", response_model=SampleRead)
def read_sample(sample_id: Id, db_session: DbSession, principal: Signed) -> SampleResult:
    sample = sampling.get(db_session=db_session, sample_id=sample_id)
    check_merchant_access(principal, sample.merchant_id, write=False)
    return sample


@router.get("/listings/{listing_id}/samples", response_model=list[SampleRead])
def listing_samples(
    listing: CurrentListing, db_session: DbSession, principal: Signed
) -> Sequence[SampleResult]:
    check_merchant_access(principal, listing.merchant_id, write=False)
    return sampling.get_all(db_session=db_session, listing_id=listing.id)
