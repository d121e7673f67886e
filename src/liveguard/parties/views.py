"""Parties routes. Thin: validate, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

from liveguard.auth.models import PrincipalKind
from liveguard.errors import Forbidden
from liveguard.parties import deposits, reviews, service
from liveguard.parties.models import (
    Anchor,
    Merchant,
    OwnerKind,
    PartyStatus,
    QualificationDocument,
)
from liveguard.parties.schemas import (
    AnchorCreate,
    AnchorIdentity,
    AnchorRead,
    ConsumerCreate,
    ConsumerRead,
    DepositMovementCreate,
    DepositMovementRead,
    DepositRead,
    DocumentMeta,
    DocumentPublic,
    DocumentRead,
    McnCreate,
    McnRead,
    MerchantCreate,
    MerchantLicenceRenewal,
    MerchantPublic,
    MerchantRead,
    Page,
    PlatformCreate,
    PlatformRead,
    RelationCreate,
    RelationRead,
    ReverificationReport,
    ReviewDecisionRead,
    ReviewIn,
    ReviewQueue,
    SellingCheck,
    StaffCreate,
    StaffRead,
)
from liveguard.privacy import service as privacy_service
from liveguard.web.deps import (
    Admin,
    AnyStaff,
    Blobs,
    CaseWork,
    Cipher,
    Compliance,
    DbSession,
    Signed,
    Today,
    check_merchant_access,
)

router = APIRouter(tags=["parties"])


# Lookups depend on a signed-in caller, so an anonymous request is refused before it can
# learn whether an id exists. Routes still check the caller's role or ownership.
def current_merchant(merchant_id: int, db_session: DbSession, _: Signed) -> Merchant:
    return service.get_merchant(db_session=db_session, merchant_id=merchant_id)


def current_anchor(anchor_id: int, db_session: DbSession, _: Signed) -> Anchor:
    return service.get_anchor(db_session=db_session, anchor_id=anchor_id)


def current_document(document_id: int, db_session: DbSession, _: Signed) -> QualificationDocument:
    return reviews.get_document(db_session=db_session, document_id=document_id)


CurrentMerchant = Annotated[Merchant, Depends(current_merchant)]
CurrentAnchor = Annotated[Anchor, Depends(current_anchor)]
CurrentDocument = Annotated[QualificationDocument, Depends(current_document)]


# Platforms


@router.post("/platforms", status_code=status.HTTP_201_CREATED, response_model=PlatformRead)
def create_platform(platform_in: PlatformCreate, db_session: DbSession, _: Admin):
    return service.create_platform(db_session=db_session, platform_in=platform_in)


@router.get("/platforms", response_model=list[PlatformRead])
def list_platforms(db_session: DbSession, _: AnyStaff):
    return service.get_all_platforms(db_session=db_session)


# Merchants


@router.post("/merchants", status_code=status.HTTP_201_CREATED, response_model=MerchantRead)
def create_merchant(
    merchant_in: MerchantCreate,
    db_session: DbSession,
    cipher: Cipher,
    today: Today,
    _: Compliance,
):
    return service.create_merchant(
        db_session=db_session, merchant_in=merchant_in, cipher=cipher, today=today
    )


@router.get("/merchants", response_model=Page[MerchantRead])
def list_merchants(
    db_session: DbSession,
    _: AnyStaff,
    platform_id: int | None = None,
    merchant_status: Annotated[PartyStatus | None, Query(alias="status")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
):
    items, total = service.get_all_merchants(
        db_session=db_session,
        platform_id=platform_id,
        status=merchant_status,
        offset=offset,
        limit=limit,
    )
    return {"items": items, "total": total}


@router.get("/merchants/{merchant_id}", response_model=MerchantRead)
def read_merchant(merchant: CurrentMerchant, principal: Signed):
    check_merchant_access(principal, merchant.id, write=False)
    return merchant


@router.put("/merchants/{merchant_id}/licence", response_model=MerchantRead)
def renew_licence(
    renewal: MerchantLicenceRenewal,
    merchant: CurrentMerchant,
    db_session: DbSession,
    today: Today,
    principal: Signed,
):
    check_merchant_access(principal, merchant.id, write=True)
    return service.renew_licence(
        db_session=db_session, merchant=merchant, renewal=renewal, today=today
    )


@router.post("/merchants/{merchant_id}/review", response_model=MerchantRead)
def review_merchant(
    review: ReviewIn,
    merchant: CurrentMerchant,
    db_session: DbSession,
    today: Today,
    principal: Compliance,
):
    return reviews.review_merchant(
        db_session=db_session,
        merchant=merchant,
        review=review,
        actor=principal.name,
        today=today,
    )


@router.get("/merchants/{merchant_id}/decisions", response_model=list[ReviewDecisionRead])
def merchant_decisions(merchant: CurrentMerchant, db_session: DbSession, principal: Signed):
    check_merchant_access(principal, merchant.id, write=False)
    return reviews.get_decisions(
        db_session=db_session, subject_kind="merchant", subject_id=merchant.id
    )


@router.get("/merchants/{merchant_id}/selling/{category}", response_model=SellingCheck)
def selling_check(
    category: str,
    merchant: CurrentMerchant,
    db_session: DbSession,
    today: Today,
    principal: Signed,
):
    check_merchant_access(principal, merchant.id, write=False)
    return service.check_selling(
        db_session=db_session, merchant=merchant, category=category, on=today
    )


@router.get("/merchants/{merchant_id}/documents", response_model=list[DocumentRead])
def merchant_documents(merchant: CurrentMerchant, db_session: DbSession, principal: Signed):
    check_merchant_access(principal, merchant.id, write=False)
    return reviews.get_documents(
        db_session=db_session, owner_kind=OwnerKind.merchant, owner_id=merchant.id
    )


@router.get("/merchants/{merchant_id}/deposit", response_model=DepositRead)
def read_deposit(merchant: CurrentMerchant, db_session: DbSession, principal: Signed):
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
    merchant_id: int,
    db_session: DbSession,
    principal: CaseWork,
):
    # Locked, so two deductions at once cannot both pass the balance check.
    merchant = service.get_merchant(db_session=db_session, merchant_id=merchant_id, for_update=True)
    return deposits.record_movement(
        db_session=db_session, merchant=merchant, movement_in=movement_in, actor=principal.name
    )


@router.get("/public/merchants/{merchant_id}", response_model=MerchantPublic, tags=["public"])
def public_merchant(merchant_id: int, db_session: DbSession, today: Today):
    """The licence information 电子商务法 art. 15 requires a shop to show: no sign-in."""
    merchant = service.get_merchant(db_session=db_session, merchant_id=merchant_id)
    permits = service.approved_documents(
        db_session=db_session, owner_kind="merchant", owner_id=merchant.id, on=today
    )
    public = MerchantPublic.model_validate(merchant)
    public.permits = [DocumentPublic.model_validate(p) for p in permits]
    return public


# Anchors, MCNs, relations


@router.post("/anchors", status_code=status.HTTP_201_CREATED, response_model=AnchorRead)
def create_anchor(anchor_in: AnchorCreate, db_session: DbSession, cipher: Cipher, _: Compliance):
    return service.create_anchor(db_session=db_session, anchor_in=anchor_in, cipher=cipher)


@router.get("/anchors", response_model=Page[AnchorRead])
def list_anchors(
    db_session: DbSession,
    _: AnyStaff,
    platform_id: int | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
):
    items, total = service.get_all_anchors(
        db_session=db_session, platform_id=platform_id, offset=offset, limit=limit
    )
    return {"items": items, "total": total}


@router.get("/anchors/{anchor_id}", response_model=AnchorRead)
def read_anchor(anchor: CurrentAnchor, _: AnyStaff):
    return anchor


@router.post("/anchors/{anchor_id}/review", response_model=AnchorRead)
def review_anchor(
    review: ReviewIn,
    anchor: CurrentAnchor,
    db_session: DbSession,
    today: Today,
    principal: Compliance,
):
    return reviews.review_anchor(
        db_session=db_session, anchor=anchor, review=review, actor=principal.name, today=today
    )


class IdentityRequest(BaseModel):
    purpose: str = Field(
        min_length=5,
        max_length=500,
        description="why the full identity is needed, e.g. a case number",
    )


@router.post("/anchors/{anchor_id}/identity", response_model=AnchorIdentity)
def reveal_identity(
    request_in: IdentityRequest,
    anchor: CurrentAnchor,
    db_session: DbSession,
    cipher: Cipher,
    principal: CaseWork,
):
    """The anchor's full real-name identity; every access is recorded with its purpose."""
    real_name, id_number = service.reveal_anchor_identity(anchor=anchor, cipher=cipher)
    privacy_service.record_access(
        db_session=db_session,
        accessed_by=principal.name,
        subject_kind="anchor",
        subject_id=anchor.id,
        fields=["real_name", "id_number"],
        purpose=request_in.purpose,
    )
    return AnchorIdentity(anchor_id=anchor.id, real_name=real_name, id_number=id_number)


@router.post("/mcns", status_code=status.HTTP_201_CREATED, response_model=McnRead)
def create_mcn(mcn_in: McnCreate, db_session: DbSession, _: Compliance):
    return service.create_mcn(db_session=db_session, mcn_in=mcn_in)


@router.get("/mcns", response_model=list[McnRead])
def list_mcns(db_session: DbSession, _: AnyStaff):
    return service.get_all_mcns(db_session=db_session)


@router.post("/relations", status_code=status.HTTP_201_CREATED, response_model=RelationRead)
def create_relation(relation_in: RelationCreate, db_session: DbSession, _: Compliance):
    return service.create_relation(db_session=db_session, relation_in=relation_in)


@router.get("/relations", response_model=list[RelationRead])
def list_relations(
    db_session: DbSession,
    _: AnyStaff,
    anchor_id: int | None = None,
    merchant_id: int | None = None,
):
    return service.get_relations(
        db_session=db_session, anchor_id=anchor_id, merchant_id=merchant_id
    )


# Consumers and staff


@router.post("/consumers", status_code=status.HTTP_201_CREATED, response_model=ConsumerRead)
def create_consumer(
    consumer_in: ConsumerCreate, db_session: DbSession, cipher: Cipher, _: Compliance
):
    return service.create_consumer(db_session=db_session, consumer_in=consumer_in, cipher=cipher)


@router.get("/consumers/{consumer_id}", response_model=ConsumerRead)
def read_consumer(consumer_id: int, db_session: DbSession, principal: Signed):
    if not principal.is_staff and not (
        principal.kind is PrincipalKind.consumer and principal.id == consumer_id
    ):
        raise Forbidden("a consumer can see only their own record")
    return service.get_consumer(db_session=db_session, consumer_id=consumer_id)


@router.post("/staff", status_code=status.HTTP_201_CREATED, response_model=StaffRead)
def create_staff(staff_in: StaffCreate, db_session: DbSession, _: Admin):
    return service.create_staff(db_session=db_session, staff_in=staff_in)


@router.get("/staff", response_model=list[StaffRead])
def list_staff(db_session: DbSession, _: Admin):
    return service.get_all_staff(db_session=db_session)


# Documents and the review queue


@router.post("/documents", status_code=status.HTTP_201_CREATED, response_model=DocumentRead)
def upload_document(
    db_session: DbSession,
    blobs: Blobs,
    today: Today,
    principal: Signed,
    file: Annotated[UploadFile, File(description="PDF, JPEG, PNG or WebP scan")],
    owner_kind: Annotated[str, Form()],
    owner_id: Annotated[int, Form()],
    doc_type: Annotated[str, Form()],
    number: Annotated[str, Form()],
    issuer: Annotated[str, Form()],
    valid_from: Annotated[str, Form()],
    valid_to: Annotated[str | None, Form()] = None,
):
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
        raise Forbidden("only staff can file documents for anchors and MCN agencies")
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
def read_document(document: CurrentDocument, principal: Signed):
    if document.owner_kind is OwnerKind.merchant:
        check_merchant_access(principal, document.owner_id, write=False)
    elif not principal.is_staff:
        raise Forbidden("only staff can read this document")
    return document


@router.get("/documents/{document_id}/file")
def document_file(document: CurrentDocument, blobs: Blobs, principal: Signed):
    read_document(document, principal)
    return Response(blobs.get(document.file_sha256), media_type=document.content_type)


@router.post("/documents/{document_id}/review", response_model=DocumentRead)
def review_document(
    review: ReviewIn, document: CurrentDocument, db_session: DbSession, principal: Compliance
):
    return reviews.review_document(
        db_session=db_session, document=document, review=review, actor=principal.name
    )


@router.get("/reviews", response_model=ReviewQueue)
def review_queue(db_session: DbSession, today: Today, _: AnyStaff):
    merchants, anchors, documents = reviews.review_queue(db_session=db_session, today=today)
    return {"merchants": merchants, "anchors": anchors, "documents": documents}


@router.post("/reverification", response_model=ReverificationReport)
def run_reverification(db_session: DbSession, today: Today, _: Compliance):
    return reviews.reverify(db_session=db_session, today=today)
