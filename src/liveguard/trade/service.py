"""Orders, their status changes and delivery promises: stored, checked, in the ledger.

Every order, status change, promise and breach is appended to the evidence ledger in the
same transaction as its row; the recipient's name, phone and address go there only
sealed under the buyer's own key (``consumer:<id>``), so erasing the buyer shreds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.errors import Conflict, InvalidInput, NotFound
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.live import service as live_service
from liveguard.parties import identifiers
from liveguard.parties import service as parties_service
from liveguard.privacy import service as privacy_service
from liveguard.privacy.fields import FieldCipher
from liveguard.trade import benefit_records, benefits, breaches, order_import, records
from liveguard.trade import promises as promise_rules
from liveguard.trade.models import (
    DeliveryPromise,
    Order,
    OrderEvent,
    OrderFact,
    OrderImport,
    OrderStatus,
    PromiseSource,
)
from liveguard.trade.schemas import (
    ChargedPrice,
    ImportRowError,
    OrderCreate,
    OrderFactRead,
    OrderImportReport,
    PromiseCreate,
    StatusChange,
)

# Which status may follow which. A refund may come in parts, so it may follow itself.
NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.paid: frozenset(
        {OrderStatus.shipped, OrderStatus.delivered, OrderStatus.cancelled, OrderStatus.refunded}
    ),
    OrderStatus.shipped: frozenset({OrderStatus.delivered, OrderStatus.refunded}),
    OrderStatus.delivered: frozenset({OrderStatus.refunded}),
    OrderStatus.cancelled: frozenset({OrderStatus.refunded}),
    OrderStatus.refunded: frozenset({OrderStatus.refunded}),
}
CLOSED = frozenset({OrderStatus.cancelled, OrderStatus.refunded})
# What an order keeps as the platform sent it.
ORDER_FIELDS = {
    "order_no",
    "consumer_id",
    "merchant_id",
    "listing_id",
    "live_session_id",
    "quantity",
    "unit_price_fen",
    "amount_paid_fen",
    "paid_at",
    "batch",
}


# --- orders -------------------------------------------------------------------------------


def create(
    *, db_session: Session, order_in: OrderCreate, cipher: FieldCipher, now: datetime, actor: str
) -> Order:
    """Store an order as paid, with any promises made when it was sold."""
    if order_in.paid_at > now:
        raise InvalidInput(
            "paid_at", "the payment time is in the future", fix="send when it was paid"
        )
    parties_service.get_consumer(db_session=db_session, consumer_id=order_in.consumer_id)
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=order_in.merchant_id)
    listing = catalog_service.get(db_session=db_session, listing_id=order_in.listing_id)
    if listing.merchant_id != merchant.id:
        raise InvalidInput("listing_id", f"listing {listing.id} belongs to another shop")
    version = listing.version if order_in.listing_version is None else order_in.listing_version
    if version > listing.version:
        raise InvalidInput(
            "listing_version",
            f"listing {listing.id} has no version {version} yet (latest {listing.version})",
        )
    anchor_id = _seller_anchor(db_session, order_in, merchant.platform_id)
    ceiling = order_in.quantity * order_in.unit_price_fen + listing.shipping_fee_fen
    if order_in.amount_paid_fen > ceiling:
        raise InvalidInput(
            "amount_paid_fen",
            f"{order_in.amount_paid_fen} fen is more than quantity × price + shipping, {ceiling}",
            fix="send what the buyer actually paid, in fen",
        )
    if db_session.scalar(
        select(Order.id).where(
            Order.merchant_id == merchant.id, Order.order_no == order_in.order_no
        )
    ):
        raise Conflict(
            f"shop {merchant.id} already has order {order_in.order_no}", field_name="order_no"
        )
    recipient = order_in.recipient
    sealed, masked = _sealed_recipient(order_in, cipher)
    order = Order(
        **order_in.model_dump(include=ORDER_FIELDS),
        listing_version=version,
        anchor_id=anchor_id,
        status=OrderStatus.paid,
        recipient_enc=sealed,
        recipient_masked=masked,
        created_at=now,
        updated_at=now,
        ledger_seq=0,
    )
    records.store_and_ledger(
        db_session,
        order,
        lambda order: records.order_record(
            order,
            order.paid_at,
            {
                "event": "order_paid",
                "platform_id": merchant.platform_id,
                "listing_version": order.listing_version,
                "quantity": order.quantity,
                "unit_price_fen": order.unit_price_fen,
                "amount_paid_fen": order.amount_paid_fen,
                "batch": order.batch,
                "recorded_by": actor,
            },
            subject=records.subject_of(order.consumer_id) if recipient else None,
            personal={"recipient": recipient.model_dump()} if recipient else None,
        ),
        now,
    )
    for promise_in in order_in.promises:
        add_promise(db_session=db_session, order=order, promise_in=promise_in, now=now, actor=actor)
    db_session.flush()
    return order


def _sealed_recipient(order_in: OrderCreate, cipher: FieldCipher) -> tuple[str | None, str | None]:
    """The recipient encrypted for storage, and masked for display."""
    recipient = order_in.recipient
    if recipient is None:
        return None, None
    masked = f"{identifiers.mask_name(recipient.name)} {identifiers.mask_phone(recipient.phone)}"
    return cipher.encrypt(recipient.model_dump_json(), context="order.recipient"), masked


def _seller_anchor(db_session: Session, order_in: OrderCreate, platform_id: int) -> int | None:
    """The anchor who sold it: as sent, or the live session's own."""
    anchor_id = order_in.anchor_id
    if order_in.live_session_id is not None:
        live = live_service.get(db_session=db_session, session_id=order_in.live_session_id)
        if live.merchant_id != order_in.merchant_id:
            raise InvalidInput("live_session_id", f"live session {live.id} sold for another shop")
        if order_in.paid_at < live.started_at:
            raise InvalidInput("paid_at", f"paid before live session {live.id} began")
        anchor_id = anchor_id if anchor_id is not None else live.anchor_id
    if anchor_id is not None:
        anchor = parties_service.get_anchor(db_session=db_session, anchor_id=anchor_id)
        if anchor.platform_id != platform_id:
            raise InvalidInput("anchor_id", "the anchor is registered on another platform")
    return anchor_id


def get(*, db_session: Session, order_id: int) -> Order:
    order = db_session.get(Order, order_id)
    if order is None:
        raise NotFound("order", order_id)
    return order


def get_order(*, db_session: Session, order_id: int) -> Order:
    """The same as ``get``: the name the cases capability calls."""
    return get(db_session=db_session, order_id=order_id)


def find_order(*, db_session: Session, merchant_id: int, order_no: str) -> Order | None:
    """A shop's order by the number its order page shows (numbers are unique per shop)."""
    return db_session.scalar(
        select(Order).where(Order.merchant_id == merchant_id, Order.order_no == order_no.strip())
    )


def get_all(
    *,
    db_session: Session,
    consumer_id: int | None = None,
    merchant_id: int | None = None,
    listing_id: int | None = None,
    batch: str | None = None,
    limit: int | None = 200,
) -> Sequence[Order]:
    """Orders, newest payment first, narrowed by any of buyer, shop, listing and batch;
    ``limit=None`` for all of them."""
    query = select(Order).order_by(Order.paid_at.desc(), Order.id.desc()).limit(limit)
    for column, value in (
        (Order.consumer_id, consumer_id),
        (Order.merchant_id, merchant_id),
        (Order.listing_id, listing_id),
        (Order.batch, batch),
    ):
        if value is not None:
            query = query.where(column == value)
    return db_session.scalars(query).all()


def orders_of_consumer(*, db_session: Session, consumer_id: int) -> Sequence[Order]:
    return get_all(db_session=db_session, consumer_id=consumer_id, limit=None)


def orders_of_listing(
    *, db_session: Session, listing_id: int, batch: str | None = None
) -> Sequence[Order]:
    return get_all(db_session=db_session, listing_id=listing_id, batch=batch, limit=None)


def orders_of_batch(*, db_session: Session, listing_id: int, batch: str) -> Sequence[Order]:
    """Every buyer of one production batch, e.g. to tell them of a failed sample."""
    return orders_of_listing(db_session=db_session, listing_id=listing_id, batch=batch)


def prices_charged(
    *, db_session: Session, listing_id: int, since: datetime, until: datetime
) -> list[ChargedPrice]:
    """What buyers actually paid for a listing, paid in [since, until), oldest first."""
    query = (
        select(Order)
        .where(Order.listing_id == listing_id, Order.paid_at >= since, Order.paid_at < until)
        .order_by(Order.paid_at, Order.id)
    )
    return [
        ChargedPrice(
            order_id=o.id,
            paid_at=o.paid_at,
            quantity=o.quantity,
            unit_price_fen=o.unit_price_fen,
            amount_paid_fen=o.amount_paid_fen,
        )
        for o in db_session.scalars(query)
    ]


# --- status changes -----------------------------------------------------------------------


def events_of(*, db_session: Session, order_id: int) -> Sequence[OrderEvent]:
    query = select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
    return db_session.scalars(query).all()


def change_status(
    *, db_session: Session, order: Order, change_in: StatusChange, now: datetime, actor: str
) -> OrderEvent:
    """Ship, deliver, cancel or refund; a breach it settles is marked and recorded."""
    if change_in.status not in NEXT[order.status]:
        allowed = ", ".join(sorted(s.value for s in NEXT[order.status])) or "nothing"
        raise Conflict(
            f"order {order.id} is {order.status.value}; it can become {allowed}",
            field_name="status",
        )
    if change_in.occurred_at > now:
        raise InvalidInput("occurred_at", "this time is in the future", fix="send when it happened")
    events = events_of(db_session=db_session, order_id=order.id)
    earliest = events[-1].occurred_at if events else order.paid_at
    if change_in.occurred_at < earliest:
        raise InvalidInput(
            "occurred_at",
            f"before the order's last change ({earliest.isoformat()})",
            fix="send status changes in the order they happened",
        )
    if change_in.refund_fen is not None:
        refunded = sum(e.refund_fen or 0 for e in events)
        if refunded + change_in.refund_fen > order.amount_paid_fen:
            raise InvalidInput(
                "refund_fen",
                f"refunds would total {refunded + change_in.refund_fen} fen, "
                f"more than the {order.amount_paid_fen} fen paid",
            )
    if change_in.reason:  # a refund's reason may repeat the buyer's number: kept masked
        change_in = change_in.model_copy(
            update={"reason": privacy_service.mask_text(change_in.reason)}
        )
    event = OrderEvent(
        order_id=order.id,
        from_status=order.status,
        recorded_at=now,
        actor=actor,
        ledger_seq=0,
        **change_in.model_dump(
            include={"occurred_at", "carrier", "tracking_no", "refund_fen", "reason"}
        ),
        to_status=change_in.status,
    )
    event.ledger_seq = records.append_one(
        db_session,
        records.order_record(
            order,
            change_in.occurred_at,
            {
                "event": f"order_{change_in.status.value}",
                "from_status": order.status.value,
                "to_status": change_in.status.value,
                **change_in.model_dump(
                    mode="json", include={"carrier", "tracking_no", "refund_fen", "reason"}
                ),
                "recorded_by": actor,
            },
        ),
        now,
    )
    order.status = change_in.status
    order.updated_at = now
    db_session.add(event)
    db_session.flush()
    for breach in breaches.breaches_of_order(db_session=db_session, order_id=order.id):
        breaches.settle(db_session=db_session, order=order, breach=breach, event=event, now=now)
    return event


# --- promises -----------------------------------------------------------------------------


def promises_of(*, db_session: Session, order_id: int) -> Sequence[DeliveryPromise]:
    query = (
        select(DeliveryPromise)
        .where(DeliveryPromise.order_id == order_id)
        .order_by(DeliveryPromise.said_at, DeliveryPromise.id)
    )
    return db_session.scalars(query).all()


def add_promise(
    *, db_session: Session, order: Order, promise_in: PromiseCreate, now: datetime, actor: str
) -> DeliveryPromise:
    """Record a delivery promise, or a change of one as a new promise replacing it."""
    if order.status in CLOSED:
        raise Conflict(f"order {order.id} is {order.status.value}: nothing is left to promise")
    if promise_in.said_at > now:
        raise InvalidInput("said_at", "this time is in the future", fix="send when it was said")
    if promise_in.due_on < promise_in.said_at.astimezone(CHINA).date():
        raise InvalidInput("due_on", "the date had already passed when the promise was made")
    if promise_in.replaces_id is not None:
        _check_replaceable(db_session, order, promise_in)
    source_ref = promise_in.source_ref
    if source_ref is None and promise_in.source is PromiseSource.listing:
        source_ref = f"listing_version:{order.listing_version}"
    promise = DeliveryPromise(
        order_id=order.id,
        **promise_in.model_dump(
            include={"kind", "due_on", "source", "quote", "said_at", "replaces_id", "reason"}
        ),
        source_ref=source_ref,
        holds_until=promise_rules.end_of(promise_in.due_on),
        actor=actor,
        recorded_at=now,
        ledger_seq=0,
    )
    records.store_and_ledger(
        db_session,
        promise,
        lambda promise: records.order_record(
            order,
            promise.said_at,
            {
                "event": "delivery_promise_changed" if promise.replaces_id else "delivery_promise",
                "promise_id": promise.id,
                "kind": promise.kind.value,
                "due_on": promise.due_on.isoformat(),
                "source": promise.source.value,
                "source_ref": promise.source_ref,
                "quote": promise.quote,
                "replaces_id": promise.replaces_id,
                "reason": promise.reason,
                "recorded_by": actor,
            },
        ),
        now,
    )
    return promise


def _check_replaceable(db_session: Session, order: Order, promise_in: PromiseCreate) -> None:
    old = db_session.get(DeliveryPromise, promise_in.replaces_id)
    if old is None or old.order_id != order.id:
        raise InvalidInput(
            "replaces_id", f"order {order.id} has no promise {promise_in.replaces_id}"
        )
    if old.kind is not promise_in.kind:
        raise InvalidInput(
            "kind", f"promise {old.id} is a {old.kind.value} promise; a change keeps its kind"
        )
    if promise_in.said_at < old.said_at:
        raise InvalidInput("said_at", f"before promise {old.id} itself was made")
    replaced = db_session.scalar(
        select(DeliveryPromise.id).where(DeliveryPromise.replaces_id == old.id)
    )
    if replaced is not None:
        raise Conflict(
            f"promise {old.id} was already changed by promise {replaced}",
            field_name="replaces_id",
            fix=f"change the promise in force, {replaced}",
        )


# --- breaches, for other capabilities (a shop's credit, a buyer's case) -------------------

breaches_of = breaches.breaches_of
count_breaches = breaches.count_breaches
breaches_of_order = breaches.breaches_of_order


# --- red envelopes, coupons and price protection not kept (S7) ----------------------------

benefit_findings_of = benefit_records.findings_of
count_benefit_findings = benefit_records.count_findings
count_benefit_findings_of_session = benefit_records.count_findings_of_session


def benefit_finding_titles() -> dict[str, str]:
    """Each benefit finding's id and its plain-Chinese title, for pages."""
    return {f.id: f.title for f in benefits.policy().findings}


# --- bulk orders: imported from the platform's exports, read by the integrity detectors ---


def import_orders(
    *,
    db_session: Session,
    path: Path,
    file_name: str,
    file_format: str,
    cipher: FieldCipher,
    now: datetime,
    actor: str,
) -> OrderImportReport:
    """Store every valid row of an order file (streamed), report every refused one by line,
    and put the file in the ledger once: its SHA-256 and what came of it."""
    fmt = order_import.file_format(file_name, file_format or None)
    digest = order_import.sha256_of(path)
    batch = OrderImport(
        file_name=file_name[:200],
        file_format=fmt,
        sha256=digest,
        rows_read=0,
        rows_stored=0,
        rows_refused=0,
        imported_at=now,
        actor=actor,
    )
    db_session.add(batch)
    db_session.flush()
    tally = order_import.store(
        db_session=db_session,
        path=path,
        fmt=fmt,
        cipher=cipher,
        merchants=parties_service.merchant_ids(db_session=db_session),
        batch=batch,
    )
    if tally.rows_read == 0:
        raise InvalidInput("file", "the file has no rows", "send at least one order")
    batch.rows_read, batch.rows_stored = tally.rows_read, tally.rows_stored
    batch.rows_refused = tally.rows_refused
    batch.ledger_seq = records.append_one(
        db_session,
        RecordIn(
            kind=RecordKind.order,
            occurred_at=now,
            data={
                "event": "orders_imported",
                "import_id": batch.id,
                "file_name": batch.file_name,
                "file_format": fmt,
                "rows_read": tally.rows_read,
                "rows_stored": tally.rows_stored,
                "rows_refused": tally.rows_refused,
                "recorded_by": actor,
            },
            blobs={"orders": digest},
        ),
        now,
    )
    db_session.flush()
    return OrderImportReport(
        import_id=batch.id,
        file_format=fmt,
        sha256=digest,
        rows_read=tally.rows_read,
        rows_stored=tally.rows_stored,
        rows_refused=tally.rows_refused,
        errors=[ImportRowError(line=n, field=f, message=m) for n, f, m in tally.errors],
        ledger_seq=batch.ledger_seq,
    )


def order_columns(
    *,
    db_session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, list[Any]]:
    """Every order paid in [since, until) as columns, for a columnar engine: ``order_no``,
    ``shop`` (merchant id), ``buyer`` (the platform's account, or ``consumer:<id>`` for an
    order reported one by one), ``paid_at`` and ``amount_fen``; imported and reported alike."""
    columns: dict[str, list[Any]] = {k: [] for k in ORDER_COLUMNS}
    facts = select(
        OrderFact.order_no,
        OrderFact.merchant_id,
        OrderFact.buyer,
        OrderFact.paid_at,
        OrderFact.amount_fen,
    )
    reported = select(
        Order.order_no,
        Order.merchant_id,
        Order.consumer_id,
        Order.paid_at,
        Order.amount_paid_fen,
    )
    for query, paid_at in ((facts, OrderFact.paid_at), (reported, Order.paid_at)):
        if since is not None:
            query = query.where(paid_at >= since)
        if until is not None:
            query = query.where(paid_at < until)
        for row in db_session.execute(query.execution_options(yield_per=50_000)):
            order_no, shop, buyer, paid, amount = row
            columns["order_no"].append(order_no)
            columns["shop"].append(shop)
            columns["buyer"].append(buyer if isinstance(buyer, str) else f"consumer:{buyer}")
            columns["paid_at"].append(paid)
            columns["amount_fen"].append(amount)
    return columns


ORDER_COLUMNS = ("order_no", "shop", "buyer", "paid_at", "amount_fen")


def order_facts(
    *, db_session: Session, merchant_id: int, order_nos: Sequence[str]
) -> list[OrderFactRead]:
    """A shop's imported orders by number, oldest first: the evidence behind a finding."""
    query = (
        select(OrderFact)
        .where(OrderFact.merchant_id == merchant_id, OrderFact.order_no.in_(list(order_nos)))
        .order_by(OrderFact.paid_at, OrderFact.id)
    )
    return [OrderFactRead.model_validate(o) for o in db_session.scalars(query)]


def imports(*, db_session: Session, limit: int = 50) -> Sequence[OrderImport]:
    """The latest bulk imports, newest first."""
    return db_session.scalars(
        select(OrderImport).order_by(OrderImport.id.desc()).limit(limit)
    ).all()
