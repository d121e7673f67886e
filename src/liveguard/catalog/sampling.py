"""Sampling and mystery-shopping results: an item bought from a live room, tested against
a standard, recorded in the ledger; a failed one takes its listing off sale at once.

What a failed result does, and the law it rests on, is data (``data/sampling.yaml``).
Services flush; callers commit. ``flows.act_on_failed_sample`` is the one place that
acts on a failed result, so other capabilities can join in there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard import refusals
from liveguard.catalog import review_rules, service
from liveguard.catalog.models import (
    Listing,
    ListingReview,
    ReviewerKind,
    SampleKind,
    SampleOutcome,
    SampleResult,
)
from liveguard.catalog.schemas import SampleCreate
from liveguard.clock import CHINA
from liveguard.errors import NotFound
from liveguard.evidence.schemas import RecordKind
from liveguard.legal import LegalBasis
from liveguard.live import service as live_service

SAMPLING_FILE = "sampling.yaml"


class SamplingRules(BaseModel):
    """``data/sampling.yaml``: the problem a failed result puts on its listing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str
    severity: str
    kinds: dict[SampleKind, str]
    item_separator: str
    message: str
    failed_item: str
    batch_text: str
    buyer_case: str
    legal_basis: list[LegalBasis] = Field(min_length=1)
    category_legal_basis: dict[str, list[LegalBasis]] = Field(default_factory=dict)


@cache
def sampling_rules() -> SamplingRules:
    return review_rules.parse(review_rules.data_text(SAMPLING_FILE), SAMPLING_FILE, SamplingRules)


def record(
    *, db_session: Session, sample_in: SampleCreate, now: datetime, actor: str
) -> SampleResult:
    """Store a result and append it to the ledger. It does not act: see ``flows``."""
    listing = service.get(db_session=db_session, listing_id=sample_in.listing_id)
    if sample_in.bought_at > now:
        raise refusals.invalid("catalog", "bought_at", "bought_in_future")
    if sample_in.live_session_id is not None:
        try:
            live = live_service.get(db_session=db_session, session_id=sample_in.live_session_id)
        except NotFound:
            raise refusals.invalid("catalog", "live_session_id", "no_such_room") from None
        if live.merchant_id != listing.merchant_id:
            raise refusals.invalid("catalog", "live_session_id", "room_of_other_shop")
    fields = sample_in.model_dump(mode="json")
    # The ledger item first: the stored row names it (as a listing version does).
    where = {"session_id": sample_in.live_session_id} if sample_in.live_session_id else {}
    ledger_seq = service.record(
        db_session=db_session,
        listing=listing,
        kind=RecordKind.sample_result,
        now=now,
        who={"recorded_by": actor, "bought_by": sample_in.bought_by},
        where=where,
        data=fields,
    )
    sample = SampleResult(
        **{**sample_in.model_dump(), "failed_items": fields["failed_items"]},
        merchant_id=listing.merchant_id,
        version=listing.version,
        recorded_by=actor,
        recorded_at=now,
        ledger_seq=ledger_seq,
    )
    db_session.add(sample)
    db_session.flush()
    return sample


def _slots(sample: SampleResult) -> dict[str, str]:
    """What the messages say of a result: batch, tester, standard, the failed items."""
    rules = sampling_rules()
    return {
        "batch_text": rules.batch_text.format(batch=sample.batch) if sample.batch else "",
        "tested_by": sample.tested_by,
        "standard": sample.standard,
        "failed": rules.item_separator.join(
            rules.failed_item.format(**item) for item in sample.failed_items
        ),
    }


def buyer_case_summary(*, sample: SampleResult, listing: Listing) -> str:
    """The summary of the case a buyer of the batch gets, citing the result's ledger item."""
    return sampling_rules().buyer_case.format(
        title=listing.title, ledger_seq=sample.ledger_seq, **_slots(sample)
    )


def reason_problem(*, sample: SampleResult, listing: Listing) -> dict[str, Any]:
    """The problem a failed result puts on its listing, as a review stores it."""
    rules = sampling_rules()
    message = rules.message.format(
        kind_name=rules.kinds[sample.kind],
        bought_on=sample.bought_at.astimezone(CHINA).date().isoformat(),
        **_slots(sample),
    )
    bases = [*rules.legal_basis, *rules.category_legal_basis.get(listing.category, [])]
    return {
        "check": rules.check,
        "severity": rules.severity,
        "message": message,
        "field": None,
        "legal_basis": [b.model_dump(exclude_none=True) for b in bases],
        "evidence": {
            "sample_id": sample.id,
            "standard": sample.standard,
            "batch": sample.batch,
            "failed_items": sample.failed_items,
            "sample_ledger_seq": sample.ledger_seq,
        },
    }


def pull_listing(
    *, db_session: Session, sample: SampleResult, now: datetime, actor: str
) -> ListingReview:
    """Take the sampled listing off sale at once, with the failed result as the reason
    (``service.pull``)."""
    if sample.outcome is not SampleOutcome.failed:
        raise refusals.invalid("catalog", "outcome", "sample_passed")
    listing = service.get(db_session=db_session, listing_id=sample.listing_id)
    problem = reason_problem(sample=sample, listing=listing)
    return service.pull(
        db_session=db_session,
        listing=listing,
        reviewer_kind=ReviewerKind.sampling,
        actor=actor,
        reason=problem["message"],
        now=now,
        problems=[problem],
        data={"sample_id": sample.id},
    )


def get(*, db_session: Session, sample_id: int) -> SampleResult:
    sample = db_session.get(SampleResult, sample_id)
    if sample is None:
        raise NotFound("sample result", sample_id)
    return sample


def get_all(
    *,
    db_session: Session,
    listing_id: int | None = None,
    merchant_id: int | None = None,
    limit: int = 200,
) -> Sequence[SampleResult]:
    """Results, newest first."""
    query = select(SampleResult).order_by(SampleResult.recorded_at.desc(), SampleResult.id.desc())
    if listing_id is not None:
        query = query.where(SampleResult.listing_id == listing_id)
    if merchant_id is not None:
        query = query.where(SampleResult.merchant_id == merchant_id)
    return db_session.scalars(query.limit(limit)).all()
