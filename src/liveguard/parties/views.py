"""Parties routes. Thin: validate, call the service, shape the answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from liveguard.bounds import INT32_MAX, Id
from liveguard.errors import Forbidden
from liveguard.parties import reviews, service
from liveguard.parties.enums import PartyStatus
from liveguard.parties.models import (
    Anchor,
    AnchorRelation,
    Consumer,
    McnAgency,
    Merchant,
    Platform,
    QualificationDocument,
    Staff,
)
from liveguard.parties.schemas import (
    AnchorCreate,
    AnchorIdentity,
    AnchorRead,
    ConsumerCreate,
    ConsumerRead,
    DocumentPublic,
    IdentityRequest,
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
    SellingCheck,
    StaffCreate,
    StaffRead,
)
from liveguard.privacy import service as privacy_service
from liveguard.vocab import PrincipalKind
from liveguard.web.deps import (
    Admin,
    AnyStaff,
    CaseWork,
    Cipher,
    Compliance,
    DbSession,
    Signed,
    Today,
)
from liveguard.web.permissions import check_merchant_access

router = APIRouter(tags=["parties"])


# Lookups depend on a signed-in caller, so an anonymous request is refused before it can
# learn whether an id exists. Routes still check the caller's role or ownership.
def current_merchant(merchant_id: Id, db_session: DbSession, _: Signed) -> Merchant:
    return service.get_merchant(db_session=db_session, merchant_id=merchant_id)


def current_anchor(anchor_id: Id, db_session: DbSession, _: Signed) -> Anchor:
    return service.get_anchor(db_session=db_session, anchor_id=anchor_id)


def current_document(document_id: Id, db_session: DbSession, _: Signed) -> QualificationDocument:
    return reviews.get_document(db_session=db_session, document_id=document_id)


CurrentMerchant = Annotated[Merchant, Depends(current_merchant)]
CurrentAnchor = Annotated[Anchor, Depends(current_anchor)]
CurrentDocument = Annotated[QualificationDocument, Depends(current_document)]


# Platforms


@router.post("/platforms", status_code=status.HTTP_201_CREATED, response_model=PlatformRead)
def create_platform(platform_in: PlatformCreate, db_session: DbSession, _: Admin) -> Platform:
    return service.create_platform(db_session=db_session, platform_in=platform_in)


@router.get("/platforms", response_model=list[PlatformRead])
def list_platforms(db_session: DbSession, _: AnyStaff) -> Sequence[Platform]:
    return service.get_all_platforms(db_session=db_session)


# Merchants


@router.post("/merchants", status_code=status.HTTP_201_CREATED, response_model=MerchantRead)
def create_merchant(
    merchant_in: MerchantCreate,
    db_session: DbSession,
    cipher: Cipher,
    today: Today,
    _: Compliance,
) -> Merchant:
    return service.create_merchant(
        db_session=db_session, merchant_in=merchant_in, cipher=cipher, today=today
    )


@router.get("/merchants", response_model=Page[MerchantRead])
def list_merchants(
    db_session: DbSession,
    _: AnyStaff,
    platform_id: Id | None = None,
    merchant_status: Annotated[PartyStatus | None, Query(alias="status")] = None,
    offset: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, list[Merchant] | int]:
    items, total = service.get_all_merchants(
        db_session=db_session,
        platform_id=platform_id,
        status=merchant_status,
        offset=offset,
        limit=limit,
    )
    return {"items": items, "total": total}


@router.get("/merchants/{merchant_id}", response_model=MerchantRead)
def read_merchant(merchant: CurrentMerchant, principal: Signed) -> Merchant:
    check_merchant_access(principal, merchant.id, write=False)
    return merchant


@router.put("/merchants/{merchant_id}/licence", response_model=MerchantRead)
def renew_licence(
    renewal: MerchantLicenceRenewal,
    merchant: CurrentMerchant,
    db_session: DbSession,
    today: Today,
    principal: Signed,
) -> Merchant:
    check_merchant_access(principal, merchant.id, write=True)
    return service.renew_licence(
        db_session=db_session, merchant=merchant, renewal=renewal, today=today
    )


@router.get("/merchants/{merchant_id}/selling/{category}", response_model=SellingCheck)
def selling_check(
    category: str,
    merchant: CurrentMerchant,
    db_session: DbSession,
    today: Today,
    principal: Signed,
) -> SellingCheck:
    check_merchant_access(principal, merchant.id, write=False)
    return service.check_selling(
        db_session=db_session, merchant=merchant, category=category, on=today
    )


@router.get("/public/merchants/{merchant_id}", response_model=MerchantPublic, tags=["public"])
def public_merchant(merchant_id: Id, db_session: DbSession, today: Today) -> MerchantPublic:
    """The licence information E-Commerce Law art. 15 requires a shop to show: no sign-in."""
    merchant = service.get_merchant(db_session=db_session, merchant_id=merchant_id)
    permits = service.approved_documents(
        db_session=db_session, owner_kind="merchant", owner_id=merchant.id, on=today
    )
    public = MerchantPublic.model_validate(merchant)
    public.permits = [DocumentPublic.model_validate(p) for p in permits]
    return public


# Anchors, MCNs, relations


@router.post("/anchors", status_code=status.HTTP_201_CREATED, response_model=AnchorRead)
def create_anchor(
    anchor_in: AnchorCreate, db_session: DbSession, cipher: Cipher, _: Compliance
) -> Anchor:
    return service.create_anchor(db_session=db_session, anchor_in=anchor_in, cipher=cipher)


@router.get("/anchors", response_model=Page[AnchorRead])
def list_anchors(
    db_session: DbSession,
    _: AnyStaff,
    platform_id: Id | None = None,
    offset: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, list[Anchor] | int]:
    items, total = service.get_all_anchors(
        db_session=db_session, platform_id=platform_id, offset=offset, limit=limit
    )
    return {"items": items, "total": total}


@router.get("/anchors/{anchor_id}", response_model=AnchorRead)
def read_anchor(anchor: CurrentAnchor, _: AnyStaff) -> Anchor:
    return anchor


@router.post("/anchors/{anchor_id}/identity", response_model=AnchorIdentity)
def reveal_identity(
    request_in: IdentityRequest,
    anchor: CurrentAnchor,
    db_session: DbSession,
    cipher: Cipher,
    principal: CaseWork,
) -> AnchorIdentity:
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
def create_mcn(mcn_in: McnCreate, db_session: DbSession, _: Compliance) -> McnAgency:
    return service.create_mcn(db_session=db_session, mcn_in=mcn_in)


@router.get("/mcns", response_model=list[McnRead])
def list_mcns(db_session: DbSession, _: AnyStaff) -> Sequence[McnAgency]:
    return service.get_all_mcns(db_session=db_session)


@router.post("/relations", status_code=status.HTTP_201_CREATED, response_model=RelationRead)
def create_relation(
    relation_in: RelationCreate, db_session: DbSession, _: Compliance
) -> AnchorRelation:
    return service.create_relation(db_session=db_session, relation_in=relation_in)


@router.get("/relations", response_model=list[RelationRead])
def list_relations(
    db_session: DbSession,
    _: AnyStaff,
    anchor_id: Id | None = None,
    merchant_id: Id | None = None,
) -> Sequence[AnchorRelation]:
    return service.get_relations(
        db_session=db_session, anchor_id=anchor_id, merchant_id=merchant_id
    )


# Consumers and staff


@router.post("/consumers", status_code=status.HTTP_201_CREATED, response_model=ConsumerRead)
def create_consumer(
    consumer_in: ConsumerCreate, db_session: DbSession, cipher: Cipher, _: Compliance
) -> Consumer:
    return service.create_consumer(db_session=db_session, consumer_in=consumer_in, cipher=cipher)


@router.get("/consumers/{consumer_id}", response_model=ConsumerRead)
def read_consumer(consumer_id: Id, db_session: DbSession, principal: Signed) -> Consumer:
    if not principal.is_staff and not (
        principal.kind is PrincipalKind.consumer and principal.id == consumer_id
    ):
        raise Forbidden("a consumer can see only their own record")
    return service.get_consumer(db_session=db_session, consumer_id=consumer_id)


@router.post("/staff", status_code=status.HTTP_201_CREATED, response_model=StaffRead)
def create_staff(staff_in: StaffCreate, db_session: DbSession, _: Admin) -> Staff:
    return service.create_staff(db_session=db_session, staff_in=staff_in)


@router.get("/staff", response_model=list[StaffRead])
def list_staff(db_session: DbSession, _: Admin) -> Sequence[Staff]:
    return service.get_all_staff(db_session=db_session)


# Documents and the review queue
