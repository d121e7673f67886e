"""Listings: create, change, review decisions, appeals, sale. Services flush; callers commit.

Every create and every change makes a new ``ListingVersion``, records it in the evidence
ledger in the same transaction and runs the automatic review (``review.py``). A merchant
must be allowed to sell in the category; a listing goes on sale only once approved.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveguard.catalog import review
from liveguard.catalog.models import (
    Listing,
    ListingAppeal,
    ListingReview,
    ListingStatus,
    ListingVersion,
    ReviewerKind,
    Verdict,
)
from liveguard.catalog.schemas import (
    LISTING_FIELDS,
    DecisionIn,
    ImportedRow,
    ImportResult,
    ImportRow,
    ListingCreate,
    ListingUpdate,
    RowError,
    StaffDecision,
    check_original_price,
)
from liveguard.clock import CHINA
from liveguard.errors import Conflict, InvalidInput, LiveGuardError, NotFound
from liveguard.evidence import service as evidence_service
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.parties import service as parties_service

if TYPE_CHECKING:
    from liveguard.parties.models import Merchant

MAX_IMPORT_ROWS = 2000
APPEALABLE = {ListingStatus.rejected, ListingStatus.changes_requested, ListingStatus.pulled}
_DECISION_VERDICTS = {
    StaffDecision.approve: Verdict.approve,
    StaffDecision.reject: Verdict.reject,
    StaffDecision.request_changes: Verdict.changes_requested,
}


def check_may_list(
    *, db_session: Session, merchant_id: int, category: str, now: datetime
) -> Merchant:
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
        raise Conflict(
            f"listing {listing.id} was pulled by staff and cannot be changed",
            field_name="status",
            fix="appeal the decision first",
        )
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
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=listing.merchant_id)
    record = RecordIn(
        kind=RecordKind.listing_version,
        occurred_at=now,
        where={"platform_id": merchant.platform_id},
        who={"merchant_id": listing.merchant_id, "changed_by": actor},
        data={
            "listing_id": listing.id,
            "version": listing.version,
            **fields,
            "review": {
                "verdict": checked.verdict.value,
                "checks": [p["check"] for p in checked.problems],
            },
            "status": listing.status.value,
        },
    )
    [appended] = evidence_service.append(db_session=db_session, records=[record], now=now)
    version.ledger_seq = appended.seq
    db_session.add(version)
    db_session.flush()
    return version


# --- reading ------------------------------------------------------------------------------


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
    """Listings waiting for a staff decision, oldest change first."""
    query = (
        select(Listing)
        .where(Listing.awaiting_decision.is_(True))
        .order_by(Listing.updated_at, Listing.id)
    )
    return db_session.scalars(query).all()


# --- decisions, appeals, sale -------------------------------------------------------------


def decide(
    *, db_session: Session, listing: Listing, decision_in: DecisionIn, now: datetime, actor: str
) -> ListingReview:
    """A staff decision on the current version; answers any open appeal."""
    if decision_in.version is not None and decision_in.version != listing.version:
        raise Conflict(
            f"listing {listing.id} is at version {listing.version}, not {decision_in.version}",
            field_name="version",
            fix="reload the listing and decide on its current version",
        )
    if decision_in.decision is not StaffDecision.approve and not decision_in.reason:
        raise InvalidInput(
            "reason",
            f"a {decision_in.decision.value} decision needs a reason",
            "say what is wrong and how to fix it: the merchant will read it",
        )
    verdict = _DECISION_VERDICTS[decision_in.decision]
    decided = ListingReview(
        listing_id=listing.id,
        version=listing.version,
        verdict=verdict,
        problems=[],
        reviewer_kind=ReviewerKind.staff,
        reviewer=actor,
        reason=decision_in.reason,
        created_at=now,
    )
    db_session.add(decided)
    db_session.flush()
    appeal = open_appeal(db_session=db_session, listing=listing)
    if appeal is not None:
        appeal.decision_id = decided.id
    if not (verdict is Verdict.approve and listing.status is ListingStatus.on_sale):
        listing.status = {
            Verdict.approve: ListingStatus.approved,
            Verdict.reject: ListingStatus.rejected,
            Verdict.changes_requested: ListingStatus.changes_requested,
        }[verdict]
    listing.awaiting_decision = False
    listing.updated_at = now
    review.sync_prices(db_session=db_session, listing=listing, now=now)
    return decided


def appeal(
    *, db_session: Session, listing: Listing, statement: str, now: datetime, actor: str
) -> ListingAppeal:
    """The merchant contests the review of the current version: back to the staff queue."""
    if listing.status not in APPEALABLE:
        raise Conflict(
            f"listing {listing.id} is {listing.status.value}: only a rejected, pulled or "
            "changes-requested listing can be appealed",
            field_name="status",
        )
    appealed = ListingAppeal(
        listing_id=listing.id,
        version=listing.version,
        statement=statement,
        submitted_by=actor,
        submitted_at=now,
    )
    db_session.add(appealed)
    listing.status = ListingStatus.appealed
    listing.awaiting_decision = True
    listing.updated_at = now
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
        raise Conflict(
            f"listing {listing.id} is {listing.status.value} and cannot go on sale"
            + (f": {reasons}" if reasons else ""),
            field_name="status",
            fix="fix the listing (a change is reviewed again) or appeal the review",
        )
    listing.status = ListingStatus.on_sale
    listing.updated_at = now
    review.sync_prices(db_session=db_session, listing=listing, now=now)
    return listing


def take_off_sale(*, db_session: Session, listing: Listing, now: datetime) -> Listing:
    if listing.status is not ListingStatus.on_sale:
        raise Conflict(f"listing {listing.id} is not on sale", field_name="status")
    listing.status = ListingStatus.approved
    listing.updated_at = now
    review.sync_prices(db_session=db_session, listing=listing, now=now)
    return listing


# --- bulk import --------------------------------------------------------------------------


def parse_import(body: bytes, content_type: str) -> list[Any]:
    """Rows from a JSON body (a list, or {"listings": [...]}) or a CSV with a header line.

    CSV: one column per field; label fields as ``label.<name>`` columns (or one ``label``
    column holding a JSON object); empty cells are left out, so defaults apply.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("body", "the body is not UTF-8 text", "save the file as UTF-8") from None
    if "csv" in content_type:
        rows: list[Any] = []
        for raw in csv.DictReader(io.StringIO(text)):
            row: dict[str, Any] = {}
            for key, value in raw.items():
                if key is None or value is None or not value.strip():
                    continue
                key = key.strip()
                if key.startswith("label."):
                    row.setdefault("label", {})[key.removeprefix("label.")] = value.strip()
                elif key == "label":
                    try:
                        row["label"] = json.loads(value)
                    except ValueError:
                        row["label"] = value  # reported by the row's validation
                else:
                    row[key] = value.strip()
            rows.append(row)
    else:
        try:
            parsed = json.loads(text)
        except ValueError as error:
            raise InvalidInput("body", f"the body is not valid JSON: {error}") from None
        rows = parsed.get("listings") if isinstance(parsed, dict) else parsed
        if not isinstance(rows, list):
            raise InvalidInput("body", "send a JSON list of listings, or {'listings': [...]}")
    if not rows:
        raise InvalidInput("body", "there are no rows to import")
    if len(rows) > MAX_IMPORT_ROWS:
        raise InvalidInput(
            "body", f"{len(rows)} rows; at most {MAX_IMPORT_ROWS} per import", "split the file"
        )
    return rows


def import_rows(
    *,
    db_session: Session,
    rows: Sequence[Any],
    now: datetime,
    actor: str,
    own_merchant_id: int | None = None,
) -> ImportResult:
    """Store every valid row, each reviewed; report every invalid one with its row number.

    All rows are checked before anything is written, so a bad row never leaves a
    half-stored listing. ``own_merchant_id``: a merchant importing its own listings.
    """
    errors: list[RowError] = []
    valid: list[tuple[int, ListingCreate]] = []
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            errors.append(RowError(row=number, field="row", message="a row must be an object"))
            continue
        try:
            row = ImportRow.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in item["loc"]) or "row"
                message = str(item["msg"]).removeprefix("Value error, ")
                errors.append(RowError(row=number, field=where, message=message))
            continue
        merchant_id = row.merchant_id if row.merchant_id is not None else own_merchant_id
        if merchant_id is None:
            errors.append(RowError(row=number, field="merchant_id", message="missing"))
            continue
        if own_merchant_id is not None and merchant_id != own_merchant_id:
            errors.append(
                RowError(
                    row=number,
                    field="merchant_id",
                    message="a merchant can import only its own listings",
                    fix=f"leave merchant_id out or send {own_merchant_id}",
                )
            )
            continue
        try:
            check_may_list(
                db_session=db_session, merchant_id=merchant_id, category=row.category, now=now
            )
        except LiveGuardError as error:
            for problem in error.problems or []:
                errors.append(
                    RowError(
                        row=number, field=problem.field, message=problem.message, fix=problem.fix
                    )
                )
            if not error.problems:
                errors.append(RowError(row=number, field="merchant_id", message=error.detail))
            continue
        data = row.model_dump(exclude={"merchant_id"})
        valid.append((number, ListingCreate(merchant_id=merchant_id, **data)))
    created = []
    for number, listing_in in valid:
        listing = create(db_session=db_session, listing_in=listing_in, now=now, actor=actor)
        created.append(ImportedRow(row=number, id=listing.id, status=listing.status))
    return ImportResult(created=created, errors=errors)


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
