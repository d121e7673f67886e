"""API shapes for parties. Personal fields come in clear and go out masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from liveguard.bounds import Day, DepositFen, Id
from liveguard.legal import LegalBasis
from liveguard.paging import KeysetPage
from liveguard.parties import identifiers

# The enums an API shape carries, exported (``X as X``) for the web layer that fills them in.
from liveguard.parties.enums import Decision as Decision
from liveguard.parties.enums import MovementKind, PartyStatus, RelationKind, ReviewStatus
from liveguard.parties.enums import OwnerKind as OwnerKind
from liveguard.parties.qualifications import catalogue
from liveguard.vocab import StaffRole

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CreditCode = Annotated[str, AfterValidator(identifiers.validate_uscc)]
IdNumber = Annotated[str, AfterValidator(identifiers.validate_id_number)]


def _phone(value: str) -> str:
    digits = value.strip().replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if not (len(digits) == 11 and digits.isdigit() and digits[0] == "1"):
        raise ValueError("a mainland mobile number has 11 digits starting with 1")
    return digits


def _category(value: str) -> str:
    if catalogue().category(value) is None:
        known = ", ".join(c.code for c in catalogue().categories)
        raise ValueError(f"unknown category {value!r}; use one of: {known}")
    return value


def _document_type(value: str) -> str:
    if catalogue().document_type(value) is None:
        known = ", ".join(d.code for d in catalogue().document_types)
        raise ValueError(f"unknown document type {value!r}; use one of: {known}")
    return value


Phone = Annotated[str, AfterValidator(_phone)]
CategoryCode = Annotated[str, AfterValidator(_category)]
DocumentTypeCode = Annotated[str, AfterValidator(_document_type)]

T = TypeVar("T")


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Output, Generic[T]):
    items: list[T]
    total: int


# Platforms


class PlatformCreate(Input):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")]
    name: Text
    operator_name: Text
    credit_code: CreditCode
    website: str | None = None


class PlatformRead(Output):
    id: int
    code: str
    name: str
    operator_name: str
    credit_code: str
    website: str | None


# Merchants


class MerchantCreate(Input):
    platform_id: Id
    name: Text = Field(description="the registered name on the business licence")
    shop_name: Text
    credit_code: CreditCode
    legal_representative: Text
    address: Text
    contact_phone: Phone
    licence_valid_from: Day
    licence_valid_to: Day | None = Field(
        default=None, description="null for a licence without end date"
    )
    categories: list[CategoryCode] = Field(min_length=1)
    self_operated: bool = False


class MerchantLicenceRenewal(Input):
    licence_valid_from: Day
    licence_valid_to: Day | None = None


class MerchantRead(Output):
    id: int
    platform_id: int
    name: str
    shop_name: str
    credit_code: str
    legal_representative: str
    address: str
    contact_phone_masked: str
    licence_valid_from: date
    licence_valid_to: date | None
    categories: list[str]
    self_operated: bool
    status: PartyStatus
    status_reason: str | None
    deposit_balance_fen: int
    last_verified_at: datetime | None


class MerchantPublic(Output):
    """What E-Commerce Law art. 15 says a shop must show everyone: its licence information."""

    id: int
    name: str
    shop_name: str
    credit_code: str
    address: str
    licence_valid_from: date
    licence_valid_to: date | None
    categories: list[str]
    status: PartyStatus
    permits: list[DocumentPublic] = []


class SellingCheck(BaseModel):
    merchant_id: int
    category: str
    may_sell: bool
    reasons: list[str]


# Anchors, MCNs, relations


class MerchantPage(KeysetPage[MerchantRead]):
    """A page of the merchants list and the cursor of the next."""


class AnchorCreate(Input):
    platform_id: Id
    nickname: Text
    real_name: Text
    id_number: IdNumber


class AnchorRead(Output):
    id: int
    platform_id: int
    nickname: str
    real_name_masked: str
    id_number_masked: str
    status: PartyStatus
    status_reason: str | None
    verified_at: datetime | None
    reverify_due: date | None


class AnchorPage(KeysetPage[AnchorRead]):
    """A page of the anchors list and the cursor of the next."""


class IdentityRequest(Input):
    purpose: str = Field(
        min_length=5,
        max_length=500,
        description="why the full identity is needed, e.g. a case number",
    )


class AnchorIdentity(BaseModel):
    """The anchor's full identity, for the few who need it (an access is recorded)."""

    anchor_id: int
    real_name: str
    id_number: str


class McnCreate(Input):
    name: Text
    credit_code: CreditCode


class McnRead(Output):
    id: int
    name: str
    credit_code: str
    status: PartyStatus


class RelationCreate(Input):
    kind: RelationKind
    anchor_id: Id | None = None
    mcn_id: Id | None = None
    merchant_id: Id | None = None
    starts_on: Day
    ends_on: Day | None = None
    contract_ref: str | None = None


class RelationRead(Output):
    id: int
    kind: RelationKind
    anchor_id: int | None
    mcn_id: int | None
    merchant_id: int | None
    starts_on: date
    ends_on: date | None
    contract_ref: str | None


# Consumers and staff


class ConsumerCreate(Input):
    nickname: Text
    phone: Phone


class ConsumerRead(Output):
    id: int
    nickname: str
    phone_masked: str


class StaffCreate(Input):
    username: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]{2,60}$")]
    display_name: Text
    role: StaffRole
    password: Annotated[str, StringConstraints(min_length=8, max_length=200)] | None = None


class StaffRead(Output):
    id: int
    username: str
    display_name: str
    role: StaffRole
    active: bool


# Documents, reviews, deposits


class DocumentMeta(Input):
    owner_kind: OwnerKind
    owner_id: Id
    doc_type: DocumentTypeCode
    number: Text
    issuer: Text
    valid_from: Day
    valid_to: Day | None = None


class DocumentRead(Output):
    id: int
    owner_kind: OwnerKind
    owner_id: int
    doc_type: str
    number: str
    issuer: str
    valid_from: date
    valid_to: date | None
    file_sha256: str
    file_name: str
    content_type: str
    size_bytes: int
    status: ReviewStatus
    status_reason: str | None
    created_at: datetime


class DocumentPublic(Output):
    doc_type: str
    number: str
    issuer: str
    valid_to: date | None


class ReviewIn(Input):
    decision: Decision
    reason: str | None = Field(default=None, max_length=2000)


class ReviewDecisionRead(Output):
    id: int
    subject_kind: str
    subject_id: int
    decision: Decision
    reason: str | None
    decided_by: str
    decided_at: datetime


class ReviewQueue(BaseModel):
    merchants: list[MerchantRead]
    anchors: list[AnchorRead]
    documents: list[DocumentRead]


class DepositMovementCreate(Input):
    kind: MovementKind
    amount_fen: DepositFen = Field(description="positive integer fen; the kind gives the sign")
    reason: Text


class DepositMovementRead(Output):
    id: int
    merchant_id: int
    kind: MovementKind
    amount_fen: int
    balance_after_fen: int
    reason: str
    recorded_by: str
    recorded_at: datetime


class CreditMeasures(BaseModel):
    """What a credit listing asks of a merchant while it is in force (set by the credit
    capability from its data file): ``listing_review`` manual (every new version waits for
    a person), fast (first in the staff queue) or normal; the deposit as a percentage of
    what the categories ask; the list and the words and basis to show."""

    list_kind: str
    listing_review: str = "normal"
    deposit_percent: int = Field(default=100, ge=100, le=1000)
    text_zh: str = ""
    basis: list[LegalBasis] = Field(default_factory=list)


class DepositRead(BaseModel):
    merchant_id: int
    required_fen: int
    balance_fen: int
    shortfall_fen: int
    movements: list[DepositMovementRead]


class ReverificationReport(BaseModel):
    checked: int
    suspended: list[int]
    reinstated: list[int]
    anchors_due: list[int]
    documents_expired: list[int] = Field(
        default=[],
        description="approved permits now past their end date: that category "
        "is blocked until a renewed permit is approved",
    )
