"""Listing routes."""

from __future__ import annotations

from fastapi import APIRouter, status

from liveguard.catalog import service
from liveguard.catalog.schemas import ListingCreate, ListingRead
from liveguard.web.deps import AnyStaff, DbSession, Signed, Today, check_merchant_access

router = APIRouter(prefix="/listings", tags=["catalog"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ListingRead)
def create_listing(
    listing_in: ListingCreate, db_session: DbSession, today: Today, principal: Signed
):
    check_merchant_access(principal, listing_in.merchant_id, write=True)
    return service.create(db_session=db_session, listing_in=listing_in, today=today)


@router.get("", response_model=list[ListingRead])
def list_listings(db_session: DbSession, _: AnyStaff, merchant_id: int | None = None):
    return service.get_all(db_session=db_session, merchant_id=merchant_id)


@router.get("/{listing_id}", response_model=ListingRead)
def read_listing(listing_id: int, db_session: DbSession, principal: Signed):
    listing = service.get(db_session=db_session, listing_id=listing_id)
    check_merchant_access(principal, listing.merchant_id, write=False)
    return listing
