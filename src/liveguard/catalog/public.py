"""What a buyer sees of a listing, without signing in: the page, the seller's licence
information (E-Commerce Law art. 15), the review status and sampling results."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from liveguard.catalog import review, sampling, service
from liveguard.catalog.models import ListingStatus, Verdict
from liveguard.catalog.schemas import ListingPublic, SamplePublic
from liveguard.errors import NotFound
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import DocumentPublic, MerchantPublic

# On sale, or taken off sale (a buyer who bought it should learn why); a listing that
# never passed review is the merchant's draft, not public, unless an item of it was
# bought and tested: then it was sold, and the result is the buyers' business.
PUBLIC = frozenset({ListingStatus.on_sale, ListingStatus.pulled})


def listing_page(*, db_session: Session, listing_id: int, today: date) -> ListingPublic:
    """The public view of a listing; NotFound unless it is on sale or was pulled."""
    listing = service.get(db_session=db_session, listing_id=listing_id)
    samples = sampling.get_all(db_session=db_session, listing_id=listing.id)
    if listing.status not in PUBLIC and not samples:
        raise NotFound("listing on sale", listing_id)
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=listing.merchant_id)
    permits = parties_service.approved_documents(
        db_session=db_session, owner_kind="merchant", owner_id=merchant.id, on=today
    )
    seller = MerchantPublic.model_validate(merchant)
    seller.permits = [DocumentPublic.model_validate(p) for p in permits]
    reviews = review.get_reviews(db_session=db_session, listing_id=listing.id)
    current = [r for r in reviews if r.version == listing.version]
    approved = [r for r in current if r.verdict is Verdict.approve]
    reason = None
    if listing.status is not ListingStatus.on_sale and current:
        reason = current[-1].reason or "; ".join(p["message"] for p in current[-1].problems)
    shown = {
        name: getattr(listing, name)
        for name in ListingPublic.model_fields
        if name not in {"merchant", "status_reason", "reviewed_at", "samples"}
    }
    return ListingPublic(
        **shown,
        status_reason=reason,
        reviewed_at=approved[-1].created_at if approved else None,
        samples=[SamplePublic.model_validate(s) for s in samples],
        merchant=seller,
    )
