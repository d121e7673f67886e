"""Orchestration across packages for trade: the daily promise check flags every promise
broken by a given day, once, records it, and opens a case for the buyer without being
asked (run by ``liveguard trade check-promises`` and by the server's timer).

Flows flush, like services; the request, the command or the timer commits once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from liveguard.cases import flows as cases_flows
from liveguard.credit import flows as credit_flows
from liveguard.trade import breaches
from liveguard.trade import promises as promise_rules
from liveguard.trade import service as trade_service
from liveguard.trade.benefit_flows import check_benefits as check_benefits
from liveguard.trade.benefit_flows import refuse_price_protection as refuse_price_protection
from liveguard.trade.models import DeliveryPromise, Order, PromiseBreach
from liveguard.trade.schemas import BreachRead, CheckReport

CASE_KIND = "delivery_promise_broken"


def check_promises(*, db_session: Session, day: date, now: datetime) -> CheckReport:
    """Flag the promises standing broken on ``day``; running it twice flags nothing twice."""
    orders = breaches.orders_with_promises_due(db_session=db_session, day=day)
    found: list[PromiseBreach] = []
    for order in orders:
        promises = trade_service.promises_of(db_session=db_session, order_id=order.id)
        changes = trade_service.events_of(db_session=db_session, order_id=order.id)
        flagged = breaches.breaches_of_order(db_session=db_session, order_id=order.id)
        for breach in promise_rules.breaches(
            day=day,
            promises=[
                promise_rules.Promise(p.id, p.kind, p.due_on, p.said_at, p.replaces_id)
                for p in promises
            ],
            changes=[promise_rules.StatusChange(c.to_status, c.occurred_at) for c in changes],
            already={b.promise_id for b in flagged},
        ):
            row = breaches.record_breach(db_session=db_session, order=order, breach=breach, now=now)
            promise = next(p for p in promises if p.id == breach.promise_id)
            row.case_id = _open_case(db_session, order, promise, row, now)
            found.append(row)
    # A broken promise counts against the shop's credit the day it is flagged (S4).
    credit_flows.merchants_changed(
        db_session=db_session, found=found, now=now, cause_prefix="breach"
    )
    return CheckReport(
        day=day,
        orders_checked=len(orders),
        breaches=[BreachRead.model_validate(row) for row in found],
    )


def _open_case(
    db_session: Session, order: Order, promise: DeliveryPromise, row: PromiseBreach, now: datetime
) -> int:
    """The buyer's case id: one case per order (a second broken promise joins the same case)."""
    rules = promise_rules.policy()
    summary = rules.finding_for(promise.kind).case_summary.format(
        order_no=order.order_no,
        due_on=promise.due_on,
        breached_on=row.breached_on,
        said=rules.said_quote.format(quote=promise.quote) if promise.quote else "",
    )
    case = cases_flows.open_automatic(
        db_session=db_session,
        kind=CASE_KIND,
        order_id=order.id,
        consumer_id=order.consumer_id,
        summary=summary,
        facts={"defect": "not_delivered", "knew_of_harm_on": row.breached_on},
        now=now,
    )
    return case.id
