"""Orders, their status changes, delivery promises and the breaches of those promises.

Everything here is added, never rewritten, except an order's current ``status`` and a
breach's ``resolution`` (filled in once, when the order is finally shipped, cancelled or
refunded): a dispute can always be told what was paid, what was promised and when, each
change of promise and its reason, and on which day the promise was broken.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from liveguard.db import Base, Fen, TimestampMixin, utcnow
from liveguard.trade.enums import BenefitFindingKind, BenefitKind


def _enum(cls: type[StrEnum]) -> Enum:
    # Plain strings, as in parties and catalog: a new value needs no migration.
    return Enum(cls, native_enum=False, length=32, validate_strings=True)


class OrderStatus(StrEnum):
    paid = "paid"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    refunded = "refunded"


class PromiseKind(StrEnum):
    ship_by = "ship_by"  # 发货: the parcel leaves the seller by the end of the day
    deliver_by = "deliver_by"  # 送达: the buyer has it by the end of the day


class PromiseSource(StrEnum):
    listing = "listing"  # the listing page (a listing version) said so
    live_room = "live_room"  # said in the live room (an utterance, by ledger seq)
    customer_service = "customer_service"  # the shop's customer service told the buyer
    merchant_notice = "merchant_notice"  # the shop changed it in the order ("moved to 30 May")
    platform_rule = "platform_rule"  # the platform's default shipping deadline


class BreachResolution(StrEnum):
    shipped_late = "shipped_late"
    delivered_late = "delivered_late"
    cancelled = "cancelled"
    refunded = "refunded"


class Order(TimestampMixin, Base):
    """An on-platform order as the platform reported it; personal fields only sealed."""

    __tablename__ = "trade_orders"
    __table_args__ = (UniqueConstraint("merchant_id", "order_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64))  # the platform's order number
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    listing_version: Mapped[int]  # the version the buyer saw and paid for (0: before versions)
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    anchor_id: Mapped[int | None] = mapped_column(ForeignKey("anchors.id"), index=True)
    quantity: Mapped[int]
    unit_price_fen: Mapped[int] = mapped_column(Fen)
    amount_paid_fen: Mapped[int] = mapped_column(Fen)  # after coupons, with shipping
    paid_at: Mapped[datetime]
    batch: Mapped[str | None] = mapped_column(String(60), index=True)  # production batch
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus), default=OrderStatus.paid)
    # The delivery address, sealed with the field cipher; the ledger holds it sealed under
    # the consumer's own key, so erasing the consumer shreds it there too.
    recipient_enc: Mapped[str | None] = mapped_column(Text)
    recipient_masked: Mapped[str | None] = mapped_column(String(120))
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class OrderChannel(StrEnum):
    """Where the buyer came from to the order."""

    live = "live"  # a live room
    video = "video"  # a short video
    shop = "shop"  # the shop's own page
    search = "search"  # search or recommendations
    other = "other"


class OrderImport(Base):
    """One bulk import of the platform's orders: the file's hash and what came of it."""

    __tablename__ = "trade_order_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(16))  # csv, jsonl, parquet
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int]
    rows_stored: Mapped[int]
    rows_refused: Mapped[int]
    imported_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(60))
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)


class OrderFact(Base):
    """An order as the platform's bulk export states it: what the integrity detectors read.

    Kept apart from ``Order`` (one order reported as it happens, ledgered one by one): a
    platform sends millions of these in a file, the file goes into the ledger once (its
    SHA-256), and the buyer is the platform's account id, not a registered consumer.
    Device and address arrive as keyed hashes (``FieldCipher.blind_index``), never in clear:
    enough to see two accounts share a phone or a doorstep, not to learn either.
    """

    __tablename__ = "trade_order_facts"
    __table_args__ = (UniqueConstraint("merchant_id", "order_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of their own: (merchant_id, order_no) is the unique key's own index, and an
    # import is looked up by its rows rarely; each index slows a million-row import.
    import_id: Mapped[int] = mapped_column(ForeignKey("trade_order_imports.id"))
    order_no: Mapped[str] = mapped_column(String(64))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    buyer: Mapped[str] = mapped_column(String(64), index=True)  # the platform's account id
    # LiveGuard's ids when the platform's export names them; not checked against the tables,
    # since an export also covers listings and sessions LiveGuard never saw.
    listing_id: Mapped[int | None]
    live_session_id: Mapped[int | None] = mapped_column(index=True)
    anchor_id: Mapped[int | None]
    amount_fen: Mapped[int] = mapped_column(Fen)
    paid_at: Mapped[datetime] = mapped_column(index=True)
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    channel: Mapped[OrderChannel | None] = mapped_column(_enum(OrderChannel))
    device_hash: Mapped[str | None] = mapped_column(String(64))
    address_hash: Mapped[str | None] = mapped_column(String(64))


class OrderEvent(Base):
    """One change of an order's status: a shipment, a delivery, a cancellation, a refund."""

    __tablename__ = "trade_order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_orders.id"), index=True)
    from_status: Mapped[OrderStatus | None] = mapped_column(_enum(OrderStatus))
    to_status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus))
    occurred_at: Mapped[datetime]  # when it happened (a shipment's pick-up time)
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_no: Mapped[str | None] = mapped_column(String(60))
    refund_fen: Mapped[int | None] = mapped_column(Fen)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(60))  # staff username or merchant:<id>
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class DeliveryPromise(Base):
    """A promise about one order's delivery; a change of promise is a new row replacing it."""

    __tablename__ = "trade_delivery_promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_orders.id"), index=True)
    kind: Mapped[PromiseKind] = mapped_column(_enum(PromiseKind))
    due_on: Mapped[date] = mapped_column(index=True)  # the last day, in China's calendar
    # The first instant after due_on in China, in UTC: what the promise must be kept
    # before. Stored so the daily check can pick broken promises in SQL, not in Python.
    holds_until: Mapped[datetime]
    source: Mapped[PromiseSource] = mapped_column(_enum(PromiseSource))
    # Where it was said: "listing_version:3", "ledger:1234" (an utterance), a message id.
    source_ref: Mapped[str | None] = mapped_column(String(120))
    quote: Mapped[str | None] = mapped_column(Text)  # the words, as said or written
    said_at: Mapped[datetime]
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("trade_delivery_promises.id"), index=True
    )
    reason: Mapped[str | None] = mapped_column(Text)  # why it was changed
    actor: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class PromiseBreach(Base):
    """A promise's date passed without the promised shipment or delivery. Once per promise."""

    __tablename__ = "trade_promise_breaches"
    __table_args__ = (UniqueConstraint("promise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("trade_delivery_promises.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_orders.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    kind: Mapped[PromiseKind] = mapped_column(_enum(PromiseKind))
    due_on: Mapped[date]
    breached_on: Mapped[date]  # the first day the promise stood broken: due_on + 1
    found_at: Mapped[datetime]  # when the check flagged it (late if the check was down)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int | None]  # the case opened for the buyer (cases capability)
    resolution: Mapped[BreachResolution | None] = mapped_column(_enum(BreachResolution))
    resolved_at: Mapped[datetime | None]
    resolution_ledger_seq: Mapped[int | None] = mapped_column(BigInteger)


class BenefitPromise(Base):
    """A red envelope, coupon or price-protection promise, as said in a room or written on
    a listing, with the terms read from its words. It binds every order of its listing
    (or live session) paid after it was made; ``order_id`` narrows it to one order."""

    __tablename__ = "trade_benefit_promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), index=True)
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("trade_orders.id"), index=True)
    kind: Mapped[BenefitKind] = mapped_column(_enum(BenefitKind))
    count: Mapped[int | None]
    min_fen: Mapped[int | None] = mapped_column(Fen)
    max_fen: Mapped[int | None] = mapped_column(Fen)
    working_days: Mapped[int | None]
    calendar_days: Mapped[int | None]
    condition: Mapped[str | None] = mapped_column(String(120))
    protect_days: Mapped[int | None]
    source: Mapped[PromiseSource] = mapped_column(_enum(PromiseSource))
    source_ref: Mapped[str | None] = mapped_column(String(120))
    quote: Mapped[str] = mapped_column(Text)
    said_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class BenefitPayout(Base):
    """Red envelopes or coupons the platform says reached one buyer, and when."""

    __tablename__ = "trade_benefit_payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("trade_benefit_promises.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_orders.id"), index=True)
    count: Mapped[int]
    amount_fen: Mapped[int] = mapped_column(Fen)
    paid_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class BenefitFinding(Base):
    """A benefit promise not kept for one order: once per (promise, order, kind)."""

    __tablename__ = "trade_benefit_findings"
    __table_args__ = (UniqueConstraint("promise_id", "order_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("trade_benefit_promises.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_orders.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    kind: Mapped[BenefitFindingKind] = mapped_column(_enum(BenefitFindingKind))
    finding: Mapped[str] = mapped_column(String(60))  # its id in benefits.yaml
    due_on: Mapped[date | None]
    found_on: Mapped[date]
    owed_fen: Mapped[int] = mapped_column(Fen, default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    found_at: Mapped[datetime]
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int | None]
