"""Qualification documents, the review queue, and periodic re-verification."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from liveguard import refusals, uploads
from liveguard.blobs import BlobStore
from liveguard.db import utcnow
from liveguard.errors import InvalidInput
from liveguard.labels import label
from liveguard.parties import service
from liveguard.parties.enums import Decision, OwnerKind, PartyStatus, ReviewStatus
from liveguard.parties.models import (
    Anchor,
    McnAgency,
    Merchant,
    QualificationDocument,
    ReviewDecision,
)
from liveguard.parties.qualifications import catalogue
from liveguard.parties.schemas import DocumentMeta, ReverificationReport, ReviewIn

REVERIFICATION = "reverification"  # the actor name for automatic decisions
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
ACCEPTED_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/webp"}

_OWNER_MODELS = {OwnerKind.merchant: Merchant, OwnerKind.anchor: Anchor, OwnerKind.mcn: McnAgency}


def _log(
    db_session: Session,
    kind: str,
    subject_id: int,
    decision: Decision,
    reason: str | None,
    actor: str,
) -> ReviewDecision:
    entry = ReviewDecision(
        subject_kind=kind,
        subject_id=subject_id,
        decision=decision,
        reason=reason,
        decided_by=actor,
    )
    db_session.add(entry)
    return entry


def _require_reason(review: ReviewIn) -> None:
    needs_reason = {Decision.reject, Decision.request_more, Decision.suspend}
    if review.decision in needs_reason and not (review.reason and review.reason.strip()):
        raise refusals.invalid(
            "parties", "reason", "decision_needs_reason", decision=label(review.decision)
        )


# Documents


def add_document(
    *,
    db_session: Session,
    meta: DocumentMeta,
    content: bytes,
    file_name: str,
    content_type: str,
    blobs: BlobStore,
    today: date,
) -> QualificationDocument:
    """Store the file by its hash, typed by its bytes, and queue the document for review."""
    if db_session.get(_OWNER_MODELS[meta.owner_kind], meta.owner_id) is None:
        raise refusals.invalid(
            "parties", "owner_id", "no_such_owner", kind=label(meta.owner_kind), id=meta.owner_id
        )
    if not content:
        raise refusals.invalid("parties", "file", "file_empty")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise refusals.invalid("parties", "file", "file_too_big", limit=f"{MAX_DOCUMENT_BYTES:,}")
    content_type = uploads.checked_type(
        content, content_type, accepted=ACCEPTED_TYPES, what="a qualification document"
    )
    doc_type = catalogue().document_type(meta.doc_type)
    assert doc_type is not None  # the schema checked the code
    problem = doc_type.number_problem(meta.number)
    if problem:
        raise InvalidInput("number", problem)
    service.check_validity_window(meta.valid_from, meta.valid_to, today=today)
    document = QualificationDocument(
        **meta.model_dump(),
        file_sha256=blobs.put(content),
        file_name=file_name[:255],
        content_type=content_type,
        size_bytes=len(content),
    )
    db_session.add(document)
    db_session.flush()
    return document


def get_document(*, db_session: Session, document_id: int) -> QualificationDocument:
    return service.get_by_id(db_session, QualificationDocument, document_id, "document")


def get_documents(
    *, db_session: Session, owner_kind: OwnerKind, owner_id: int
) -> list[QualificationDocument]:
    query = (
        select(QualificationDocument)
        .where(
            QualificationDocument.owner_kind == owner_kind,
            QualificationDocument.owner_id == owner_id,
        )
        .order_by(QualificationDocument.id)
    )
    return list(db_session.scalars(query))


def review_document(
    *, db_session: Session, document: QualificationDocument, review: ReviewIn, actor: str
) -> QualificationDocument:
    _require_reason(review)
    outcomes = {
        Decision.approve: ReviewStatus.approved,
        Decision.reject: ReviewStatus.rejected,
        Decision.request_more: ReviewStatus.more_requested,
    }
    if review.decision not in outcomes:
        raise refusals.invalid(
            "parties", "decision", "not_for_documents", decision=label(review.decision)
        )
    if document.status in (ReviewStatus.approved, ReviewStatus.rejected):
        raise refusals.conflict(
            "parties", "decision", "already_decided", status=label(document.status)
        )
    document.status = outcomes[review.decision]
    document.status_reason = review.reason
    _log(db_session, "document", document.id, review.decision, review.reason, actor)
    db_session.flush()
    return document


# Merchants and anchors


_PARTY_TRANSITIONS: dict[Decision, tuple[set[PartyStatus], PartyStatus]] = {
    Decision.approve: ({PartyStatus.pending, PartyStatus.more_requested}, PartyStatus.active),
    Decision.reject: ({PartyStatus.pending, PartyStatus.more_requested}, PartyStatus.rejected),
    Decision.request_more: ({PartyStatus.pending}, PartyStatus.more_requested),
    Decision.suspend: ({PartyStatus.active}, PartyStatus.suspended),
    Decision.reinstate: ({PartyStatus.suspended}, PartyStatus.active),
}


def _transition(party: Merchant | Anchor, review: ReviewIn, kind: str) -> None:
    _require_reason(review)
    allowed_from, target = _PARTY_TRANSITIONS[review.decision]
    if party.status not in allowed_from:
        raise refusals.conflict(
            "parties",
            "decision",
            "wrong_party_state",
            status=label(party.status),
            decision=label(review.decision),
            allowed="、".join(sorted(label(s) for s in allowed_from)),
        )
    party.status = target
    party.status_reason = review.reason


def review_merchant(
    *, db_session: Session, merchant: Merchant, review: ReviewIn, actor: str, today: date
) -> Merchant:
    if review.decision in (Decision.approve, Decision.reinstate) and (
        merchant.licence_valid_to is not None and merchant.licence_valid_to < today
    ):
        raise refusals.conflict(
            "parties", "licence_valid_to", "licence_expired", day=merchant.licence_valid_to
        )
    _transition(merchant, review, "merchant")
    merchant.suspended_by = actor if merchant.status is PartyStatus.suspended else None
    _log(db_session, "merchant", merchant.id, review.decision, review.reason, actor)
    db_session.flush()
    return merchant


def review_anchor(
    *, db_session: Session, anchor: Anchor, review: ReviewIn, actor: str, today: date
) -> Anchor:
    _transition(anchor, review, "anchor")
    if review.decision is Decision.approve:
        anchor.verified_at = utcnow()
        anchor.reverify_due = today + timedelta(days=catalogue().reverification.interval_days)
    _log(db_session, "anchor", anchor.id, review.decision, review.reason, actor)
    db_session.flush()
    return anchor


def get_decisions(
    *, db_session: Session, subject_kind: str, subject_id: int
) -> list[ReviewDecision]:
    query = (
        select(ReviewDecision)
        .where(ReviewDecision.subject_kind == subject_kind, ReviewDecision.subject_id == subject_id)
        .order_by(ReviewDecision.id)
    )
    return list(db_session.scalars(query))


def review_queue(
    *, db_session: Session, today: date
) -> tuple[list[Merchant], list[Anchor], list[QualificationDocument]]:
    """Everything waiting for a person: new parties, documents, anchors due re-checking."""
    waiting = (PartyStatus.pending, PartyStatus.more_requested)
    merchants = db_session.scalars(
        select(Merchant).where(Merchant.status.in_(waiting)).order_by(Merchant.id)
    ).all()
    anchors = db_session.scalars(
        select(Anchor)
        .where(or_(Anchor.status.in_(waiting), Anchor.reverify_due <= today))
        .order_by(Anchor.id)
    ).all()
    documents = db_session.scalars(
        select(QualificationDocument)
        .where(
            QualificationDocument.status.in_((ReviewStatus.pending, ReviewStatus.more_requested))
        )
        .order_by(QualificationDocument.id)
    ).all()
    return list(merchants), list(anchors), list(documents)


def reverify(*, db_session: Session, today: date) -> ReverificationReport:
    """Suspend merchants whose licence has lapsed; lift what this job suspended once renewed.

    Suspensions a person made are left for a person to lift.
    """
    suspended, reinstated = [], []
    merchants = db_session.scalars(
        select(Merchant).where(Merchant.status.in_((PartyStatus.active, PartyStatus.suspended)))
    ).all()
    for merchant in merchants:
        expired = merchant.licence_valid_to is not None and merchant.licence_valid_to < today
        if merchant.status is PartyStatus.active and expired:
            reason = (
                f"business licence expired on {merchant.licence_valid_to}; "
                "selling stops until renewed"
            )
            merchant.status, merchant.status_reason = PartyStatus.suspended, reason
            merchant.suspended_by = REVERIFICATION
            _log(db_session, "merchant", merchant.id, Decision.suspend, reason, REVERIFICATION)
            suspended.append(merchant.id)
        elif (
            merchant.status is PartyStatus.suspended
            and merchant.suspended_by == REVERIFICATION
            and not expired
        ):
            merchant.status, merchant.status_reason, merchant.suspended_by = (
                PartyStatus.active,
                None,
                None,
            )
            _log(
                db_session,
                "merchant",
                merchant.id,
                Decision.reinstate,
                "licence renewed",
                REVERIFICATION,
            )
            reinstated.append(merchant.id)
        merchant.last_verified_at = utcnow()
    due = db_session.scalars(
        select(Anchor.id).where(Anchor.reverify_due <= today).order_by(Anchor.id)
    ).all()
    lapsed = db_session.scalars(
        select(QualificationDocument.id)
        .where(
            QualificationDocument.status == ReviewStatus.approved,
            QualificationDocument.valid_to < today,
        )
        .order_by(QualificationDocument.id)
    ).all()
    db_session.flush()
    return ReverificationReport(
        checked=len(merchants),
        suspended=suspended,
        reinstated=reinstated,
        anchors_due=list(due),
        documents_expired=list(lapsed),
    )
