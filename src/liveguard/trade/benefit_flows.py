"""Orchestration for red envelopes, coupons and price protection (S7): the daily check
flags every payout promise broken by a day and every price cut inside a price-protection
term, once, records each in the ledger, and opens the buyer's case as a broken delivery
promise does (S4); a shop's refusal of a price-protection claim opens one too, with the
refund owed as a fact the liability engine answers.

Flows flush, like services; the request, the command or the timer commits once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from liveguard import money
from liveguard.cases import flows as cases_flows
from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.credit import flows as credit_flows
from liveguard.errors import Conflict, InvalidInput
from liveguard.liability import service as liability_service
from liveguard.trade import benefit_harvest, benefit_records, benefits
from liveguard.trade.enums import BenefitFindingKind, BenefitKind
from liveguard.trade.models import BenefitFinding, BenefitPromise, Order
from liveguard.trade.schemas import (
    BenefitCheckReport,
    BenefitFindingRead,
    PriceProtectionRefusal,
)

# The daily check reads the rooms and listings of orders paid in this many days for
# promises nobody filed (benefit_harvest): longer than any payout or protection term.
HARVEST_DAYS = 60
PAYOUT_KINDS = (BenefitKind.red_envelope, BenefitKind.coupon)
PAYOUT_FINDINGS = (
    BenefitFindingKind.payout_missing,
    BenefitFindingKind.payout_short,
    BenefitFindingKind.payout_late,
)


def _working_days(start: date, n: int) -> date:
    return liability_service.add_working_days(start=start, working_days=n)[0]


def _yuan(fen: int) -> str:
    return money.yuan(fen, suffix="元")


def check_benefits(*, db_session: Session, day: date, now: datetime) -> BenefitCheckReport:
    """Flag the payout promises standing broken on ``day`` and the price cuts owing a
    refund; running it twice flags nothing twice."""
    benefit_harvest.harvest(
        db_session=db_session, since=now - timedelta(days=HARVEST_DAYS), now=now
    )
    found: list[BenefitFinding] = []
    checked: set[int] = set()
    for promise in benefit_records.promises(db_session=db_session, kinds=PAYOUT_KINDS):
        for order in benefit_records.bound_orders(db_session=db_session, promise=promise):
            checked.add(order.id)
            row = _check_payout(db_session, promise, order, day, now)
            if row is not None:
                found.append(row)
    price_kinds = (BenefitKind.price_protection,)
    for promise in benefit_records.promises(db_session=db_session, kinds=price_kinds):
        for order in benefit_records.bound_orders(db_session=db_session, promise=promise):
            checked.add(order.id)
            row = _check_price(db_session, promise, order, now)
            if row is not None:
                found.append(row)
    # A red envelope not paid or a price protection not honoured counts against the
    # shop's credit the day it is found (S7, credit/flows.py).
    credit_flows.merchants_changed(
        db_session=db_session, found=found, now=now, cause_prefix="benefit_finding"
    )
    return BenefitCheckReport(
        day=day,
        orders_checked=len(checked),
        findings=[BenefitFindingRead.model_validate(row) for row in found],
    )


def _check_payout(
    db_session: Session, promise: BenefitPromise, order: Order, day: date, now: datetime
) -> BenefitFinding | None:
    if benefit_records.finding_exists(
        db_session=db_session, promise_id=promise.id, order_id=order.id, kinds=PAYOUT_FINDINGS
    ):
        return None
    paid = benefit_records.payouts(db_session=db_session, promise_id=promise.id, order_id=order.id)
    verdict = benefits.check_payout(
        terms=benefit_records.terms_of(promise),
        paid_on=order.paid_at.astimezone(CHINA).date(),
        payouts=[benefits.Payout(p.paid_at, p.count, p.amount_fen) for p in paid],
        day=day,
        add_working_days=_working_days,
    )
    if verdict is None:
        return None
    detail = {
        "paid_count": verdict.paid_count,
        "paid_fen": verdict.paid_fen,
        "payout_ledger_seqs": [p.ledger_seq for p in paid],
    }
    row = benefit_records.record_finding(
        db_session=db_session,
        order=order,
        promise=promise,
        kind=verdict.kind,
        found_on=verdict.found_on,
        due_on=verdict.due_on,
        owed_fen=verdict.owed_fen,
        detail=detail,
        now=now,
    )
    if verdict.kind is not BenefitFindingKind.payout_late:
        summary = _summary(
            verdict.kind,
            order,
            promise,
            due_on=verdict.due_on,
            found_on=verdict.found_on,
            paid_count=verdict.paid_count,
            paid=_yuan(verdict.paid_fen),
        )
        row.case_id = _open_case(db_session, row, order, summary, {}, now)
    return row


def _check_price(
    db_session: Session, promise: BenefitPromise, order: Order, now: datetime
) -> BenefitFinding | None:
    owed = _price_owed(db_session, promise, order)
    if owed is None or benefit_records.finding_exists(
        db_session=db_session,
        promise_id=promise.id,
        order_id=order.id,
        kinds=(BenefitFindingKind.price_protection_owed,),
    ):
        return None
    return benefit_records.record_finding(
        db_session=db_session,
        order=order,
        promise=promise,
        kind=BenefitFindingKind.price_protection_owed,
        found_on=owed.cut_at.astimezone(CHINA).date(),
        due_on=None,
        owed_fen=owed.owed_fen,
        detail=_price_detail(order, owed),
        now=now,
    )


def _price_owed(
    db_session: Session, promise: BenefitPromise, order: Order
) -> benefits.PriceCut | None:
    if promise.listing_id is None or promise.protect_days is None:
        return None
    return benefits.price_protection_owed(
        unit_price_fen=order.unit_price_fen,
        quantity=order.quantity,
        paid_at=order.paid_at,
        protect_days=promise.protect_days,
        prices=catalog_service.price_history(db_session=db_session, listing_id=promise.listing_id),
    )


def _price_detail(order: Order, owed: benefits.PriceCut) -> dict[str, Any]:
    return {
        "unit_price_fen": order.unit_price_fen,
        "quantity": order.quantity,
        "new_unit_fen": owed.new_unit_fen,
        "cut_at": owed.cut_at.isoformat(),
        "arithmetic": f"({order.unit_price_fen}-{owed.new_unit_fen})×{order.quantity}"
        f"={owed.owed_fen}",
    }


def refuse_price_protection(
    *,
    db_session: Session,
    order: Order,
    refusal_in: PriceProtectionRefusal,
    now: datetime,
) -> BenefitFinding:
    """The shop refused a price-protection claim the price history shows is owed: flagged,
    in the ledger, and the buyer's case opened owing the difference."""
    promise = benefit_records.get_promise(db_session=db_session, promise_id=refusal_in.promise_id)
    if promise.kind is not BenefitKind.price_protection:
        raise InvalidInput("promise_id", f"promise {promise.id} is not a price-protection promise")
    if not benefit_records.binds(db_session=db_session, promise=promise, order=order):
        raise InvalidInput("promise_id", f"promise {promise.id} does not bind order {order.id}")
    if benefit_records.finding_exists(
        db_session=db_session,
        promise_id=promise.id,
        order_id=order.id,
        kinds=(BenefitFindingKind.price_protection_refused,),
    ):
        raise Conflict(f"the refusal on order {order.id} is already recorded")
    owed = _price_owed(db_session, promise, order)
    if owed is None:
        raise InvalidInput(
            "promise_id",
            "the listing's price did not fall below what was paid within the protected days",
            fix="nothing is owed under this promise; check the price history",
        )
    detail = {**_price_detail(order, owed), "refusal_reason": refusal_in.reason}
    row = benefit_records.record_finding(
        db_session=db_session,
        order=order,
        promise=promise,
        kind=BenefitFindingKind.price_protection_refused,
        found_on=refusal_in.said_at.astimezone(CHINA).date(),
        due_on=None,
        owed_fen=owed.owed_fen,
        detail=detail,
        now=now,
    )
    summary = _summary(BenefitFindingKind.price_protection_refused, order, promise, owed=owed)
    facts = {
        "price_protection_owed_fen": owed.owed_fen,
        "knew_of_harm_on": refusal_in.said_at.astimezone(CHINA).date(),
    }
    row.case_id = _open_case(db_session, row, order, summary, facts, now)
    db_session.flush()
    credit_flows.facts_changed(
        db_session=db_session,
        subjects=credit_flows.merchants([row.merchant_id]),
        now=now,
        cause=f"benefit_finding:{row.id}",
    )
    return row


def _summary(
    kind: BenefitFindingKind,
    order: Order,
    promise: BenefitPromise,
    owed: benefits.PriceCut | None = None,
    **values: Any,
) -> str:
    said = f"“{promise.quote}”"
    if owed is not None:
        values.update(
            paid_on=order.paid_at.astimezone(CHINA).date(),
            unit=_yuan(order.unit_price_fen),
            cut_on=owed.cut_at.astimezone(CHINA).date(),
            new_unit=_yuan(owed.new_unit_fen),
            owed=_yuan(owed.owed_fen),
        )
    finding = benefits.policy().finding_for(kind)
    return finding.case_summary.format(
        order_no=order.order_no, said=said, what=benefit_records.what(promise), **values
    )


def _open_case(
    db_session: Session,
    row: BenefitFinding,
    order: Order,
    summary: str,
    facts: dict[str, Any],
    now: datetime,
) -> int:
    """The buyer's case id: one per (finding kind, order), opened as S4 opens its cases."""
    case = cases_flows.open_automatic(
        db_session=db_session,
        kind=f"benefit_{row.kind.value}",
        order_id=order.id,
        consumer_id=order.consumer_id,
        summary=summary,
        facts={"knew_of_harm_on": row.found_on, **facts},
        now=now,
    )
    return case.id
