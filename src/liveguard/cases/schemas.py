"""API shapes for complaint cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from liveguard.bounds import Day, Id, LossFen, Moment, PriceFen
from liveguard.cases import refusals
from liveguard.cases.enums import CaseEventKind

# The enums an API shape carries, exported (``X as X``) for the web layer that fills them in.
from liveguard.cases.enums import CaseOrigin as CaseOrigin
from liveguard.cases.enums import CaseState as CaseState
from liveguard.cases.enums import PaymentChannel as PaymentChannel
from liveguard.paging import KeysetPage


class ComplaintCreate(BaseModel):
    """A complaint as the consumer (or staff on her behalf) files it."""

    model_config = ConfigDict(extra="forbid")

    consumer_id: Id | None = Field(
        default=None, description="staff filing on a consumer's behalf; a consumer files as self"
    )
    summary: str = Field(min_length=5, max_length=5000, description="what happened, in her words")
    order_id: Id | None = Field(default=None, description="the platform order, if there is one")
    paid_off_platform: bool = Field(
        default=False, description="paid outside the platform (WeChat transfer, QR code...)"
    )
    payment_channel: PaymentChannel | None = Field(
        default=None, description="how she paid, when off the platform"
    )
    price_paid_fen: PriceFen | None = Field(default=None, description="what she paid, in fen")
    session_id: Id | None = Field(default=None, description="the live session she bought in")
    occurred_at: Moment | None = Field(default=None, description="when, in that session")
    listing_id: Id | None = None
    merchant_id: Id | None = None
    anchor_id: Id | None = None
    knew_of_harm_on: Day | None = None
    facts: dict[str, Any] = Field(
        default_factory=dict, description="further facts she states, by CaseFacts field name"
    )

    @model_validator(mode="after")
    def _says_how_she_paid(self) -> ComplaintCreate:
        if self.paid_off_platform and self.order_id is not None:
            raise ValueError(refusals.sentence("order_off_platform"))
        if self.payment_channel is PaymentChannel.platform and self.paid_off_platform:
            raise ValueError(refusals.sentence("platform_off_platform"))
        # a deal with no platform at all, or made in person, has no record here to point at
        no_platform = self.facts.get("channel") in ("direct", "offline")
        where = (self.order_id, self.session_id, self.listing_id, self.merchant_id)
        if not any(where) and not no_platform:
            raise ValueError(refusals.sentence("where_missing"))
        return self


class FactsAnswer(BaseModel):
    """Answers to the questions the answer asked, by CaseFacts field name."""

    model_config = ConfigDict(extra="forbid")

    facts: dict[str, Any] = Field(min_length=1)


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_state: CaseState
    reason: str = Field(default="", max_length=5000)


class PartyAnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=2, max_length=5000)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=2, max_length=5000)


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(min_length=2, max_length=5000, description="what was decided, in words")
    amount_fen: LossFen = Field(description="what the consumer is to be paid, in fen")
    liable: list[str] = Field(default_factory=list, description="the roles held liable")


class CompensationCreate(BaseModel):
    """Platform advance compensation, taken from the merchant's deposit."""

    model_config = ConfigDict(extra="forbid")

    amount_fen: LossFen = Field(gt=0)
    reason: str = Field(min_length=2, max_length=500)


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: CaseEventKind
    from_state: CaseState | None
    to_state: CaseState | None
    actor: str
    party_role: str
    text: str
    data: dict[str, Any]
    at: datetime
    ledger_seq: int


class FileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sha256: str
    file_name: str
    content_type: str
    size_bytes: int
    ledger_seq: int


class LinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    ref: str
    ledger_seq: int | None
    summary: str
    data: dict[str, Any]


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    consumer_id: int | None
    origin: CaseOrigin
    kind: str
    state: CaseState
    summary: str
    platform_id: int | None
    merchant_id: int | None
    anchor_id: int | None
    session_id: int | None
    listing_id: int | None
    order_id: int | None
    payment_channel: PaymentChannel | None
    price_fen: int | None
    occurred_at: datetime | None
    facts: dict[str, Any]
    fact_sources: dict[str, Any]
    resolution: dict[str, Any]
    resolved_on: date | None
    due_on: date | None
    due_step: str | None
    ledger_seq: int
    filed_at: datetime
    closed_at: datetime | None
    published_at: datetime | None


class CasePage(KeysetPage[CaseRead]):
    """A page of the cases list and the cursor of the next."""


class CaseDetail(CaseRead):
    events: list[EventRead] = Field(default_factory=list)
    files: list[FileRead] = Field(default_factory=list)
    links: list[LinkRead] = Field(default_factory=list)
    next_states: list[CaseState] = Field(default_factory=list)


class OverdueRead(BaseModel):
    case_id: int
    state: CaseState
    due_step: str | None
    due_on: date
    days_overdue: int


class PublicCase(BaseModel):
    """The anonymised record published for complaint publicity: no consumer, no words
    of hers, only what was complained of, against whom, and how it ended."""

    id: int
    kind: str
    state: CaseState
    merchant: str | None
    shop_name: str | None
    merchant_id: int | None = None  # for the link to the shop's public licence page
    platform: str | None
    category: str | None
    filed_on: date
    closed_on: date | None
    liable_roles: list[str]  # whom staff found liable (the engine's answer if they named none)
    owed_fen: int | None = None  # what staff decided the consumer is owed
    outcome: str | None


class PublicationRead(BaseModel):
    """The public record as it would be published, for staff to check before they do:
    every text already scrubbed, what was masked listed, and the digest to confirm with."""

    record: PublicCase
    masked: list[str] = Field(description="field: rule, for each span of personal data masked")
    digest: str = Field(description="send it back to publish exactly this version")


class PublishCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: str = Field(
        min_length=64,
        max_length=64,
        description="the digest of the previewed version (GET /api/cases/{id}/publication)",
    )
