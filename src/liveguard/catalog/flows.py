"""Orchestration around listings that reaches past one service: acting on a failed sample.

Flows flush, like services; the request (or the command) commits once, so a failed result
and everything it sets off land together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from liveguard.catalog import sampling
from liveguard.catalog.models import ListingReview, SampleOutcome, SampleResult
from liveguard.catalog.schemas import SampleCreate


@dataclass
class SampleActed:
    """A recorded result and what was done about it."""

    sample: SampleResult
    pulled: ListingReview | None = None  # the review that took the listing off sale


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

    Done here, by the catalog itself:
      1. the listing is taken off sale at once (status ``pulled``), with the failed items,
         the standard and the legal basis as the reason the merchant and buyers read
         (``sampling.pull_listing``); the price stops being in force;
      2. the pull is its own evidence-ledger item (kind ``listing_decision``, decision
         ``pull``, naming the sample), beside the result's item (kind ``sample_result``);
      3. the listing's public page and the merchant's console show the result.

    For the lead to connect, once the ``trade`` and ``cases`` packages are merged (they are
    not in this branch; nothing here imports them):
      4. buyers of the same batch: ``trade`` finds the orders of ``sample.listing_id``
         whose goods came from ``sample.batch`` (every order of the listing when the batch
         is unknown, or since ``sample.production_date``) and tells each buyer, with the
         ledger item ``sample.ledger_seq`` to cite (add what was done to ``SampleActed``);
      5. a case per order: ``cases_flows.open_automatic(db_session=..., kind=
         "failed_sample", order_id=..., consumer_id=..., summary=<the pull's reason>,
         facts={"sample_id": sample.id, "listing_id": ..., "batch": ...}, now=now)``
         (idempotent per kind and order);
      6. credit: ``catalog_service.failed_samples(db_session=..., since=...)`` lists
         every failed result by listing, merchant and batch, for the merchant's score.
    All of it in this same transaction, so the result is never stored without its effects.
    """
    pulled = sampling.pull_listing(db_session=db_session, sample=sample, now=now, actor=actor)
    return SampleActed(sample=sample, pulled=pulled)
