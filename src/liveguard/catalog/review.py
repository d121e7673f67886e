"""The glue between the stored listings and the pure review core in ``checks.py``.

It builds a ``ListingFacts`` from the database (the merchant's documents valid today from
parties, the listing's price history), runs the shared ``Reviewer``, stores the result as
a ``ListingReview`` and sets the listing's status. It also keeps the price history.

Price history: there are no orders in the schema yet, so "the lowest price actually
charged in the 7 days before" (price-marking provisions art. 16) is computed from the
prices in force: a ``ListingPrice`` row is open while the listing is on sale at a price,
and closed when the price changes or the listing leaves sale. A price in force during any
part of the window counts as charged in it. When orders arrive, their prices can be fed
to the same check instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.catalog import checks
from liveguard.catalog.models import (
    SELLING,
    Listing,
    ListingPrice,
    ListingReview,
    ListingStatus,
    ReviewerKind,
    Verdict,
)
from liveguard.clock import CHINA
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import CreditMeasures

AUTOMATIC = "automatic"  # the reviewer name of automatic reviews
DEFAULT_WINDOW_DAYS = 7

_STATUS_FOR = {
    Verdict.approve: ListingStatus.approved,
    Verdict.changes_requested: ListingStatus.changes_requested,
    Verdict.reject: ListingStatus.rejected,
}


@cache
def reviewer() -> checks.Reviewer:
    """The shared reviewer: built once per process (it compiles the rule sets)."""
    return checks.Reviewer()


def run_review(facts: checks.ListingFacts) -> tuple[Verdict, list[checks.Problem]]:
    """The one place that knows the review core's calling convention."""
    problems = reviewer().review(facts)
    return Verdict(str(checks.verdict(problems))), problems


def window_days() -> int:
    rules = getattr(reviewer(), "rules", None)
    return int(getattr(getattr(rules, "price", None), "window_days", DEFAULT_WINDOW_DAYS))


# --- price history ------------------------------------------------------------------------


def price_rows(*, db_session: Session, listing_id: int) -> Sequence[ListingPrice]:
    query = (
        select(ListingPrice)
        .where(ListingPrice.listing_id == listing_id)
        .order_by(ListingPrice.valid_from, ListingPrice.id)
    )
    return db_session.scalars(query).all()


def price_points(
    rows: Sequence[ListingPrice], *, now: datetime, days: int
) -> list[tuple[datetime, int]]:
    """Prices in force as (when, price) points for the review core.

    Each price counts from when it came into force; a price already in force when the
    window opened counts again at the window's start, so it is seen as charged in it.
    """
    window_start = now - timedelta(days=days)
    points = []
    for row in rows:
        if row.valid_from >= now or (row.valid_to is not None and row.valid_to <= row.valid_from):
            continue  # not yet in force, or replaced at once: never payable
        points.append((row.valid_from, row.price_fen))
        still_in_force = row.valid_to is None or row.valid_to > window_start
        if row.valid_from < window_start and still_in_force:
            points.append((window_start, row.price_fen))
    return sorted(points)


def sync_prices(*, db_session: Session, listing: Listing, now: datetime) -> None:
    """Close the open price if it is no longer in force; open the listing's price if it is."""
    open_row = db_session.scalar(
        select(ListingPrice).where(
            ListingPrice.listing_id == listing.id, ListingPrice.valid_to.is_(None)
        )
    )
    selling = listing.status in SELLING
    if open_row is not None and (not selling or open_row.price_fen != listing.price_fen):
        open_row.valid_to = now
        open_row = None
    if selling and open_row is None:
        db_session.add(
            ListingPrice(listing_id=listing.id, price_fen=listing.price_fen, valid_from=now)
        )
    db_session.flush()


# --- review -------------------------------------------------------------------------------


def facts_for(*, db_session: Session, listing: Listing, now: datetime) -> checks.ListingFacts:
    today = now.astimezone(CHINA).date()
    documents = parties_service.approved_documents(
        db_session=db_session, owner_kind="merchant", owner_id=listing.merchant_id, on=today
    )
    rows = price_rows(db_session=db_session, listing_id=listing.id)
    return checks.ListingFacts(
        title=listing.title,
        description=listing.description,
        category=listing.category,
        price_fen=listing.price_fen,
        original_price_fen=listing.original_price_fen,
        shipping_fee_fen=listing.shipping_fee_fen,
        stock=listing.stock,
        label=dict(listing.label or {}),
        store_terms=listing.store_terms,
        merchant_documents=frozenset(d.doc_type for d in documents),
        price_history=price_points(rows, now=now, days=window_days()),
        charged_prices=charged_prices(db_session=db_session, listing=listing, now=now),
        now=now,
    )


def charged_prices(
    *, db_session: Session, listing: Listing, now: datetime
) -> list[tuple[datetime, int]]:
    """Unit prices buyers actually paid in the window (orders, from ``trade``); read only
    when the listing shows a compared price, the one check that uses them."""
    shown = listing.original_price_fen
    if listing.id is None or shown is None or shown <= listing.price_fen:
        return []
    # Imported here: trade reads listings through the catalog service.
    from liveguard.trade import service as trade_service

    sales = trade_service.prices_charged(
        db_session=db_session,
        listing_id=listing.id,
        since=now - timedelta(days=window_days()),
        until=now,
    )
    return [(sale.paid_at, sale.unit_price_fen) for sale in sales]


def problem_json(problem: checks.Problem) -> dict[str, Any]:
    """A review-core ``Problem`` as stored and shown: check id, message, basis, evidence."""
    bases = []
    for basis in problem.legal_basis:
        item = basis.model_dump()
        bases.append({k: v for k, v in item.items() if v is not None})
    return {
        "check": problem.check,
        "severity": str(problem.severity),
        "message": problem.message,
        "field": problem.field,
        "legal_basis": bases,
        "evidence": dict(problem.evidence),
    }


def credit_problem(measures: CreditMeasures) -> dict[str, Any]:
    """The review problem a credit listing in force adds: the listing waits for staff."""
    return {
        "check": "credit.manual_review",
        "severity": "warning",
        "message": measures.text_zh,
        "field": None,
        "legal_basis": [basis.model_dump(exclude_none=True) for basis in measures.basis],
        "evidence": {"list_kind": measures.list_kind},
    }


def review_listing(*, db_session: Session, listing: Listing, now: datetime) -> ListingReview:
    """Review the listing's current version automatically; set its status from the verdict."""
    verdict, problems = run_review(facts_for(db_session=db_session, listing=listing, now=now))
    found = [problem_json(p) for p in problems]
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=listing.merchant_id)
    measures = parties_service.credit_measures(merchant)
    if measures is not None and measures.listing_review == "manual":
        # A black-listed shop's new versions wait for a person (the credit listing's
        # consequence, with its words and basis as the credit data file gives them).
        found.append(credit_problem(measures))
        if verdict is Verdict.approve:
            verdict = Verdict.changes_requested
    review = ListingReview(
        listing_id=listing.id,
        version=listing.version,
        verdict=verdict,
        problems=found,
        reviewer_kind=ReviewerKind.automatic,
        reviewer=AUTOMATIC,
        created_at=now,
    )
    db_session.add(review)
    # A clean change to a listing on sale keeps it on sale; anything else takes it off.
    if not (verdict is Verdict.approve and listing.status is ListingStatus.on_sale):
        listing.status = _STATUS_FOR[verdict]
    listing.awaiting_decision = verdict is Verdict.changes_requested
    db_session.flush()
    sync_prices(db_session=db_session, listing=listing, now=now)
    return review


def latest_review(*, db_session: Session, listing_id: int) -> ListingReview | None:
    query = (
        select(ListingReview)
        .where(ListingReview.listing_id == listing_id)
        .order_by(ListingReview.id.desc())
        .limit(1)
    )
    return db_session.scalar(query)


def get_reviews(*, db_session: Session, listing_id: int) -> Sequence[ListingReview]:
    query = (
        select(ListingReview)
        .where(ListingReview.listing_id == listing_id)
        .order_by(ListingReview.id)
    )
    return db_session.scalars(query).all()
