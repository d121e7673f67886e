"""Listings: what is offered, at what price, by whom; every version, price and review kept.

Versions, prices, reviews and appeals are only ever added (a price row's ``valid_to`` is
filled in once, when the price stops being in force), so a dispute can always be told
what the page said, what it cost and who let it go on sale.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from liveguard.db import Base, Fen, TimestampMixin, utcnow


def _enum(cls: type[StrEnum]) -> Enum:
    # Plain strings, as in parties: a new value needs no migration on either backend.
    return Enum(cls, native_enum=False, length=32, validate_strings=True)


class ListingStatus(StrEnum):
    draft = "draft"  # stored before listing review existed; reviewed on its next change
    approved = "approved"  # passed review: the merchant may put it on sale
    changes_requested = "changes_requested"  # a form defect to fix; staff may still approve
    rejected = "rejected"  # failed review: must not go on sale in this version
    appealed = "appealed"  # the merchant contests the review; waiting for staff
    on_sale = "on_sale"
    pulled = "pulled"  # taken down by staff or policy


# A price is "in force" (a buyer can pay it) only while the listing is on sale.
SELLING = frozenset({ListingStatus.on_sale})


class Verdict(StrEnum):
    approve = "approve"
    changes_requested = "changes_requested"
    reject = "reject"


class ReviewerKind(StrEnum):
    automatic = "automatic"
    staff = "staff"
    sampling = "sampling"  # pulled because a bought item failed its test
    monitor = "monitor"  # pulled by the live monitor's policy (a finding in a room)


class SampleKind(StrEnum):
    sampling = "sampling"  # 抽检: a regulator's or platform's quality sampling
    mystery_shopping = "mystery_shopping"  # 体验式调查: bought as a consumer would


class SampleOutcome(StrEnum):
    passed = "passed"
    failed = "failed"


class Listing(TimestampMixin, Base):
    __tablename__ = "listings"
    __table_args__ = (Index("ix_listings_created_at_id", "created_at", "id"),)  # keyset pages

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    price_fen: Mapped[int] = mapped_column(Fen)
    original_price_fen: Mapped[int | None] = mapped_column(Fen)
    shipping_fee_fen: Mapped[int] = mapped_column(Fen, default=0)
    stock: Mapped[int] = mapped_column(default=0)
    label: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # producer, SC number...
    store_terms: Mapped[str] = mapped_column(Text, default="")  # returns, after-sales
    status: Mapped[ListingStatus] = mapped_column(_enum(ListingStatus), default=ListingStatus.draft)
    version: Mapped[int] = mapped_column(default=0)  # the current ListingVersion.version
    # In the staff queue: automatic review asked for changes, or the merchant appealed.
    awaiting_decision: Mapped[bool] = mapped_column(default=False)


class ListingVersion(Base):
    """A listing exactly as it was at one version, with its evidence-ledger item."""

    __tablename__ = "listing_versions"
    __table_args__ = (UniqueConstraint("listing_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    version: Mapped[int]  # 1, 2, 3, ... per listing
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    price_fen: Mapped[int] = mapped_column(Fen)
    original_price_fen: Mapped[int | None] = mapped_column(Fen)
    shipping_fee_fen: Mapped[int] = mapped_column(Fen)
    stock: Mapped[int]
    label: Mapped[dict[str, str]] = mapped_column(JSON)
    store_terms: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(60))  # staff username or merchant:<id>
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class ListingPrice(Base):
    """A price in force (the listing on sale at it) from ``valid_from`` until ``valid_to``."""

    __tablename__ = "listing_prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    price_fen: Mapped[int] = mapped_column(Fen)
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None]  # None: still in force


class ListingReview(Base):
    """One review of one version: automatic on every change, or a staff decision."""

    __tablename__ = "listing_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    version: Mapped[int]
    verdict: Mapped[Verdict] = mapped_column(_enum(Verdict))
    # [{check, severity, message, field, legal_basis: [{law, article, quote}], evidence}]
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reviewer_kind: Mapped[ReviewerKind] = mapped_column(_enum(ReviewerKind))
    reviewer: Mapped[str] = mapped_column(String(60))  # "automatic" or a staff username
    reason: Mapped[str | None] = mapped_column(Text)  # a staff decision's words to the merchant
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A staff decision's (or a failed sample's pull's) own ledger item; an automatic review
    # is inside its version's item.
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)


class ListingAppeal(Base):
    """A merchant contesting a review, and the staff decision that answered it."""

    __tablename__ = "listing_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    version: Mapped[int]
    statement: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(60))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("listing_reviews.id"))
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)


class SampleResult(Base):
    """An item bought from a live room and tested against a standard (seed 001: 29 of 80
    products bought in live rooms failed national standards). Only ever added."""

    __tablename__ = "listing_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    version: Mapped[int]  # the listing version on sale when the result was recorded
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"))
    kind: Mapped[SampleKind] = mapped_column(_enum(SampleKind))
    batch: Mapped[str | None] = mapped_column(String(100))
    production_date: Mapped[date | None]
    bought_at: Mapped[datetime]
    bought_by: Mapped[str] = mapped_column(String(200))  # an organisation, not a person's name
    tested_by: Mapped[str] = mapped_column(String(200))
    report_number: Mapped[str | None] = mapped_column(String(100))
    test: Mapped[str] = mapped_column(String(300))
    standard: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[SampleOutcome] = mapped_column(_enum(SampleOutcome))
    # [{item, measured, required}] for a failed result
    failed_items: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(index=True)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
