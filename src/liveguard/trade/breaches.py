"""Broken delivery promises as stored facts: recorded once, settled once, counted per shop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from liveguard.evidence.schemas import RecordKind
from liveguard.trade import promises as promise_rules
from liveguard.trade import records
from liveguard.trade.models import DeliveryPromise, Order, OrderEvent, PromiseBreach, PromiseKind


def breaches_of(
    *, db_session: Session, merchant_id: int, since: datetime | None = None
) -> Sequence[PromiseBreach]:
    """A shop's broken promises, newest first: what a credit score counts against it."""
    query = select(PromiseBreach).where(PromiseBreach.merchant_id == merchant_id)
    if since is not None:
        query = query.where(PromiseBreach.found_at >= since)
    return db_session.scalars(
        query.order_by(PromiseBreach.breached_on.desc(), PromiseBreach.id.desc())
    ).all()


def count_breaches(*, db_session: Session, merchant_id: int, since: datetime | None = None) -> int:
    query = (
        select(func.count())
        .select_from(PromiseBreach)
        .where(PromiseBreach.merchant_id == merchant_id)
    )
    if since is not None:
        query = query.where(PromiseBreach.found_at >= since)
    return int(db_session.scalar(query) or 0)


def breaches_of_order(*, db_session: Session, order_id: int) -> Sequence[PromiseBreach]:
    query = (
        select(PromiseBreach).where(PromiseBreach.order_id == order_id).order_by(PromiseBreach.id)
    )
    return db_session.scalars(query).all()


def orders_with_promises_due(*, db_session: Session, day: date) -> Sequence[Order]:
    """Orders holding a promise that stands broken on ``day`` and is not yet flagged.

    The test of ``promises.breaches`` in SQL (due before the day, not replaced in time,
    not kept or ended in time), so the daily check reads these orders only, not every
    order ever promised; ``promises.breaches`` still decides on each one.
    """
    promise, change = DeliveryPromise, aliased(DeliveryPromise)
    settling = or_(
        *(
            and_(
                promise.kind == kind,
                OrderEvent.to_status.in_(promise_rules.FULFILS[kind] | promise_rules.ENDS),
            )
            for kind in PromiseKind
        )
    )
    kept_or_ended = (
        select(OrderEvent.id)
        .where(OrderEvent.order_id == promise.order_id)
        .where(OrderEvent.occurred_at < promise.holds_until, settling)
        .exists()
    )
    replaced = (
        select(change.id)
        .where(change.replaces_id == promise.id, change.said_at < promise.holds_until)
        .exists()
    )
    flagged = select(PromiseBreach.id).where(PromiseBreach.promise_id == promise.id).exists()
    broken = select(promise.order_id).where(
        promise.due_on < day, ~flagged, ~replaced, ~kept_or_ended
    )
    return db_session.scalars(select(Order).where(Order.id.in_(broken)).order_by(Order.id)).all()


def record_breach(
    *, db_session: Session, order: Order, breach: promise_rules.Breach, now: datetime
) -> PromiseBreach:
    """Store and ledger one breach found by the check; settled at once if already settled."""
    finding = promise_rules.policy().finding_for(breach.kind)
    promise = db_session.get(DeliveryPromise, breach.promise_id)
    row = PromiseBreach(
        promise_id=breach.promise_id,
        order_id=order.id,
        merchant_id=order.merchant_id,
        kind=breach.kind,
        due_on=breach.due_on,
        breached_on=breach.breached_on,
        found_at=now,
        ledger_seq=0,
    )
    records.store_and_ledger(
        db_session,
        row,
        lambda row: records.order_record(
            order,
            promise_rules.end_of(breach.due_on),
            {
                "event": "delivery_promise_broken",
                "finding": finding.id,
                "title": finding.title,
                "breach_id": row.id,
                "promise_id": breach.promise_id,
                "promise_ledger_seq": promise.ledger_seq if promise else None,
                "kind": breach.kind.value,
                "due_on": breach.due_on.isoformat(),
                "breached_on": breach.breached_on.isoformat(),
                "order_status": order.status.value,
                "legal_basis": [b.model_dump(exclude_none=True) for b in finding.legal_basis],
            },
            kind=RecordKind.finding,
        ),
        now,
    )
    # A check that runs late may find an order already shipped late, cancelled or refunded.
    deadline = promise_rules.end_of(breach.due_on)
    events = select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    for event in db_session.scalars(events).all():
        if event.occurred_at >= deadline and settle(
            db_session=db_session, order=order, breach=row, event=event, now=now
        ):
            break
    db_session.flush()
    return row


def settle(
    *, db_session: Session, order: Order, breach: PromiseBreach, event: OrderEvent, now: datetime
) -> bool:
    """Mark a breach settled by a later status change (late shipment, cancellation, refund),
    once, and record it: a cancellation after a breach is part of the record."""
    if breach.resolution is not None:
        return False
    resolution = promise_rules.resolution(breach.kind, event.to_status)
    if resolution is None:
        return False
    breach.resolution = resolution
    breach.resolved_at = event.occurred_at
    breach.resolution_ledger_seq = records.append_one(
        db_session,
        records.order_record(
            order,
            event.occurred_at,
            {
                "event": "delivery_promise_breach_settled",
                "breach_id": breach.id,
                "breach_ledger_seq": breach.ledger_seq,
                "resolution": resolution.value,
                "status_ledger_seq": event.ledger_seq,
                "refund_fen": event.refund_fen,
                "case_stays_open": breach.case_id is not None,
            },
            kind=RecordKind.finding,
        ),
        now,
    )
    db_session.flush()
    return True
