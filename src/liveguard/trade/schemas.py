"""API shapes for orders, their status changes, delivery promises and breaches."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from liveguard.bounds import Count, Day, Id, Moment, PriceFen
from liveguard.parties.schemas import Phone
from liveguard.trade.enums import BenefitFindingKind, BenefitKind
from liveguard.trade.models import (
    BreachResolution,
    OrderChannel,
    OrderStatus,
    PromiseKind,
    PromiseSource,
)

Fen = PriceFen
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Words = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Recipient(Input):
    """Where the parcel goes: personal data, stored sealed and shown masked."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    phone: Phone
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=300)]


class PromiseCreate(Input):
    """A delivery promise, or a change of one (``replaces_id`` and a ``reason``)."""

    kind: PromiseKind
    due_on: Day = Field(description="the last day, in China's calendar")
    source: PromiseSource
    source_ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = (
        Field(default=None, description="listing_version:3, ledger:1234 (an utterance), ...")
    )
    quote: Words | None = Field(default=None, description="the words, as said or written")
    said_at: Moment
    replaces_id: Id | None = Field(default=None, description="the promise this one changes")
    reason: Words | None = Field(default=None, description="why the promise was changed")

    @model_validator(mode="after")
    def _a_change_says_why(self) -> PromiseCreate:
        if self.replaces_id is not None and not self.reason:
            raise ValueError(
                "a changed promise needs a reason: say what the shop gave as the reason, "
                "or 'none given'"
            )
        return self


class ListingPromiseChange(Input):
    """A new date for every open order of a listing, as the shop announced it."""

    kind: PromiseKind
    due_on: Day = Field(description="the new last day, in China's calendar")
    source: PromiseSource = PromiseSource.merchant_notice
    source_ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = (
        None
    )
    quote: Words | None = Field(default=None, description="the announcement, as worded")
    said_at: Moment
    reason: Words = Field(description="why the date moved, as the shop gave it, or 'none given'")


class OrderCreate(Input):
    order_no: Short = Field(description="the platform's order number, unique per shop")
    consumer_id: Id
    merchant_id: Id
    listing_id: Id
    listing_version: Count | None = Field(
        default=None, description="the version paid for; default the current one"
    )
    live_session_id: Id | None = Field(default=None, description="the live session, if any")
    anchor_id: Id | None = Field(default=None, description="default: the session's anchor")
    quantity: int = Field(ge=1, le=100000)
    unit_price_fen: Fen
    amount_paid_fen: Fen = Field(description="what the buyer paid: after coupons, with shipping")
    paid_at: Moment
    batch: Short | None = Field(default=None, description="production batch, if known")
    recipient: Recipient | None = None
    promises: list[PromiseCreate] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _new_promises_only(self) -> OrderCreate:
        if any(p.replaces_id is not None for p in self.promises):
            raise ValueError(
                "promises sent with a new order cannot replace others: add a change "
                "with POST /api/orders/{id}/promises"
            )
        return self


class StatusChange(Input):
    status: OrderStatus = Field(description="shipped, delivered, cancelled or refunded")
    occurred_at: Moment
    carrier: Short | None = None
    tracking_no: Short | None = None
    refund_fen: Fen | None = Field(default=None, description="required for refunded")
    reason: Words | None = None

    @model_validator(mode="after")
    def _refund_has_amount(self) -> StatusChange:
        if self.status is OrderStatus.refunded and self.refund_fen is None:
            raise ValueError("a refund needs refund_fen: the amount returned, in fen")
        if self.status is not OrderStatus.refunded and self.refund_fen is not None:
            raise ValueError("refund_fen belongs to a refund only: set status to refunded")
        return self


class OrderRead(Output):
    id: int
    order_no: str
    consumer_id: int
    merchant_id: int
    listing_id: int
    listing_version: int
    live_session_id: int | None
    anchor_id: int | None
    quantity: int
    unit_price_fen: int
    amount_paid_fen: int
    paid_at: datetime
    batch: str | None
    status: OrderStatus
    recipient_masked: str | None
    ledger_seq: int


class OrderEventRead(Output):
    id: int
    from_status: OrderStatus | None
    to_status: OrderStatus
    occurred_at: datetime
    carrier: str | None
    tracking_no: str | None
    refund_fen: int | None
    reason: str | None
    actor: str
    ledger_seq: int


class PromiseRead(Output):
    id: int
    order_id: int
    kind: PromiseKind
    due_on: date
    source: PromiseSource
    source_ref: str | None
    quote: str | None
    said_at: datetime
    replaces_id: int | None
    reason: str | None
    actor: str
    ledger_seq: int


class BreachRead(Output):
    id: int
    promise_id: int
    order_id: int
    merchant_id: int
    kind: PromiseKind
    due_on: date
    breached_on: date
    found_at: datetime
    ledger_seq: int
    case_id: int | None
    resolution: BreachResolution | None
    resolved_at: datetime | None


class OrderDetail(OrderRead):
    events: list[OrderEventRead]
    promises: list[PromiseRead]
    breaches: list[BreachRead]


class ChargedPrice(Output):
    """What one order actually paid for a listing, for price-history checks."""

    order_id: int
    paid_at: datetime
    quantity: int
    unit_price_fen: int
    amount_paid_fen: int


class CheckReport(BaseModel):
    day: date
    orders_checked: int
    breaches: list[BreachRead]


# --- red envelopes, coupons and price protection (S7) ------------------------------------


class BenefitPromiseCreate(Input):
    """A red envelope, coupon or price-protection promise as it was said or written: the
    terms are read from ``quote`` ("40 个红包，每个 1-5 元，10 个工作日审核到账",
    "保价 30 天"). It binds every order of the listing or live session paid after it."""

    quote: Words = Field(description="the words, as said in the room or written on the listing")
    merchant_id: Id
    listing_id: Id | None = None
    live_session_id: Id | None = None
    order_id: Id | None = Field(default=None, description="only this order, if given")
    source: PromiseSource
    source_ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = (
        None
    )
    said_at: Moment

    @model_validator(mode="after")
    def _bound_to_something(self) -> BenefitPromiseCreate:
        if self.listing_id is None and self.live_session_id is None and self.order_id is None:
            raise ValueError("say whose orders it binds: listing_id, live_session_id or order_id")
        return self


class BenefitPromiseRead(Output):
    id: int
    merchant_id: int
    listing_id: int | None
    live_session_id: int | None
    order_id: int | None
    kind: BenefitKind
    count: int | None
    min_fen: int | None
    max_fen: int | None
    working_days: int | None
    calendar_days: int | None
    condition: str | None
    protect_days: int | None
    source: PromiseSource
    quote: str
    said_at: datetime
    ledger_seq: int


class PayoutCreate(Input):
    """Red envelopes or coupons that reached the buyer of an order, as the platform paid them."""

    promise_id: Id
    count: Count = Field(default=1, gt=0)
    amount_fen: Fen
    paid_at: Moment


class PayoutRead(Output):
    id: int
    promise_id: int
    order_id: int
    count: int
    amount_fen: int
    paid_at: datetime
    ledger_seq: int


class PriceProtectionRefusal(Input):
    """The shop refused a buyer's price-protection claim."""

    promise_id: Id
    said_at: Moment
    reason: Words | None = Field(default=None, description="what the shop gave as the reason")


class BenefitFindingRead(Output):
    id: int
    promise_id: int
    order_id: int
    merchant_id: int
    kind: BenefitFindingKind
    finding: str
    due_on: date | None
    found_on: date
    owed_fen: int
    detail: dict[str, Any]
    ledger_seq: int
    case_id: int | None


class BenefitCheckReport(BaseModel):
    day: date
    orders_checked: int
    findings: list[BenefitFindingRead]


# --- bulk orders (docs/integrity.md) -------------------------------------------------------


class ImportRowError(BaseModel):
    line: int = Field(
        description="CSV: the file's line (header = 1); JSON lines: the line; "
        "Parquet: the row (first = 1)"
    )
    field: str
    message: str


class OrderImportReport(BaseModel):
    import_id: int
    file_format: str
    sha256: str
    rows_read: int
    rows_stored: int
    rows_refused: int
    errors: list[ImportRowError] = Field(description="the first 1,000 refused rows")
    ledger_seq: int | None


class OrderFactRead(Output):
    id: int
    order_no: str
    merchant_id: int
    buyer: str
    listing_id: int | None
    live_session_id: int | None
    anchor_id: int | None
    amount_fen: int
    paid_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    refunded_at: datetime | None
    channel: OrderChannel | None
    device_hash: str | None
    address_hash: str | None
