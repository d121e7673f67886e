"""Red envelopes, coupons and price protection as stored facts: the promise with the terms
read from its words, each payout, and each promise found not kept, all in the ledger in
the same transaction as their rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from liveguard import money
from liveguard.catalog import service as catalog_service
from liveguard.errors import InvalidInput, NotFound
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.live import service as live_service
from liveguard.trade import benefits, records
from liveguard.trade.enums import BenefitFindingKind, BenefitKind
from liveguard.trade.models import (
    BenefitFinding,
    BenefitPayout,
    BenefitPromise,
    Order,
    OrderStatus,
)
from liveguard.trade.schemas import BenefitPromiseCreate, PayoutCreate

ENDED = (OrderStatus.cancelled, OrderStatus.refunded)


def create_promise(
    *, db_session: Session, promise_in: BenefitPromiseCreate, now: datetime, actor: str
) -> BenefitPromise:
    """Record a promise; its terms are read from its words, or it is refused as unreadable."""
    if promise_in.said_at > now:
        raise InvalidInput("said_at", "this time is in the future", fix="send when it was said")
    terms = benefits.read(promise_in.quote)
    if terms is None:
        raise InvalidInput(
            "quote",
            "no red envelope, coupon or price protection with a number was found in these words",
            fix="send the words as said, e.g. 40个红包，每个1-5元，10个工作日到账 or 保价30天",
        )
    if promise_in.listing_id is not None:
        listing = catalog_service.get(db_session=db_session, listing_id=promise_in.listing_id)
        if listing.merchant_id != promise_in.merchant_id:
            raise InvalidInput("listing_id", f"listing {listing.id} belongs to another shop")
    if promise_in.live_session_id is not None:
        room = live_service.get(db_session=db_session, session_id=promise_in.live_session_id)
        if room.merchant_id != promise_in.merchant_id:
            raise InvalidInput("live_session_id", f"live session {room.id} sold for another shop")
    if promise_in.order_id is not None:
        order = db_session.get(Order, promise_in.order_id)
        if order is None or order.merchant_id != promise_in.merchant_id:
            raise InvalidInput("order_id", f"shop {promise_in.merchant_id} has no such order")
    if terms.kind is BenefitKind.price_protection and promise_in.listing_id is None:
        raise InvalidInput("listing_id", "price protection is checked against a listing's price")
    promise = BenefitPromise(
        **promise_in.model_dump(
            include={
                "merchant_id",
                "listing_id",
                "live_session_id",
                "order_id",
                "source",
                "source_ref",
                "quote",
                "said_at",
            }
        ),
        kind=terms.kind,
        count=terms.count,
        min_fen=terms.min_fen,
        max_fen=terms.max_fen,
        working_days=terms.working_days,
        calendar_days=terms.calendar_days,
        condition=terms.condition,
        protect_days=terms.protect_days,
        actor=actor,
        recorded_at=now,
        ledger_seq=0,
    )
    records.store_and_ledger(
        db_session,
        promise,
        lambda promise: RecordIn(
            kind=RecordKind.order,
            occurred_at=promise.said_at,
            where={"session_id": promise.live_session_id, "listing_id": promise.listing_id},
            who={"merchant_id": promise.merchant_id},
            data={
                "event": "benefit_promise",
                "promise_id": promise.id,
                "order_id": promise.order_id,
                "recorded_by": actor,
                **{k: v for k, v in as_terms(promise).items() if v is not None},
            },
        ),
        now,
    )
    return promise


def as_terms(promise: BenefitPromise) -> dict[str, Any]:
    return {
        "kind": promise.kind.value,
        "quote": promise.quote,
        "count": promise.count,
        "min_fen": promise.min_fen,
        "max_fen": promise.max_fen,
        "working_days": promise.working_days,
        "calendar_days": promise.calendar_days,
        "condition": promise.condition,
        "protect_days": promise.protect_days,
        "source": promise.source.value,
    }


def terms_of(promise: BenefitPromise) -> benefits.Terms:
    data = as_terms(promise)
    data.pop("source")
    return benefits.Terms(**{**data, "kind": promise.kind})


def get_promise(*, db_session: Session, promise_id: int) -> BenefitPromise:
    promise = db_session.get(BenefitPromise, promise_id)
    if promise is None:
        raise NotFound("benefit promise", promise_id)
    return promise


def promises(
    *, db_session: Session, kinds: Sequence[BenefitKind], merchant_id: int | None = None
) -> Sequence[BenefitPromise]:
    query = select(BenefitPromise).where(BenefitPromise.kind.in_(kinds))
    if merchant_id is not None:
        query = query.where(BenefitPromise.merchant_id == merchant_id)
    return db_session.scalars(query.order_by(BenefitPromise.id)).all()


def bound_orders(*, db_session: Session, promise: BenefitPromise) -> Sequence[Order]:
    """The orders a promise binds: its own order, or every order of its listing or live
    session paid after it was made and not cancelled or refunded."""
    query = select(Order).where(Order.merchant_id == promise.merchant_id)
    if promise.order_id is not None:
        query = query.where(Order.id == promise.order_id)
    else:
        query = query.where(Order.paid_at >= promise.said_at, Order.status.not_in(ENDED))
        if promise.live_session_id is not None:
            query = query.where(Order.live_session_id == promise.live_session_id)
        if promise.listing_id is not None:
            query = query.where(Order.listing_id == promise.listing_id)
    return db_session.scalars(query.order_by(Order.id)).all()


def binds(*, db_session: Session, promise: BenefitPromise, order: Order) -> bool:
    return any(o.id == order.id for o in bound_orders(db_session=db_session, promise=promise))


def add_payout(
    *, db_session: Session, order: Order, payout_in: PayoutCreate, now: datetime, actor: str
) -> BenefitPayout:
    """Record red envelopes or coupons paid to the buyer of ``order`` under a promise."""
    promise = get_promise(db_session=db_session, promise_id=payout_in.promise_id)
    if promise.kind is BenefitKind.price_protection:
        raise InvalidInput("promise_id", "a price-protection refund is a refund on the order")
    if payout_in.paid_at > now:
        raise InvalidInput("paid_at", "this time is in the future", fix="send when it was paid")
    if not binds(db_session=db_session, promise=promise, order=order):
        raise InvalidInput("promise_id", f"promise {promise.id} does not bind order {order.id}")
    payout = BenefitPayout(
        promise_id=promise.id,
        order_id=order.id,
        count=payout_in.count,
        amount_fen=payout_in.amount_fen,
        paid_at=payout_in.paid_at,
        recorded_at=now,
        ledger_seq=0,
    )
    records.store_and_ledger(
        db_session,
        payout,
        lambda payout: records.order_record(
            order,
            payout.paid_at,
            {
                "event": "benefit_paid",
                "promise_id": promise.id,
                "count": payout.count,
                "amount_fen": payout.amount_fen,
                "recorded_by": actor,
            },
        ),
        now,
    )
    return payout


def payouts(*, db_session: Session, promise_id: int, order_id: int) -> Sequence[BenefitPayout]:
    query = (
        select(BenefitPayout)
        .where(BenefitPayout.promise_id == promise_id, BenefitPayout.order_id == order_id)
        .order_by(BenefitPayout.paid_at, BenefitPayout.id)
    )
    return db_session.scalars(query).all()


def finding_exists(
    *, db_session: Session, promise_id: int, order_id: int, kinds: Sequence[BenefitFindingKind]
) -> bool:
    query = select(BenefitFinding.id).where(
        BenefitFinding.promise_id == promise_id,
        BenefitFinding.order_id == order_id,
        BenefitFinding.kind.in_(kinds),
    )
    return db_session.scalar(query) is not None


def record_finding(
    *,
    db_session: Session,
    order: Order,
    promise: BenefitPromise,
    kind: BenefitFindingKind,
    found_on: date,
    due_on: date | None,
    owed_fen: int,
    detail: dict[str, Any],
    now: datetime,
) -> BenefitFinding:
    """Store and ledger one promise found not kept for one order."""
    finding = benefits.policy().finding_for(kind)
    row = BenefitFinding(
        promise_id=promise.id,
        order_id=order.id,
        merchant_id=order.merchant_id,
        kind=kind,
        finding=finding.id,
        due_on=due_on,
        found_on=found_on,
        owed_fen=owed_fen,
        detail=detail,
        found_at=now,
        ledger_seq=0,
    )
    records.store_and_ledger(
        db_session,
        row,
        lambda row: records.order_record(
            order,
            now,
            {
                "event": "benefit_promise_not_kept",
                "finding": finding.id,
                "title": finding.title,
                "benefit_finding_id": row.id,
                "promise_id": promise.id,
                "promise_ledger_seq": promise.ledger_seq,
                "quote": promise.quote,
                "due_on": due_on.isoformat() if due_on else None,
                "found_on": found_on.isoformat(),
                "owed_fen": owed_fen,
                "detail": detail,
                "legal_basis": [b.model_dump(exclude_none=True) for b in finding.legal_basis],
            },
            kind=RecordKind.finding,
        ),
        now,
    )
    return row


def findings_of(
    *, db_session: Session, merchant_id: int | None = None, order_id: int | None = None
) -> Sequence[BenefitFinding]:
    query = select(BenefitFinding)
    if merchant_id is not None:
        query = query.where(BenefitFinding.merchant_id == merchant_id)
    if order_id is not None:
        query = query.where(BenefitFinding.order_id == order_id)
    return db_session.scalars(
        query.order_by(BenefitFinding.found_on.desc(), BenefitFinding.id.desc())
    ).all()


def count_findings(*, db_session: Session, merchant_id: int) -> int:
    query = (
        select(func.count())
        .select_from(BenefitFinding)
        .where(BenefitFinding.merchant_id == merchant_id)
    )
    return int(db_session.scalar(query) or 0)


def count_findings_of_session(*, db_session: Session, session_id: int) -> int:
    """Benefit findings on orders sold through a live session, or on its own promises."""
    query = (
        select(func.count())
        .select_from(BenefitFinding)
        .join(Order, Order.id == BenefitFinding.order_id)
        .join(BenefitPromise, BenefitPromise.id == BenefitFinding.promise_id)
        .where(
            or_(Order.live_session_id == session_id, BenefitPromise.live_session_id == session_id)
        )
    )
    return int(db_session.scalar(query) or 0)


def what(promise: BenefitPromise) -> str:
    """The promise in a few words for a case summary: 40 个红包（每个 1.00元-5.00元）."""
    name = {BenefitKind.red_envelope: "红包", BenefitKind.coupon: "优惠券"}.get(promise.kind, "")
    words = f"{promise.count or ''} 个{name}".strip()
    if promise.min_fen is not None and promise.max_fen is not None:
        low, high = (
            money.yuan(promise.min_fen, suffix="元"),
            money.yuan(promise.max_fen, suffix="元"),
        )
        words += f"（每个 {low}）" if low == high else f"（每个 {low}-{high}）"
    return words
