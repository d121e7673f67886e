"""API shapes for listings, their versions, reviews and appeals. Money in integer fen."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from liveguard.bounds import Count, Day, Id, Moment, PriceFen
from liveguard.catalog.models import ListingStatus, ReviewerKind, Verdict

# The enums an API shape carries, exported (``X as X``) for the web layer that fills them in.
from liveguard.catalog.models import SampleKind as SampleKind
from liveguard.catalog.models import SampleOutcome as SampleOutcome
from liveguard.paging import KeysetPage
from liveguard.parties.schemas import CategoryCode, MerchantPublic

Fen = PriceFen
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]

# the fields a version records, in the order a version shows them
LISTING_FIELDS = (
    "title",
    "description",
    "category",
    "price_fen",
    "original_price_fen",
    "shipping_fee_fen",
    "stock",
    "label",
    "store_terms",
)


def check_original_price(price_fen: int, original_price_fen: int | None) -> None:
    if original_price_fen is not None and original_price_fen < price_fen:
        raise ValueError(
            "original_price_fen is below price_fen: a struck-through price must be higher"
        )


class ListingBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: str = Field(default="", max_length=20000)
    category: CategoryCode
    price_fen: Fen
    original_price_fen: Fen | None = None
    shipping_fee_fen: Fen = 0
    stock: Count = 0
    label: dict[str, str] = Field(
        default_factory=dict,
        description="what the package says: product_name, producer_name, producer_address, "
        "licence_number, production_date (YYYY-MM-DD), shelf_life, standard_number",
    )
    store_terms: str = Field(default="", max_length=20000, description="return, after-sales")

    @model_validator(mode="after")
    def _original_not_below_price(self) -> ListingBase:
        check_original_price(self.price_fen, self.original_price_fen)
        return self


class ListingCreate(ListingBase):
    merchant_id: Id


class ImportRow(ListingBase):
    """A row of a bulk import: a merchant's own import may leave out ``merchant_id``."""

    merchant_id: Id | None = None


class ListingUpdate(BaseModel):
    """A change: only the fields sent are changed; send null to remove the original price."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: str | None = Field(default=None, max_length=20000)
    category: CategoryCode | None = None
    price_fen: Fen | None = None
    original_price_fen: Fen | None = None
    shipping_fee_fen: Fen | None = None
    stock: Count | None = None
    label: dict[str, str] | None = None
    store_terms: str | None = Field(default=None, max_length=20000)

    @model_validator(mode="after")
    def _only_original_price_may_be_null(self) -> ListingUpdate:
        nulled = sorted(
            name
            for name in self.model_fields_set
            if getattr(self, name) is None and name != "original_price_fen"
        )
        if nulled:
            raise ValueError(f"{', '.join(nulled)} cannot be null: leave the field out instead")
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


class ListingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    merchant_id: int
    title: str
    description: str
    category: str
    price_fen: int
    original_price_fen: int | None
    shipping_fee_fen: int
    stock: int
    label: dict[str, str]
    store_terms: str
    status: ListingStatus
    version: int
    awaiting_decision: bool
    created_at: datetime
    updated_at: datetime


class LegalBasisRead(BaseModel):
    law: str
    article: int
    quote: str | None = None
    version: str | None = None


class ProblemRead(BaseModel):
    check: str = Field(description="a stable check id, e.g. shipping.excessive")
    severity: str
    message: str
    field: str | None
    legal_basis: list[LegalBasisRead]
    evidence: dict[str, Any]


class ReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    listing_id: int
    version: int
    verdict: Verdict
    problems: list[ProblemRead]
    reviewer_kind: ReviewerKind
    reviewer: str
    reason: str | None
    created_at: datetime
    ledger_seq: int | None = Field(
        default=None, description="a staff decision's or a pull's own evidence-ledger item"
    )


class ListingReviewed(ListingRead):
    """A listing with its latest review: why it may or may not go on sale."""

    review: ReviewRead | None = None


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    listing_id: int
    version: int
    title: str
    description: str
    category: str
    price_fen: int
    original_price_fen: int | None
    shipping_fee_fen: int
    stock: int
    label: dict[str, str]
    store_terms: str
    created_at: datetime
    created_by: str
    ledger_seq: int = Field(description="the evidence-ledger item holding this version")


class StaffDecision(StrEnum):
    approve = "approve"
    reject = "reject"
    request_changes = "request_changes"


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: StaffDecision
    reason: Reason | None = Field(default=None, description="shown to the merchant")
    version: Count | None = Field(
        default=None, description="the version decided on; refused if the listing changed since"
    )


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=5, max_length=5000)
    ] = Field(description="why the review is wrong, or what was fixed")


class AppealRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    listing_id: int
    version: int
    statement: str
    submitted_by: str
    submitted_at: datetime
    decision_id: int | None
    ledger_seq: int | None = Field(default=None, description="the appeal's evidence-ledger item")


class QueueItem(BaseModel):
    listing: ListingRead
    review: ReviewRead | None
    appeal: AppealRead | None = Field(description="the open appeal, if the merchant appealed")


class ImportedRow(BaseModel):
    row: int
    id: int
    status: ListingStatus


class RowError(BaseModel):
    row: int = Field(description="1-based: the first listing (the first CSV line after the header)")
    field: str
    message: str
    fix: str = ""


class ImportResult(BaseModel):
    created: list[ImportedRow]
    errors: list[RowError]


# --- sampling and mystery shopping -------------------------------------------------------

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Named = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


class FailedItem(BaseModel):
    """One test item the sample failed: what was measured against what the standard asks."""

    model_config = ConfigDict(extra="forbid")

    item: Short = Field(description="the test item, e.g. 蛋白质 or 菌落总数")
    measured: Short = Field(description="the value found, with its unit, e.g. 0.2 g/100g")
    required: Short = Field(description="what the standard requires, e.g. ≥ 0.6 g/100g")


class SampleCreate(BaseModel):
    """An item bought from a live room (抽检 or 体验式调查) and the result of its test."""

    model_config = ConfigDict(extra="forbid")

    listing_id: Id
    live_session_id: Id | None = Field(default=None, description="the live room it came from")
    kind: SampleKind = SampleKind.sampling
    batch: Short | None = Field(default=None, description="batch number printed on the package")
    production_date: Day | None = None
    bought_at: Moment
    bought_by: Named = Field(
        description="who bought it: the organisation (a consumer association, a regulator, "
        "the platform), never a person's name"
    )
    tested_by: Named = Field(description="the laboratory that tested it")
    report_number: Short | None = None
    test: Named = Field(description="the test performed, e.g. 理化指标检验")
    standard: Short = Field(description="the standard tested against, e.g. GB 19644-2010")
    outcome: SampleOutcome
    failed_items: list[FailedItem] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _failed_items_match_outcome(self) -> SampleCreate:
        if self.outcome is SampleOutcome.failed and not self.failed_items:
            raise ValueError(
                "a failed result needs its failed_items: each item, the measured value and "
                "the value the standard requires"
            )
        if self.outcome is SampleOutcome.passed and self.failed_items:
            raise ValueError("a passed result has no failed_items: send outcome 'failed' or none")
        if self.production_date and self.production_date > self.bought_at.date():
            raise ValueError("production_date is after bought_at: check both dates")
        return self


class SampleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    listing_id: int
    merchant_id: int
    version: int
    live_session_id: int | None
    kind: SampleKind
    batch: str | None
    production_date: date | None
    bought_at: datetime
    bought_by: str
    tested_by: str
    report_number: str | None
    test: str
    standard: str
    outcome: SampleOutcome
    failed_items: list[FailedItem]
    recorded_by: str
    recorded_at: datetime
    ledger_seq: int = Field(description="the result's evidence-ledger item")


class FailedSample(BaseModel):
    """What other capabilities need of a failed sample: which listing, seller and batch."""

    model_config = ConfigDict(from_attributes=True)

    sample_id: int = Field(validation_alias="id")
    listing_id: int
    merchant_id: int
    live_session_id: int | None
    batch: str | None
    production_date: date | None
    bought_at: datetime
    standard: str
    failed_items: list[FailedItem]
    recorded_at: datetime
    ledger_seq: int


class SamplePublic(BaseModel):
    """A sampling result as a buyer sees it: who tested what, against which standard."""

    model_config = ConfigDict(from_attributes=True)

    kind: SampleKind
    batch: str | None
    production_date: date | None
    bought_at: datetime
    bought_by: str
    tested_by: str
    test: str
    standard: str
    outcome: SampleOutcome
    failed_items: list[FailedItem]
    ledger_seq: int


class SampleActedRead(BaseModel):
    """A recorded result, and what it did to the listing."""

    sample: SampleRead
    listing_status: ListingStatus
    pulled: ReviewRead | None = Field(description="the review that took the listing off sale")
    case_ids: list[int] = Field(
        default_factory=list, description="the cases opened for the buyers of the batch"
    )


class ListingPublic(BaseModel):
    """A listing as a buyer sees it, with the seller's licence information (E-Commerce Law
    art. 15), its review status and any sampling results."""

    id: int
    title: str
    description: str
    category: str
    price_fen: int
    original_price_fen: int | None
    shipping_fee_fen: int
    stock: int
    label: dict[str, str]
    store_terms: str
    version: int
    status: ListingStatus = Field(description="on_sale, or pulled (taken off sale)")
    status_reason: str | None = Field(description="why it was taken off sale")
    reviewed_at: datetime | None = Field(description="when its current version was approved")
    samples: list[SamplePublic]
    merchant: MerchantPublic


class ListingPage(KeysetPage[ListingRead]):
    """A page of the list and the cursor of the next."""
