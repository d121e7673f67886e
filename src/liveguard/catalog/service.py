"""Creating and reading listings. A merchant must be allowed to sell in the category."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveguard.catalog.models import Listing
from liveguard.catalog.schemas import ListingCreate
from liveguard.errors import InvalidInput, NotFound
from liveguard.parties import service as parties_service


def create(*, db_session: Session, listing_in: ListingCreate, today: date) -> Listing:
    merchant = parties_service.get_merchant(
        db_session=db_session, merchant_id=listing_in.merchant_id
    )
    check = parties_service.check_selling(
        db_session=db_session, merchant=merchant, category=listing_in.category, on=today
    )
    if not check.may_sell:
        raise InvalidInput(
            "category",
            f"merchant {merchant.id} may not sell {listing_in.category}: "
            + "; ".join(check.reasons),
            "get the missing qualifications approved first",
        )
    listing = Listing(**listing_in.model_dump())
    db_session.add(listing)
    db_session.flush()
    return listing


def count(*, db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(Listing)) or 0)


def get(*, db_session: Session, listing_id: int) -> Listing:
    listing = db_session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("listing", listing_id)
    return listing


def get_all(*, db_session: Session, merchant_id: int | None = None) -> Sequence[Listing]:
    query = select(Listing).order_by(Listing.id)
    if merchant_id is not None:
        query = query.where(Listing.merchant_id == merchant_id)
    return db_session.scalars(query).all()
