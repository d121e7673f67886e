"""Registering and reading parties. Services flush; the caller commits.

Reviews, documents and re-verification live in ``reviews.py``; deposits in
``deposits.py``. Other packages annotate the rows it hands out with the names it exports
(``parties_service.Merchant``) and never select them themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.orm import Session

from liveguard import paging, refusals
from liveguard.auth.passwords import hash_password
from liveguard.db import Base
from liveguard.errors import Conflict, InvalidInput, NotFound, Problems
from liveguard.parties import identifiers
from liveguard.parties.enums import PartyStatus, RelationKind, ReviewStatus
from liveguard.parties.models import (
    Anchor,
    AnchorRelation,
    Consumer,
    McnAgency,
    Platform,
    QualificationDocument,
    Staff,
)
from liveguard.parties.models import Merchant as Merchant
from liveguard.parties.qualifications import catalogue
from liveguard.parties.schemas import (
    AnchorCreate,
    ConsumerCreate,
    CreditMeasures,
    McnCreate,
    MerchantCreate,
    MerchantLicenceRenewal,
    PlatformCreate,
    RelationCreate,
    SellingCheck,
    StaffCreate,
)
from liveguard.privacy.fields import FieldCipher

M = TypeVar("M", bound=Base)


def count(*, db_session: Session, model: type[Base]) -> int:
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


def count_merchants(*, db_session: Session) -> int:
    return count(db_session=db_session, model=Merchant)


def count_anchors(*, db_session: Session) -> int:
    return count(db_session=db_session, model=Anchor)


def get_by_id(db_session: Session, model: type[M], key: int, kind: str) -> M:
    found = db_session.get(model, key)
    if found is None:
        raise NotFound(kind, key)
    return found


def paginate(
    db_session: Session, query: Select[Any], *, offset: int, limit: int
) -> tuple[list[Any], int]:
    total = db_session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db_session.scalars(query.offset(offset).limit(limit)))
    return items, int(total or 0)


def check_validity_window(
    valid_from: date, valid_to: date | None, *, today: date, prefix: str = ""
) -> None:
    """Refuse a licence or document that is expired or not yet issued."""
    problems = Problems()
    if valid_from > today:
        problems.add(
            f"{prefix}valid_from",
            refusals.sentence("parties", "issued_in_future", day=valid_from),
            refusals.fix("parties", "issued_in_future"),
        )
    if valid_to is not None and valid_to < valid_from:
        problems.add(
            f"{prefix}valid_to",
            refusals.sentence("parties", "ends_before_start"),
            refusals.fix("parties", "ends_before_start"),
        )
    elif valid_to is not None and valid_to < today:
        problems.add(
            f"{prefix}valid_to",
            refusals.sentence("parties", "expired", day=valid_to),
            refusals.fix("parties", "expired"),
        )
    problems.raise_if_any()


# Platforms


def create_platform(*, db_session: Session, platform_in: PlatformCreate) -> Platform:
    if db_session.scalar(select(Platform).where(Platform.code == platform_in.code)):
        raise Conflict(
            f"platform code {platform_in.code!r} is taken",
            field_name="code",
            fix="choose another code",
        )
    platform = Platform(**platform_in.model_dump())
    db_session.add(platform)
    db_session.flush()
    return platform


def get_platform(*, db_session: Session, platform_id: int) -> Platform:
    return get_by_id(db_session, Platform, platform_id, "platform")


def get_platform_by_code(*, db_session: Session, code: str) -> Platform | None:
    return db_session.scalar(select(Platform).where(Platform.code == code))


def get_all_platforms(*, db_session: Session) -> Sequence[Platform]:
    return db_session.scalars(select(Platform).order_by(Platform.id)).all()


# Merchants


def create_merchant(
    *, db_session: Session, merchant_in: MerchantCreate, cipher: FieldCipher, today: date
) -> Merchant:
    if db_session.get(Platform, merchant_in.platform_id) is None:
        raise InvalidInput("platform_id", f"no platform with id {merchant_in.platform_id}")
    check_validity_window(
        merchant_in.licence_valid_from,
        merchant_in.licence_valid_to,
        today=today,
        prefix="licence_",
    )
    duplicate = db_session.scalar(
        select(Merchant).where(
            Merchant.platform_id == merchant_in.platform_id,
            Merchant.credit_code == merchant_in.credit_code,
        )
    )
    if duplicate:
        raise Conflict(
            f"merchant {duplicate.id} on this platform already has this credit code",
            field_name="credit_code",
            fix="update that merchant instead of adding another",
        )
    data = merchant_in.model_dump(exclude={"contact_phone", "categories"})
    merchant = Merchant(
        **data,
        contact_phone_enc=cipher.encrypt(merchant_in.contact_phone, context="merchant.phone"),
        contact_phone_masked=identifiers.mask_phone(merchant_in.contact_phone),
        categories=sorted(set(merchant_in.categories)),
    )
    db_session.add(merchant)
    db_session.flush()
    return merchant


def get_merchant(*, db_session: Session, merchant_id: int, for_update: bool = False) -> Merchant:
    """A merchant; ``for_update`` locks the row (PostgreSQL) for a balance change."""
    if not for_update:
        return get_by_id(db_session, Merchant, merchant_id, "merchant")
    found = db_session.get(Merchant, merchant_id, with_for_update=True)
    if found is None:
        raise NotFound("merchant", merchant_id)
    return found


def get_all_merchants(
    *,
    db_session: Session,
    platform_id: int | None = None,
    status: PartyStatus | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Merchant], int]:
    query = select(Merchant).order_by(Merchant.id)
    if platform_id is not None:
        query = query.where(Merchant.platform_id == platform_id)
    if status is not None:
        query = query.where(Merchant.status == status)
    return paginate(db_session, query, offset=offset, limit=limit)


def _status(filters: paging.ListQuery) -> PartyStatus | None:
    statuses = {s.value: s for s in PartyStatus}
    found: PartyStatus | None = paging.one_of("status", filters.status, statuses, "party_status")
    return found


def search_merchants(
    *,
    db_session: Session,
    filters: paging.ListQuery,
    after: str | None = None,
    limit: int = paging.DEFAULT_PAGE,
) -> paging.Page[Merchant]:
    """A page of merchants: text in the company or shop name or credit code (or an id),
    status, category sold, platform, Beijing dates registered; newest or oldest first."""
    query = select(Merchant)
    status = _status(filters)
    if status is not None:
        query = query.where(Merchant.status == status)
    if filters.category:
        if catalogue().category(filters.category) is None:
            raise paging.no_such_category(filters.category)
        # a JSON list of codes, as text on both backends: '["food", "apparel"]'
        query = query.where(cast(Merchant.categories, String).contains(f'"{filters.category}"'))
    if filters.platform_id is not None:
        query = query.where(Merchant.platform_id == filters.platform_id)
    if filters.merchant_id is not None:
        query = query.where(Merchant.id == filters.merchant_id)
    query = paging.matching(
        query, filters.q, [Merchant.name, Merchant.shop_name, Merchant.credit_code], Merchant.id
    )
    query = paging.in_days(query, Merchant.created_at, filters)
    return paging.keyset_page(
        db_session,
        query,
        order=Merchant.created_at,
        ident=Merchant.id,
        sort=filters.sort,
        after=after,
        limit=limit,
    )


def search_anchors(
    *,
    db_session: Session,
    filters: paging.ListQuery,
    after: str | None = None,
    limit: int = paging.DEFAULT_PAGE,
) -> paging.Page[Anchor]:
    """A page of anchors: text in the nickname (or an id), status, platform, Beijing dates
    registered; newest or oldest first. Real names stay sealed: never searched here."""
    query = select(Anchor)
    status = _status(filters)
    if status is not None:
        query = query.where(Anchor.status == status)
    if filters.platform_id is not None:
        query = query.where(Anchor.platform_id == filters.platform_id)
    if filters.anchor_id is not None:
        query = query.where(Anchor.id == filters.anchor_id)
    query = paging.matching(query, filters.q, [Anchor.nickname], Anchor.id)
    query = paging.in_days(query, Anchor.created_at, filters)
    return paging.keyset_page(
        db_session,
        query,
        order=Anchor.created_at,
        ident=Anchor.id,
        sort=filters.sort,
        after=after,
        limit=limit,
    )


def category_of(code: str) -> Any:
    """The product category of ``code`` in the qualification catalogue, or None."""
    return catalogue().category(code)


def platform_names(*, db_session: Session) -> dict[int, str]:
    """Every platform's name by id (few: a filter's choices, an export's column)."""
    return {p.id: p.name for p in get_all_platforms(db_session=db_session)}


def renew_licence(
    *, db_session: Session, merchant: Merchant, renewal: MerchantLicenceRenewal, today: date
) -> Merchant:
    check_validity_window(
        renewal.licence_valid_from, renewal.licence_valid_to, today=today, prefix="licence_"
    )
    merchant.licence_valid_from = renewal.licence_valid_from
    merchant.licence_valid_to = renewal.licence_valid_to
    db_session.flush()
    return merchant


def approved_documents(
    *, db_session: Session, owner_kind: str, owner_id: int, on: date
) -> list[QualificationDocument]:
    """Documents approved by a reviewer and in force on the given day."""
    query = select(QualificationDocument).where(
        QualificationDocument.owner_kind == owner_kind,
        QualificationDocument.owner_id == owner_id,
        QualificationDocument.status == ReviewStatus.approved,
        QualificationDocument.valid_from <= on,
    )
    return [d for d in db_session.scalars(query) if d.valid_to is None or d.valid_to >= on]


def check_selling(
    *, db_session: Session, merchant: Merchant, category: str, on: date
) -> SellingCheck:
    """May this merchant sell in this category today? With every reason it may not."""
    reasons: list[str] = []
    spec = catalogue().category(category)
    if spec is None:
        raise InvalidInput("category", f"unknown category {category!r}")
    if merchant.status is not PartyStatus.active:
        reasons.append(f"the merchant is {merchant.status.value}: {merchant.status_reason or ''}")
    if merchant.licence_valid_to is not None and merchant.licence_valid_to < on:
        reasons.append(f"the business licence expired on {merchant.licence_valid_to}")
    if category not in merchant.categories:
        reasons.append(f"{category} is not among the merchant's registered categories")
    held = {
        d.doc_type
        for d in approved_documents(
            db_session=db_session, owner_kind="merchant", owner_id=merchant.id, on=on
        )
    }
    for group in spec.missing(held):
        names = " or ".join(catalogue().document_name(code) for code in group)
        reasons.append(f"no approved, unexpired {names}")
    return SellingCheck(
        merchant_id=merchant.id, category=category, may_sell=not reasons, reasons=reasons
    )


# MCN agencies and anchors


def create_mcn(*, db_session: Session, mcn_in: McnCreate) -> McnAgency:
    if db_session.scalar(select(McnAgency).where(McnAgency.credit_code == mcn_in.credit_code)):
        raise Conflict("an MCN agency with this credit code exists", field_name="credit_code")
    mcn = McnAgency(**mcn_in.model_dump())
    db_session.add(mcn)
    db_session.flush()
    return mcn


def get_mcn(*, db_session: Session, mcn_id: int) -> McnAgency:
    return get_by_id(db_session, McnAgency, mcn_id, "MCN agency")


def get_all_mcns(*, db_session: Session) -> Sequence[McnAgency]:
    return db_session.scalars(select(McnAgency).order_by(McnAgency.id)).all()


def create_anchor(*, db_session: Session, anchor_in: AnchorCreate, cipher: FieldCipher) -> Anchor:
    if db_session.get(Platform, anchor_in.platform_id) is None:
        raise InvalidInput("platform_id", f"no platform with id {anchor_in.platform_id}")
    index = cipher.blind_index(anchor_in.id_number, context="anchor.id_number")
    duplicate = db_session.scalar(
        select(Anchor).where(
            Anchor.platform_id == anchor_in.platform_id, Anchor.id_number_index == index
        )
    )
    if duplicate:
        raise Conflict(
            f"this person is already registered as anchor {duplicate.id} on this platform",
            field_name="id_number",
            fix="one real person holds one anchor identity per platform",
        )
    anchor = Anchor(
        platform_id=anchor_in.platform_id,
        nickname=anchor_in.nickname,
        real_name_enc=cipher.encrypt(anchor_in.real_name, context="anchor.real_name"),
        real_name_masked=identifiers.mask_name(anchor_in.real_name),
        id_number_enc=cipher.encrypt(anchor_in.id_number, context="anchor.id_number"),
        id_number_index=index,
        id_number_masked=identifiers.mask_id_number(anchor_in.id_number),
    )
    db_session.add(anchor)
    db_session.flush()
    return anchor


def get_anchor(*, db_session: Session, anchor_id: int) -> Anchor:
    return get_by_id(db_session, Anchor, anchor_id, "anchor")


def get_all_anchors(
    *, db_session: Session, platform_id: int | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[Anchor], int]:
    query = select(Anchor).order_by(Anchor.id)
    if platform_id is not None:
        query = query.where(Anchor.platform_id == platform_id)
    return paginate(db_session, query, offset=offset, limit=limit)


def reveal_anchor_identity(*, anchor: Anchor, cipher: FieldCipher) -> tuple[str, str]:
    """The anchor's real name and ID number in clear. Callers record the access."""
    return (
        cipher.decrypt(anchor.real_name_enc, context="anchor.real_name"),
        cipher.decrypt(anchor.id_number_enc, context="anchor.id_number"),
    )


_RELATION_ENDS = {
    RelationKind.signed_with_mcn: ("anchor_id", "mcn_id"),
    RelationKind.sells_for_merchant: ("anchor_id", "merchant_id"),
    RelationKind.mcn_serves_merchant: ("mcn_id", "merchant_id"),
    RelationKind.staff_of_merchant: ("anchor_id", "merchant_id"),
}
_END_MODELS: dict[str, tuple[type[Base], str]] = {
    "anchor_id": (Anchor, "anchor"),
    "mcn_id": (McnAgency, "MCN agency"),
    "merchant_id": (Merchant, "merchant"),
}


def create_relation(*, db_session: Session, relation_in: RelationCreate) -> AnchorRelation:
    problems = Problems()
    needed = _RELATION_ENDS[relation_in.kind]
    for end, (model, kind) in _END_MODELS.items():
        value = getattr(relation_in, end)
        if end in needed and value is None:
            problems.add(end, f"a {relation_in.kind.value} relation needs {end}")
        elif end not in needed and value is not None:
            problems.add(
                end, f"a {relation_in.kind.value} relation does not take {end}", "leave it out"
            )
        elif value is not None and db_session.get(model, value) is None:
            problems.add(end, f"no {kind} with id {value}")
    if relation_in.ends_on is not None and relation_in.ends_on < relation_in.starts_on:
        problems.add("ends_on", "ends before it starts")
    problems.raise_if_any()
    relation = AnchorRelation(**relation_in.model_dump())
    db_session.add(relation)
    db_session.flush()
    return relation


def get_relations(
    *,
    db_session: Session,
    anchor_id: int | None = None,
    merchant_id: int | None = None,
    mcn_id: int | None = None,
) -> Sequence[AnchorRelation]:
    query = select(AnchorRelation).order_by(AnchorRelation.id)
    if mcn_id is not None:
        query = query.where(AnchorRelation.mcn_id == mcn_id)
    if anchor_id is not None:
        query = query.where(AnchorRelation.anchor_id == anchor_id)
    if merchant_id is not None:
        query = query.where(AnchorRelation.merchant_id == merchant_id)
    return db_session.scalars(query).all()


def set_credit_measures(
    *, db_session: Session, merchant: Merchant, measures: CreditMeasures | None
) -> Merchant:
    """What a credit listing asks of this merchant (None: nothing): the deposit required
    and how its listings are reviewed. Set and cleared by the credit capability."""
    merchant.credit_measures = measures.model_dump(mode="json") if measures else {}
    db_session.flush()
    return merchant


def credit_measures(merchant: Merchant) -> CreditMeasures | None:
    """The merchant's credit measures in force, or None."""
    if not merchant.credit_measures:
        return None
    return CreditMeasures.model_validate(merchant.credit_measures)


# Consumers and staff


def create_consumer(
    *, db_session: Session, consumer_in: ConsumerCreate, cipher: FieldCipher
) -> Consumer:
    index = cipher.blind_index(consumer_in.phone, context="consumer.phone")
    if db_session.scalar(select(Consumer).where(Consumer.phone_index == index)):
        raise Conflict("a consumer with this phone number exists", field_name="phone")
    consumer = Consumer(
        nickname=consumer_in.nickname,
        phone_enc=cipher.encrypt(consumer_in.phone, context="consumer.phone"),
        phone_index=index,
        phone_masked=identifiers.mask_phone(consumer_in.phone),
    )
    db_session.add(consumer)
    db_session.flush()
    return consumer


def get_consumer(*, db_session: Session, consumer_id: int) -> Consumer:
    return get_by_id(db_session, Consumer, consumer_id, "consumer")


def get_consumer_by_phone(
    *, db_session: Session, phone: str, cipher: FieldCipher
) -> Consumer | None:
    """The consumer with this (normalised) mobile number, found by its blind index."""
    index = cipher.blind_index(phone, context="consumer.phone")
    return db_session.scalar(select(Consumer).where(Consumer.phone_index == index))


def erase_consumer(*, db_session: Session, consumer: Consumer) -> list[str]:
    """Erase a consumer's personal fields (个人信息保护法 art. 47); the row stays, so her
    cases, orders and requests keep their numbers. The fields erased."""
    consumer.nickname = "已删除用户"
    consumer.phone_enc = ""
    consumer.phone_index = f"erased:{consumer.id}"
    consumer.phone_masked = "已删除"
    db_session.flush()
    return ["nickname", "phone"]


def create_staff(*, db_session: Session, staff_in: StaffCreate) -> Staff:
    if get_staff_by_username(db_session=db_session, username=staff_in.username):
        raise Conflict(f"user name {staff_in.username!r} is taken", field_name="username")
    staff = Staff(
        username=staff_in.username,
        display_name=staff_in.display_name,
        role=staff_in.role,
        password_hash=hash_password(staff_in.password) if staff_in.password else None,
    )
    db_session.add(staff)
    db_session.flush()
    return staff


def get_staff(*, db_session: Session, staff_id: int) -> Staff:
    return get_by_id(db_session, Staff, staff_id, "staff member")


def get_staff_by_username(*, db_session: Session, username: str) -> Staff | None:
    return db_session.scalar(select(Staff).where(Staff.username == username))


def get_all_staff(*, db_session: Session) -> Sequence[Staff]:
    return db_session.scalars(select(Staff).order_by(Staff.id)).all()


def merchant_ids(*, db_session: Session) -> frozenset[int]:
    """Every registered merchant's id: what a bulk import checks its shop column against."""
    return frozenset(db_session.scalars(select(Merchant.id)))


def merchant_names(*, db_session: Session, merchant_ids: Sequence[int]) -> dict[int, str]:
    """Shop names by merchant id, in one query (for reports' tables)."""
    ids = sorted(set(merchant_ids))
    if not ids:
        return {}
    rows = db_session.execute(
        select(Merchant.id, Merchant.shop_name).where(Merchant.id.in_(ids))
    ).all()
    return {pk: name for pk, name in rows}


def anchor_names(*, db_session: Session, anchor_ids: Sequence[int]) -> dict[int, str]:
    """Anchors' nicknames by id, in one query (for reports' tables)."""
    ids = sorted(set(anchor_ids))
    if not ids:
        return {}
    rows = db_session.execute(select(Anchor.id, Anchor.nickname).where(Anchor.id.in_(ids))).all()
    return {pk: name for pk, name in rows}
