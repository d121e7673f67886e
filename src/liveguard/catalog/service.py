"""Listings: create, change, review decisions, appeals, sale. Services flush; callers commit.

Every create and every change makes a new ``ListingVersion``, records it in the evidence
ledger in the same transaction and runs the automatic review (``review.py``). A merchant
must be allowed to sell in the category; a listing goes on sale only once approved.
Other packages annotate a listing as ``catalog_service.Listing`` and never select it
themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveguard import paging, refusals
from liveguard.catalog import checks, label_claims, review
from liveguard.catalog.models import Listing as Listing
from liveguard.catalog.models import (
    ListingAppeal,
    ListingReview,
    ListingVersion,
    SampleOutcome,
    SampleResult,
    Verdict,
)
from liveguard.catalog.models import ListingStatus as ListingStatus
from liveguard.catalog.models import ReviewerKind as ReviewerKind
from liveguard.catalog.schemas import (
    LISTING_FIELDS,
    DecisionIn,
    FailedSample,
    ListingCreate,
    ListingUpdate,
    StaffDecision,
    check_original_price,
)
from liveguard.clock import CHINA
from liveguard.errors import InvalidInput, NotFound
from liveguard.evidence import service as evidence_service
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.labels import label
from liveguard.parties import service as parties_service

APPEALABLE = {ListingStatus.rejected, ListingStatus.changes_requested, ListingStatus.pulled}
_DECISION_VERDICTS = {
    StaffDecision.approve: Verdict.approve,
    StaffDecision.reject: Verdict.reject,
    StaffDecision.request_changes: Verdict.changes_requested,
}


def check_may_list(
    *, db_session: Session, merchant_id: int, category: str, now: datetime
) -> parties_service.Merchant:
    """The merchant, if it may sell in the category today; InvalidInput with every reason."""
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=merchant_id)
    check = parties_service.check_selling(
        db_session=db_session,
        merchant=merchant,
        category=category,
        on=now.astimezone(CHINA).date(),
    )
    if not check.may_sell:
        raise InvalidInput(
            "category",
            f"merchant {merchant.id} may not sell {category}: " + "; ".join(check.reasons),
            "get the missing qualifications approved first",
        )
    return merchant


def create(*, db_session: Session, listing_in: ListingCreate, now: datetime, actor: str) -> Listing:
    """Store a listing as version 1 and review it; its status says whether it may sell."""
    check_may_list(
        db_session=db_session,
        merchant_id=listing_in.merchant_id,
        category=listing_in.category,
        now=now,
    )
    listing = Listing(**listing_in.model_dump(), created_at=now, updated_at=now)
    db_session.add(listing)
    db_session.flush()
    _new_version(db_session=db_session, listing=listing, now=now, actor=actor)
    return listing


def update(
    *, db_session: Session, listing: Listing, listing_in: ListingUpdate, now: datetime, actor: str
) -> Listing:
    """Apply a change as a new version and review it. A change that changes nothing is
    not a version: the listing comes back as it was."""
    if listing.status is ListingStatus.pulled:
        raise refusals.conflict("catalog", "status", "pulled_by_staff")
    changes = {
        name: value
        for name, value in listing_in.model_dump(exclude_unset=True).items()
        if getattr(listing, name) != value
    }
    if not changes:
        return listing
    merged = {name: changes.get(name, getattr(listing, name)) for name in LISTING_FIELDS}
    try:
        check_original_price(merged["price_fen"], merged["original_price_fen"])
    except ValueError as error:
        raise InvalidInput("original_price_fen", str(error)) from None
    check_may_list(
        db_session=db_session,
        merchant_id=listing.merchant_id,
        category=merged["category"],
        now=now,
    )
    for name, value in changes.items():
        setattr(listing, name, value)
    listing.updated_at = now
    _new_version(db_session=db_session, listing=listing, now=now, actor=actor)
    return listing


def _new_version(
    *, db_session: Session, listing: Listing, now: datetime, actor: str
) -> ListingVersion:
    """Snapshot the listing, review it, and record both in the ledger."""
    listing.version += 1
    fields = {name: getattr(listing, name) for name in LISTING_FIELDS}
    version = ListingVersion(
        listing_id=listing.id, version=listing.version, created_at=now, created_by=actor, **fields
    )
    checked = review.review_listing(db_session=db_session, listing=listing, now=now)
    version.ledger_seq = record(
        db_session=db_session,
        listing=listing,
        kind=RecordKind.listing_version,
        now=now,
        who={"changed_by": actor},
        data={
            **fields,
            "review": {
                "verdict": checked.verdict.value,
                "checks": [p["check"] for p in checked.problems],
            },
        },
    )
    db_session.add(version)
    db_session.flush()
    return version


def record(
    *,
    db_session: Session,
    listing: Listing,
    kind: RecordKind,
    now: datetime,
    who: dict[str, Any],
    data: dict[str, Any],
    where: dict[str, Any] | None = None,
) -> int:
    """Append what happened to a listing to the evidence ledger; returns its sequence number.

    Every item names the listing, its version and the status it left the listing in, so a
    dispute can cite the exact item.
    """
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=listing.merchant_id)
    item = RecordIn(
        kind=kind,
        occurred_at=now,
        where={"platform_id": merchant.platform_id, **(where or {})},
        who={"merchant_id": listing.merchant_id, **who},
        data={
            "listing_id": listing.id,
            "version": listing.version,
            **data,
            "status": listing.status.value,
        },
    )
    [appended] = evidence_service.append(db_session=db_session, records=[item], now=now)
    return appended.seq


# --- reading ------------------------------------------------------------------------------


def search(
    *,
    db_session: Session,
    filters: paging.ListQuery,
    after: str | None = None,
    limit: int = paging.DEFAULT_PAGE,
) -> paging.Page[Listing]:
    """A page of listings: text in the title (or an id), status, category, shop, Beijing
    dates created; newest or oldest first."""
    query = select(Listing)
    statuses = {s.value: s for s in ListingStatus}
    status = paging.one_of("status", filters.status, statuses, "listing_status")
    if status is not None:
        query = query.where(Listing.status == status)
    if filters.category:
        if parties_service.category_of(filters.category) is None:
            raise paging.no_such_category(filters.category)
        query = query.where(Listing.category == filters.category)
    if filters.merchant_id is not None:
        query = query.where(Listing.merchant_id == filters.merchant_id)
    query = paging.matching(query, filters.q, [Listing.title], Listing.id)
    query = paging.in_days(query, Listing.created_at, filters)
    return paging.keyset_page(
        db_session,
        query,
        order=Listing.created_at,
        ident=Listing.id,
        sort=filters.sort,
        after=after,
        limit=limit,
    )


def count(*, db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(Listing)) or 0)


def get(*, db_session: Session, listing_id: int) -> Listing:
    listing = db_session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("listing", listing_id)
    return listing


def get_all(*, db_session: Session, merchant_id: int | None = None) -> Sequence[Listing]:
    query = select(Listing).order_by(Listing.id)
    if merchant_id is not None:
        query = query.where(Listing.merchant_id == merchant_id)
    return db_session.scalars(query).all()


def get_versions(*, db_session: Session, listing_id: int) -> Sequence[ListingVersion]:
    query = (
        select(ListingVersion)
        .where(ListingVersion.listing_id == listing_id)
        .order_by(ListingVersion.version)
    )
    return db_session.scalars(query).all()


def open_appeal(*, db_session: Session, listing: Listing) -> ListingAppeal | None:
    query = (
        select(ListingAppeal)
        .where(
            ListingAppeal.listing_id == listing.id,
            ListingAppeal.version == listing.version,
            ListingAppeal.decision_id.is_(None),
        )
        .order_by(ListingAppeal.id.desc())
        .limit(1)
    )
    return db_session.scalar(query)


def review_queue(*, db_session: Session) -> Sequence[Listing]:
    """Listings waiting for a staff decision, oldest change first; a shop whose credit
    listing asks for fast review (the red list) comes first."""
    query = (
        select(Listing)
        .where(Listing.awaiting_decision.is_(True))
        .order_by(Listing.updated_at, Listing.id)
    )
    waiting = db_session.scalars(query).all()
    fast = {
        merchant_id
        for merchant_id in {listing.merchant_id for listing in waiting}
        if (
            measures := parties_service.credit_measures(
                parties_service.get_merchant(db_session=db_session, merchant_id=merchant_id)
            )
        )
        is not None
        and measures.listing_review == "fast"
    }
    return sorted(waiting, key=lambda listing: listing.merchant_id not in fast)


def failed_samples(
    *, db_session: Session, since: datetime | None = None, merchant_id: int | None = None
) -> list[FailedSample]:
    """Failed sampling and mystery-shopping results recorded since ``since`` (all if None),
    oldest first: which listing, which seller, which batch, and the ledger item to cite.

    For other capabilities: credit counts them, trade finds the buyers of the batch.
    """
    query = (
        select(SampleResult)
        .where(SampleResult.outcome == SampleOutcome.failed)
        .order_by(SampleResult.recorded_at, SampleResult.id)
    )
    if since is not None:
        query = query.where(SampleResult.recorded_at >= since)
    if merchant_id is not None:
        query = query.where(SampleResult.merchant_id == merchant_id)
    return [FailedSample.model_validate(s) for s in db_session.scalars(query)]


# --- decisions, appeals, sale -------------------------------------------------------------


def decide(
    *, db_session: Session, listing: Listing, decision_in: DecisionIn, now: datetime, actor: str
) -> ListingReview:
    """A staff decision on the current version; answers any open appeal."""
    if decision_in.version is not None and decision_in.version != listing.version:
        raise refusals.conflict(
            "catalog", "version", "stale_version", current=listing.version, seen=decision_in.version
        )
    if decision_in.decision is not StaffDecision.approve and not decision_in.reason:
        raise refusals.invalid(
            "catalog", "reason", "decision_needs_reason", decision=label(decision_in.decision)
        )
    verdict = _DECISION_VERDICTS[decision_in.decision]
    status = {
        Verdict.approve: ListingStatus.approved,
        Verdict.reject: ListingStatus.rejected,
        Verdict.changes_requested: ListingStatus.changes_requested,
    }[verdict]
    if verdict is Verdict.approve and listing.status is ListingStatus.on_sale:
        status = ListingStatus.on_sale  # approving what is on sale keeps it there
    appeal = open_appeal(db_session=db_session, listing=listing)
    decided = add_decision(
        db_session=db_session,
        listing=listing,
        verdict=verdict,
        status=status,
        reviewer_kind=ReviewerKind.staff,
        actor=actor,
        reason=decision_in.reason,
        now=now,
        data={
            "decision": decision_in.decision.value,
            "answers_appeal_id": appeal.id if appeal is not None else None,
        },
    )
    if appeal is not None:
        appeal.decision_id = decided.id
        db_session.flush()
    return decided


def add_decision(
    *,
    db_session: Session,
    listing: Listing,
    verdict: Verdict,
    status: ListingStatus,
    reviewer_kind: ReviewerKind,
    actor: str,
    reason: str | None,
    now: datetime,
    problems: list[dict[str, Any]] | None = None,
    data: dict[str, Any] | None = None,
) -> ListingReview:
    """A review by a person (or an act on their finding) on the current version: sets the
    status, leaves the queue, keeps prices in force right, and is its own ledger item."""
    decided = ListingReview(
        listing_id=listing.id,
        version=listing.version,
        verdict=verdict,
        problems=problems or [],
        reviewer_kind=reviewer_kind,
        reviewer=actor,
        reason=reason,
        created_at=now,
    )
    db_session.add(decided)
    listing.status = status
    listing.awaiting_decision = False
    listing.updated_at = now
    db_session.flush()
    review.sync_prices(db_session=db_session, listing=listing, now=now)
    decided.ledger_seq = record(
        db_session=db_session,
        listing=listing,
        kind=RecordKind.listing_decision,
        now=now,
        who={"decided_by": actor},
        data={"review_id": decided.id, "verdict": verdict.value, "reason": reason, **(data or {})},
    )
    db_session.flush()
    return decided


def appeal(
    *, db_session: Session, listing: Listing, statement: str, now: datetime, actor: str
) -> ListingAppeal:
    """The merchant contests the review of the current version: back to the staff queue."""
    if listing.status not in APPEALABLE:
        raise refusals.conflict("catalog", "status", "cannot_appeal", status=label(listing.status))
    appealed = ListingAppeal(
        listing_id=listing.id,
        version=listing.version,
        statement=statement,
        submitted_by=actor,
        submitted_at=now,
    )
    db_session.add(appealed)
    contested = review.latest_review(db_session=db_session, listing_id=listing.id)
    listing.status = ListingStatus.appealed
    listing.awaiting_decision = True
    listing.updated_at = now
    db_session.flush()
    appealed.ledger_seq = record(
        db_session=db_session,
        listing=listing,
        kind=RecordKind.listing_appeal,
        now=now,
        who={"submitted_by": actor},
        data={
            "appeal_id": appealed.id,
            "statement": statement,
            "contests_review_id": contested.id if contested is not None else None,
        },
    )
    db_session.flush()
    return appealed


def put_on_sale(*, db_session: Session, listing: Listing, now: datetime) -> Listing:
    if listing.status is ListingStatus.on_sale:
        return listing
    if listing.status is not ListingStatus.approved:
        latest = review.latest_review(db_session=db_session, listing_id=listing.id)
        reasons = "; ".join(p["message"] for p in latest.problems) if latest else ""
        if latest is not None and latest.reason:
            reasons = "; ".join(filter(None, [latest.reason, reasons]))
        raise refusals.conflict(
            "catalog",
            "status",
            "cannot_go_on_sale",
            status=label(listing.status),
            reasons=f"：{reasons}" if reasons else "",
        )
    listing.status = ListingStatus.on_sale
    listing.updated_at = now
    review.sync_prices(db_session=db_session, listing=listing, now=now)
    return listing


def pull(
    *,
    db_session: Session,
    listing: Listing,
    reviewer_kind: ReviewerKind,
    actor: str,
    reason: str,
    now: datetime,
    problems: list[dict[str, Any]] | None = None,
    data: dict[str, Any] | None = None,
) -> ListingReview:
    """Take the listing off sale as a decision (staff, the monitor, a failed sample):
    it ends ``pulled`` whatever its state, the reason on record and on its public page.
    A new version does not put it back (``update`` refuses a pulled listing), nor does
    publishing it; only a staff decision does, after review or the merchant's appeal."""
    return add_decision(
        db_session=db_session,
        listing=listing,
        verdict=Verdict.reject,
        status=ListingStatus.pulled,
        reviewer_kind=reviewer_kind,
        actor=actor,
        reason=reason,
        now=now,
        problems=problems,
        data={"decision": "pull", **(data or {})},
    )


def take_off_sale(*, db_session: Session, listing: Listing, now: datetime) -> Listing:
    """The merchant's own unpublishing: back to approved, hers to put on sale again."""
    if listing.status is not ListingStatus.on_sale:
        raise refusals.conflict("catalog", "status", "not_on_sale")
    listing.status = ListingStatus.approved
    listing.updated_at = now
    review.sync_prices(db_session=db_session, listing=listing, now=now)
    return listing


# --- checks for the live monitor ------------------------------------------------------------


def price_problems(
    *,
    db_session: Session,
    listing: Listing,
    now: datetime,
    changes: dict[str, Any] | None = None,
    extra_history: Sequence[tuple[datetime, int]] = (),
) -> list[dict[str, Any]]:
    """The price and shipping problems the listing has with ``changes`` applied (a change
    made during a live stream, an "original price" said aloud), without storing anything.
    ``extra_history`` adds prices the listing was sold at that the catalog has not seen."""
    facts = review.facts_for(db_session=db_session, listing=listing, now=now)
    history = sorted([*facts.price_history, *extra_history])
    facts = replace(facts, **(changes or {}), price_history=history)
    found = [*review.reviewer().checks.price(facts), *review.reviewer().checks.shipping(facts)]
    return [review.problem_json(problem) for problem in found]


def label_claim_problems(*, listing: Listing, text: str) -> list[dict[str, Any]]:
    """Claims in ``text`` (said while the listing is on show) that the listing's own label
    does not bear out, as review problems (``check``, ``message``, ``legal_basis``,
    ``evidence`` with ``start``/``end`` into ``text``)."""
    found = label_claims.check(text, dict(listing.label or {}), listing.category)
    return [review.problem_json(checks.contradiction_problem(item, None)) for item in found]


def spoken_term_problems(*, text: str, category: str, now: datetime) -> list[dict[str, Any]]:
    """Unfair after-sales terms said aloud ("直播间专属价，不支持退货"), as review problems
    (``evidence`` with ``quote``, ``start``, ``end`` into ``text``)."""
    found = checks.spoken_terms(review.reviewer(), text, category, now)
    return [review.problem_json(problem) for problem in found]


def standard_terms_of(*, db_session: Session, listing_id: int) -> list[str]:
    """The standard terms the listing has ever shown (title, description, store terms of
    every version), named as the liability engine's ``standard_terms`` fact:
    ``no_returns``, ``final_interpretation``, ``excludes_main_rights``."""
    reviewer = review.reviewer()
    found: set[str] = set()
    for version in get_versions(db_session=db_session, listing_id=listing_id):
        text = "\n".join([version.title, version.description, version.store_terms])
        found.update(checks.standard_terms(reviewer, text))
    return sorted(found)


def price_history(*, db_session: Session, listing_id: int) -> list[tuple[datetime, int]]:
    """Every price the listing was on sale at, as (when it came into force, price in fen),
    oldest first: what a price-protection promise is checked against."""
    return [
        (row.valid_from, row.price_fen)
        for row in review.price_rows(db_session=db_session, listing_id=listing_id)
        if row.valid_to is None or row.valid_to > row.valid_from
    ]
