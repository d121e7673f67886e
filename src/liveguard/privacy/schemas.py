"""API shapes for consents, the marketing send gate, the buyer's own view of her data and
her requests, and the access log. Personal fields go out masked unless the route is the
logged reveal."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from liveguard import refusals
from liveguard.bounds import Count, Id, Moment
from liveguard.privacy.enums import (
    Channel,
    ConsentMethod,
    HolderKind,
    Purpose,
    Refusal,
    RequestKind,
    RequestStatus,
)

MAX_RECIPIENTS = 200_000  # one bulk check; the benchmark runs 100,000


class ConsentCreate(BaseModel):
    """A consent as the buyer gave it: the exact words she was shown and the form."""

    model_config = ConfigDict(extra="forbid")

    consumer_id: Id
    holder_kind: HolderKind = HolderKind.merchant
    holder_id: Id | None = Field(default=None, description="the merchant's or platform's id")
    purpose: Purpose
    channel: Channel | None = None
    scope: str = Field(min_length=1, max_length=200, description="which data, e.g. 手机号码")
    method: ConsentMethod
    wording: str = Field(min_length=4, max_length=2000, description="the exact words shown")
    room: str | None = Field(default=None, max_length=200, description="the live room")
    in_exchange_for: str | None = Field(
        default=None, max_length=200, description="the coupon or benefit offered for it"
    )
    given_at: Moment | None = None

    @model_validator(mode="after")
    def _holder_named(self) -> ConsentCreate:
        if self.holder_kind is not HolderKind.liveguard and self.holder_id is None:
            raise ValueError(f"holder_id: {refusals.sentence('privacy', 'holder_missing')}")
        if self.purpose is Purpose.marketing and self.channel is None:
            raise ValueError(f"channel: {refusals.sentence('privacy', 'channel_missing')}")
        return self


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    consumer_id: int
    holder_kind: HolderKind
    holder_id: int | None
    purpose: Purpose
    channel: Channel | None
    scope: str
    method: ConsentMethod
    wording: str
    room: str | None
    in_exchange_for: str | None
    given_at: datetime
    withdrawn_at: datetime | None
    withdrawn_via: str | None


class SendCheck(BaseModel):
    """A merchant's bulk send: which of these buyers may get a message now."""

    model_config = ConfigDict(extra="forbid")

    merchant_id: Id
    channel: Channel
    consumer_ids: list[Id] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    at: Moment | None = Field(
        default=None, description="when it goes out (now, or a scheduled time); default now"
    )


class SendRequest(SendCheck):
    text: str = Field(min_length=1, max_length=500, description="the message, without footer")


class SendDecision(BaseModel):
    consumer_id: int
    allowed: bool
    reason: Refusal | None = None
    reason_zh: str | None = None
    message: str | None = Field(default=None, description="with its unsubscribe line")


class SendResult(BaseModel):
    allowed: int
    refused: int
    by_reason: dict[str, int]
    decisions: list[SendDecision]


class RefusedCounts(BaseModel):
    merchant_id: int
    since: datetime | None
    total: int
    by_reason: dict[str, int]


class RefusedSend(BaseModel):
    """One refused marketing send, as credit reads it (no buyer named)."""

    id: int
    requested_at: datetime
    channel: Channel
    reason: Refusal
    reason_zh: str


class Holder(BaseModel):
    """Someone who holds the buyer's data: for what, since when, under which consents."""

    kind: HolderKind
    id: int | None
    name: str
    purposes: list[str]
    since: datetime
    consents: list[ConsentRead]


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RequestKind


class RequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    consumer_id: int
    kind: RequestKind
    status: RequestStatus
    received_at: datetime
    due_on: date
    completed_at: datetime | None
    handled_by: str | None
    outcome: dict[str, object] | None
    reason: str | None


class RequestDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refuse: bool = False
    reason: str | None = Field(default=None, max_length=1000, description="why refused")


class AccessRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    accessed_by: str
    subject_kind: str
    subject_id: int
    fields: str
    purpose: str
    accessed_at: datetime


class MyData(BaseModel):
    """What a signed-in buyer sees of her own data (个人信息保护法 arts. 44-45)."""

    consumer_id: int
    nickname: str
    phone_masked: str
    holders: list[Holder]
    requests: list[RequestRead]
    accesses: list[AccessRead]


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=60, description="a purpose id from policy")
    note: str = Field(default="", max_length=500, description="the case or request it is for")


class PhoneRevealed(BaseModel):
    consumer_id: int
    phone: str


class TypedText(BaseModel):
    """One text of a case as it was typed, beside the masked form every page shows."""

    source: str  # "case.summary" or "case_event:<id>"
    text: str
    masked: str


class CaseTextRevealed(BaseModel):
    case_id: int
    texts: list[TypedText]  # only the texts whose masking changed them


class AccessPage(BaseModel):
    items: list[AccessRead]
    total: Count
