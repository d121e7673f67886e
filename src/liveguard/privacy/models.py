"""Tables for buyers' personal information: the access log (who read what in clear, and
why: 个人信息保护法 arts. 51, 54), the consent registry (arts. 13-17), every marketing send
LiveGuard allowed or refused (消费者权益保护法 art. 29), and the buyer's requests to see,
copy or delete her data (arts. 44-47, 50)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liveguard.db import Base, utcnow
from liveguard.privacy.enums import (
    Channel,
    ConsentMethod,
    HolderKind,
    Purpose,
    Refusal,
    RequestKind,
    RequestStatus,
)


def _enum(cls: type[StrEnum]) -> Enum:
    # Plain strings, as in parties: a new value needs no migration.
    return Enum(cls, native_enum=False, length=32, validate_strings=True)


class AccessRecord(Base):
    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    accessed_by: Mapped[str] = mapped_column(String(60))
    subject_kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(index=True)
    fields: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    accessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(Base):
    """One consent as given: who, to whom, for what and by which channel, with the exact
    words shown and the form, and when it was withdrawn. Never rewritten but for the
    withdrawal; a new consent is a new row."""

    __tablename__ = "privacy_consents"
    __table_args__ = (Index("ix_privacy_consents_holder", "holder_kind", "holder_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    holder_kind: Mapped[HolderKind] = mapped_column(_enum(HolderKind))
    holder_id: Mapped[int | None]  # the merchant's or platform's id; None for LiveGuard
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose))
    channel: Mapped[Channel | None] = mapped_column(_enum(Channel))
    scope: Mapped[str] = mapped_column(Text)  # which data: "手机号码"
    method: Mapped[ConsentMethod] = mapped_column(_enum(ConsentMethod))
    wording: Mapped[str] = mapped_column(Text)  # the exact words the buyer was shown
    room: Mapped[str | None] = mapped_column(String(200))  # the live room it was given in
    in_exchange_for: Mapped[str | None] = mapped_column(String(200))  # "满100减20优惠券"
    given_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(60))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_via: Mapped[str | None] = mapped_column(String(60))
    unsubscribe_token: Mapped[str] = mapped_column(String(43), unique=True)


class MarketingSend(Base):
    """One promotional message to one buyer, allowed or refused, with the reason."""

    __tablename__ = "privacy_marketing_sends"
    __table_args__ = (
        Index("ix_privacy_marketing_sends_merchant", "merchant_id", "channel", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    consumer_id: Mapped[int] = mapped_column(index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    requested_at: Mapped[datetime]
    allowed: Mapped[bool]
    refusal: Mapped[Refusal | None] = mapped_column(_enum(Refusal))
    consent_id: Mapped[int | None]
    requested_by: Mapped[str] = mapped_column(String(60))


class SubjectRequest(Base):
    """A buyer's request to copy or delete her data, its statutory due date, and what was
    done about it, store by store."""

    __tablename__ = "privacy_subject_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    kind: Mapped[RequestKind] = mapped_column(_enum(RequestKind))
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus), default=RequestStatus.open)
    received_at: Mapped[datetime]
    due_on: Mapped[date]
    completed_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(60))
    outcome: Mapped[dict[str, Any] | None]  # store -> what was done there
    reason: Mapped[str | None] = mapped_column(Text)  # why refused (art. 50)
