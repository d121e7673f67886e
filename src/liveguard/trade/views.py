"""Order routes: the platform's integration writes orders, shops report shipments and
changes of promise, buyers read their own orders; the promise check on demand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, status

from liveguard.bounds import Day, Id
from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.errors import Forbidden
from liveguard.trade import benefit_records, flows, listing_promises, service
from liveguard.trade.models import (
    BenefitFinding,
    BenefitPayout,
    BenefitPromise,
    DeliveryPromise,
    Order,
    PromiseBreach,
)
from liveguard.trade.schemas import (
    BenefitCheckReport,
    BenefitFindingRead,
    BenefitPromiseCreate,
    BenefitPromiseRead,
    BreachRead,
    CheckReport,
    ListingPromiseChange,
    OrderCreate,
    OrderDetail,
    OrderEventRead,
    OrderRead,
    PayoutCreate,
    PayoutRead,
    PriceProtectionRefusal,
    PromiseCreate,
    PromiseRead,
    StatusChange,
)
from liveguard.vocab import PrincipalKind
from liveguard.web.deps import (
    CaseWork,
    Cipher,
    Compliance,
    DbSession,
    Now,
    Signed,
    Today,
    actor,
)
from liveguard.web.permissions import (
    CASE_WORK,
    check_merchant_access,
    check_order_reader,
    check_order_writer,
)

router = APIRouter(tags=["trade"])


# Lookups depend on a signed-in caller, so an anonymous request cannot probe for ids.
def readable_order(order_id: Id, db_session: DbSession, principal: Signed) -> Order:
    order = service.get(db_session=db_session, order_id=order_id)
    check_order_reader(principal, order)
    return order


ReadableOrder = Annotated[Order, Depends(readable_order)]


def detail(db_session: DbSession, order: Order) -> OrderDetail:
    return OrderDetail(
        **OrderRead.model_validate(order).model_dump(),
        events=[
            OrderEventRead.model_validate(e)
            for e in service.events_of(db_session=db_session, order_id=order.id)
        ],
        promises=[
            PromiseRead.model_validate(p)
            for p in service.promises_of(db_session=db_session, order_id=order.id)
        ],
        breaches=[
            BreachRead.model_validate(b)
            for b in service.breaches_of_order(db_session=db_session, order_id=order.id)
        ],
    )


@router.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderDetail)
def create_order(
    order_in: OrderCreate, db_session: DbSession, cipher: Cipher, now: Now, principal: CaseWork
) -> OrderDetail:
    """Record a paid order as the platform reports it, with the promises made when sold."""
    order = service.create(
        db_session=db_session, order_in=order_in, cipher=cipher, now=now, actor=actor(principal)
    )
    return detail(db_session, order)


@router.get("/orders", response_model=list[OrderRead])
def list_orders(
    db_session: DbSession,
    principal: Signed,
    consumer_id: Id | None = None,
    merchant_id: Id | None = None,
    listing_id: Id | None = None,
    batch: str | None = None,
) -> Sequence[Order]:
    """Orders, newest first; a buyer gets only their own, a shop only its own."""
    if principal.kind is PrincipalKind.consumer:
        if consumer_id not in (None, principal.id):
            raise Forbidden("a consumer can see only their own orders")
        consumer_id = principal.id
    elif principal.kind is PrincipalKind.merchant:
        check_merchant_access(principal, merchant_id or principal.id, write=False)
        merchant_id = principal.id
    return service.get_all(
        db_session=db_session,
        consumer_id=consumer_id,
        merchant_id=merchant_id,
        listing_id=listing_id,
        batch=batch,
    )


@router.get("/orders/{order_id}", response_model=OrderDetail)
def read_order(order: ReadableOrder, db_session: DbSession) -> OrderDetail:
    return detail(db_session, order)


@router.post("/orders/{order_id}/status", response_model=OrderDetail)
def change_status(
    change_in: StatusChange,
    order: ReadableOrder,
    db_session: DbSession,
    now: Now,
    principal: Signed,
) -> OrderDetail:
    """Shipped, delivered, cancelled or refunded, with when it happened."""
    check_order_writer(principal, order)
    service.change_status(
        db_session=db_session, order=order, change_in=change_in, now=now, actor=actor(principal)
    )
    return detail(db_session, order)


@router.post(
    "/orders/{order_id}/promises", status_code=status.HTTP_201_CREATED, response_model=PromiseRead
)
def add_promise(
    promise_in: PromiseCreate,
    order: ReadableOrder,
    db_session: DbSession,
    now: Now,
    principal: Signed,
) -> DeliveryPromise:
    """A delivery promise, or a change of one (``replaces_id``, ``reason``)."""
    check_order_writer(principal, order)
    return service.add_promise(
        db_session=db_session, order=order, promise_in=promise_in, now=now, actor=actor(principal)
    )


@router.post(
    "/listings/{listing_id}/promises",
    status_code=status.HTTP_201_CREATED,
    response_model=list[PromiseRead],
)
def move_listing_promise(
    listing_id: Id,
    change_in: ListingPromiseChange,
    db_session: DbSession,
    now: Now,
    principal: Signed,
) -> list[DeliveryPromise]:
    """A new date for every buyer of the listing whose order is still open."""
    listing = catalog_service.get(db_session=db_session, listing_id=listing_id)
    if not (principal.is_staff and principal.role in CASE_WORK):
        check_merchant_access(principal, listing.merchant_id, write=True)
    return listing_promises.move_for_listing(
        db_session=db_session,
        listing_id=listing.id,
        change_in=change_in,
        now=now,
        actor=actor(principal),
    )


@router.get("/merchants/{merchant_id}/breaches", response_model=list[BreachRead])
def merchant_breaches(
    merchant_id: Id, db_session: DbSession, principal: Signed, since: Day | None = None
) -> Sequence[PromiseBreach]:
    """A shop's broken delivery promises, newest first: what counts against its credit.
    ``since``: found on or after that day (China time)."""
    check_merchant_access(principal, merchant_id, write=False)
    start = datetime.combine(since, time(0), CHINA) if since else None
    return service.breaches_of(db_session=db_session, merchant_id=merchant_id, since=start)


@router.post("/trade/check-promises", response_model=CheckReport)
def check_promises(
    db_session: DbSession, now: Now, today: Today, _: Compliance, day: Day | None = None
) -> CheckReport:
    """Run the promise check now (the server also runs it on a timer)."""
    return flows.check_promises(db_session=db_session, day=day or today, now=now)


# --- red envelopes, coupons and price protection (S7) ------------------------------------


@router.post(
    "/trade/benefit-promises",
    status_code=status.HTTP_201_CREATED,
    response_model=BenefitPromiseRead,
)
def create_benefit_promise(
    promise_in: BenefitPromiseCreate, db_session: DbSession, now: Now, principal: CaseWork
) -> BenefitPromise:
    """A red envelope, coupon or price-protection promise as said in a room or written on a
    listing; its terms (count, amounts, working days, protected days) are read from ``quote``."""
    return benefit_records.create_promise(
        db_session=db_session, promise_in=promise_in, now=now, actor=actor(principal)
    )


@router.post(
    "/orders/{order_id}/payouts", status_code=status.HTTP_201_CREATED, response_model=PayoutRead
)
def add_payout(
    principal: CaseWork,
    payout_in: PayoutCreate,
    order: ReadableOrder,
    db_session: DbSession,
    now: Now,
) -> BenefitPayout:
    """Red envelopes or coupons paid to the buyer, as the platform's payout records say."""
    return benefit_records.add_payout(
        db_session=db_session, order=order, payout_in=payout_in, now=now, actor=actor(principal)
    )


@router.post(
    "/orders/{order_id}/price-protection/refusal",
    status_code=status.HTTP_201_CREATED,
    response_model=BenefitFindingRead,
)
def refuse_price_protection(
    refusal_in: PriceProtectionRefusal, order: ReadableOrder, db_session: DbSession, now: Now
) -> BenefitFinding:
    """The shop refused the buyer's price-protection claim (reported by the buyer, the shop
    or staff): flagged and the buyer's case opened owing the difference."""
    return flows.refuse_price_protection(
        db_session=db_session, order=order, refusal_in=refusal_in, now=now
    )


@router.get("/merchants/{merchant_id}/benefit-findings", response_model=list[BenefitFindingRead])
def merchant_benefit_findings(
    merchant_id: Id, db_session: DbSession, principal: Signed
) -> Sequence[BenefitFinding]:
    """A shop's red envelopes, coupons and price protection not kept, newest first."""
    check_merchant_access(principal, merchant_id, write=False)
    return benefit_records.findings_of(db_session=db_session, merchant_id=merchant_id)


@router.post("/trade/check-benefits", response_model=BenefitCheckReport)
def check_benefits(
    db_session: DbSession, now: Now, today: Today, _: Compliance, day: Day | None = None
) -> BenefitCheckReport:
    """Run the red envelope, coupon and price-protection check now (also on the timer)."""
    return flows.check_benefits(db_session=db_session, day=day or today, now=now)
