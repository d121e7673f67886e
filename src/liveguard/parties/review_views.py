"""Review routes: documents, decisions on parties, the queue, re-verification, deposits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from liveguard import refusals
from liveguard.bounds import Id
from liveguard.parties import deposits, reviews, service
from liveguard.parties.enums import OwnerKind
from liveguard.parties.models import (
    Anchor,
    DepositMovement,
    Merchant,
    QualificationDocument,
    ReviewDecision,
)
from liveguard.parties.schemas import (
    AnchorRead,
    DepositMovementCreate,
    DepositMovementRead,
    DepositRead,
    DocumentMeta,
    DocumentRead,
    MerchantRead,
    ReverificationReport,
    ReviewDecisionRead,
    ReviewIn,
    ReviewQueue,
)
from liveguard.parties.views import CurrentAnchor, CurrentDocument, CurrentMerchant
from liveguard.web.deps import (
    AnyStaff,
    Blobs,
    CaseWork,
    Compliance,
    DbSession,
    Signed,
    Today,
)
from liveguard.web.permissions import check_merchant_access

router = APIRouter(tags=["reviews"])


@router.post("/merchants/{merchant_id}/review", response_model=MerchantRead)
def review_merchant(
    review: ReviewIn,
    merchant: CurrentMerchant,
    db_session: DbSession,
    today: Today,
    principal: Compliance,
) -> Merchant:
    return reviews.review_merchant(
        db_session=db_session,
        merchant=merchant,
        review=review,
        actor=principal.name,
        today=today,
    )


@router.get("/merchants/{merchant_id}/decisions", response_model=list[ReviewDecisionRead])
def merchant_decisions(
    merchant: CurrentMerchant, db_session: DbSession, principal: Signed
) -> list[ReviewDecision]:
    check_merchant_access(principal, merchant.id, write=False)
    return reviews.get_decisions(
        db_session=db_session, subject_kind="merchant", subject_id=merchant.id
    )


@router.get("/merchants/{merchant_id}/documents", response_model=list[DocumentRead])
def merchant_documents(
    merchant: CurrentMerchant, db_session: DbSession, principal: Signed
) -> list[QualificationDocument]:
    check_merchant_access(principal, merchant.id, write=False)
    return reviews.get_documents(
        db_session=db_session, owner_kind=OwnerKind.merchant, owner_id=merchant.id
    )


@router.get("/merchants/{merchant_id}/deposit", response_model=DepositRead)
def read_deposit(
    merchant: CurrentMerchant, db_session: DbSession, principal: Signed
) -> DepositRead:
    check_merchant_access(principal, merchant.id, write=False)
    required = deposits.required_fen(merchant)
    return DepositRead(
        merchant_id=merchant.id,
        required_fen=required,
        balance_fen=merchant.deposit_balance_fen,
        shortfall_fen=max(0, required - merchant.deposit_balance_fen),
        movements=deposits.get_movements(db_session=db_session, merchant_id=merchant.id),
    )


@router.post(
    "/merchants/{merchant_id}/deposit/movements",
    status_code=status.HTTP_201_CREATED,
    response_model=DepositMovementRead,
)
def record_deposit_movement(
    movement_in: DepositMovementCreate,
    merchant_id: Id,
    db_session: DbSession,
    principal: CaseWork,
) -> DepositMovement:
    # Locked, so two deductions at once cannot both pass the balance check.
    merchant = service.get_merchant(db_session=db_session, merchant_id=merchant_id, for_update=True)
    return deposits.record_movement(
        db_session=db_session, merchant=merchant, movement_in=movement_in, actor=principal.name
    )


@router.post("/anchors/{anchor_id}/review", response_model=AnchorRead)
def review_anchor(
    review: ReviewIn,
    anchor: CurrentAnchor,
    db_session: DbSession,
    today: Today,
    principal: Compliance,
) -> Anchor:
    return reviews.review_anchor(
        db_session=db_session, anchor=anchor, review=review, actor=principal.name, today=today
    )


@router.post("/documents", status_code=status.HTTP_201_CREATED, response_model=DocumentRead)
def upload_document(
    db_session: DbSession,
    blobs: Blobs,
    today: Today,
    principal: Signed,
    file: Annotated[UploadFile, File(description="PDF, JPEG, PNG or WebP scan")],
    owner_kind: Annotated[str, Form()],
    owner_id: Annotated[Id, Form()],
    doc_type: Annotated[str, Form()],
    number: Annotated[str, Form()],
    issuer: Annotated[str, Form()],
    valid_from: Annotated[str, Form()],
    valid_to: Annotated[str | None, Form()] = None,
) -> QualificationDocument:
    try:
        meta = DocumentMeta.model_validate(
            {
                "owner_kind": owner_kind,
                "owner_id": owner_id,
                "doc_type": doc_type,
                "number": number,
                "issuer": issuer,
                "valid_from": valid_from,
                "valid_to": valid_to or None,
            }
        )
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("form", *e["loc"])} for e in error.errors()]
        ) from None
    if meta.owner_kind is OwnerKind.merchant:
        check_merchant_access(principal, meta.owner_id, write=True)
    elif not principal.is_staff:
        raise refusals.forbidden("parties", "staff_files_others")
    return reviews.add_document(
        db_session=db_session,
        meta=meta,
        content=file.file.read(),
        file_name=file.filename or "document",
        content_type=file.content_type or "",
        blobs=blobs,
        today=today,
    )


@router.get("/documents/{document_id}", response_model=DocumentRead)
def read_document(document: CurrentDocument, principal: Signed) -> QualificationDocument:
    if document.owner_kind is OwnerKind.merchant:
        check_merchant_access(principal, document.owner_id, write=False)
    elif not principal.is_staff:
        raise refusals.forbidden("parties", "staff_reads_others")
    return document


@router.get("/documents/{document_id}/file")
def document_file(document: CurrentDocument, blobs: Blobs, principal: Signed) -> Response:
    read_document(document, principal)
    return Response(blobs.get(document.file_sha256), media_type=document.content_type)


@router.post("/documents/{document_id}/review", response_model=DocumentRead)
def review_document(
    review: ReviewIn, document: CurrentDocument, db_session: DbSession, principal: Compliance
) -> QualificationDocument:
    return reviews.review_document(
        db_session=db_session, document=document, review=review, actor=principal.name
    )


@router.get("/reviews", response_model=ReviewQueue)
def review_queue(
    db_session: DbSession, today: Today, _: AnyStaff
) -> dict[str, list[Merchant] | list[Anchor] | list[QualificationDocument]]:
    merchants, anchors, documents = reviews.review_queue(db_session=db_session, today=today)
    return {"merchants": merchants, "anchors": anchors, "documents": documents}


@router.post("/reverification", response_model=ReverificationReport)
def run_reverification(db_session: DbSession, today: Today, _: Compliance) -> ReverificationReport:
    return reviews.reverify(db_session=db_session, today=today)
