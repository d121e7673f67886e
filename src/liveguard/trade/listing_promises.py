"""A shop moving a date for every buyer of a listing at once ("all pre-sale orders now
ship by 30 May"): one change of promise per open order, each in the ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from liveguard.trade import promises as promise_rules
from liveguard.trade import service
from liveguard.trade.models import DeliveryPromise
from liveguard.trade.schemas import ListingPromiseChange, PromiseCreate


def move_for_listing(
    *,
    db_session: Session,
    listing_id: int,
    change_in: ListingPromiseChange,
    now: datetime,
    actor: str,
) -> list[DeliveryPromise]:
    """Give every order of the listing paid by then, and not yet shipped (or delivered,
    for a delivery promise), the new date: replacing the promise in force, if any."""
    settled = promise_rules.FULFILS[change_in.kind] | promise_rules.ENDS
    made = []
    for order in reversed(service.orders_of_listing(db_session=db_session, listing_id=listing_id)):
        if order.status in settled or order.paid_at > change_in.said_at:
            continue
        same_kind = [
            p
            for p in service.promises_of(db_session=db_session, order_id=order.id)
            if p.kind is change_in.kind
        ]
        replaced = {p.replaces_id for p in same_kind}
        in_force = [p for p in same_kind if p.id not in replaced]
        made.append(
            service.add_promise(
                db_session=db_session,
                order=order,
                now=now,
                actor=actor,
                promise_in=PromiseCreate(
                    **change_in.model_dump(),
                    replaces_id=in_force[-1].id if in_force else None,
                ),
            )
        )
    return made
