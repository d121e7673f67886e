"""Orchestration around listings that reaches past one service: acting on a failed sample.

Flows flush, like services; the request (or the command) commits once, so a failed result
and everything it sets off land together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from liveguard.catalog import sampling
from liveguard.catalog import service as catalog_service
from liveguard.catalog.models import ListingReview, SampleOutcome, SampleResult
from liveguard.catalog.schemas import SampleCreate
from liveguard.clock import CHINA

if TYPE_CHECKING:
    from liveguard.cases import service as cases_service

CASE_KIND = "failed_sample"


@dataclass
class SampleActed:
    """A recorded result and what was done about it."""

    sample: SampleResult
    pulled: ListingReview | None = None  # the review that took the listing off sale
    # one case per buyer's order, opened unasked
    cases: list[cases_service.Case] = field(default_factory=list)


def record_sample(
    *, db_session: Session, sample_in: SampleCreate, now: datetime, actor: str
) -> SampleActed:
    """Record a sampling or mystery-shopping result; a failed one is acted on at once."""
    sample = sampling.record(db_session=db_session, sample_in=sample_in, now=now, actor=actor)
    if sample.outcome is not SampleOutcome.failed:
        return SampleActed(sample=sample)
    return act_on_failed_sample(db_session=db_session, sample=sample, now=now, actor=actor)


def act_on_failed_sample(
    *, db_session: Session, sample: SampleResult, now: datetime, actor: str
) -> SampleActed:
    """What a failed sample sets off (seed 001: products bought in live rooms that failed
    national standards must stop selling, and their buyers must be told).

    In this one transaction, so a result is never stored without its effects:
      1. the listing is taken off sale at once (status ``pulled``), with the failed items,
         the standard and the legal basis as the reason the merchant and buyers read
         (``sampling.pull_listing``); the price stops being in force;
      2. the pull is its own evidence-ledger item (kind ``listing_decision``, decision
         ``pull``, naming the sample), beside the result's item (kind ``sample_result``);
      3. every buyer of the batch (of the listing, when the batch is unknown) gets a case
         opened in their name without asking (``cases`` flows, one per order, idempotent):
         that is how they are told, with the sample's ledger item to cite; the case
         carries the quality defect (and, for food, food below its safety standard);
      4. the listing's public page and the merchant's console show the result, and
         ``catalog_service.failed_samples`` lists it for the merchant's credit.
    """
    # Imported here: cases reads listings through the catalog service, so a module-level
    # import would make the two packages import each other.
    from liveguard.cases import flows as cases_flows
    from liveguard.credit import flows as credit_flows
    from liveguard.trade import service as trade_service

    pulled = sampling.pull_listing(db_session=db_session, sample=sample, now=now, actor=actor)
    listing = catalog_service.get(db_session=db_session, listing_id=sample.listing_id)
    orders = trade_service.orders_of_listing(
        db_session=db_session, listing_id=sample.listing_id, batch=sample.batch
    )
    facts: dict[str, object] = {
        "defect": "quality",
        "knew_of_harm_on": now.astimezone(CHINA).date(),
    }
    if listing.category == "food":
        facts["food_below_standard"] = True
    summary = sampling.buyer_case_summary(sample=sample, listing=listing)
    cases = [
        cases_flows.open_automatic(
            db_session=db_session,
            kind=CASE_KIND,
            order_id=order.id,
            consumer_id=order.consumer_id,
            summary=summary,
            facts=facts,
            now=now,
        )
        for order in orders
    ]
    # 5. it counts against the shop's credit at once (credit/flows.py).
    credit_flows.facts_changed(
        db_session=db_session,
        subjects=credit_flows.merchants([sample.merchant_id]),
        now=now,
        cause=f"sample:{sample.id}",
    )
    return SampleActed(sample=sample, pulled=pulled, cases=cases)
