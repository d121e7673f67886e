"""Tables for the people and organisations that sell, host and buy."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import JSON

from liveguard.db import Base, Fen, TimestampMixin, utcnow
from liveguard.parties.enums import (
    Decision,
    MovementKind,
    OwnerKind,
    PartyStatus,
    RelationKind,
    ReviewStatus,
)
from liveguard.vocab import StaffRole


def _enum(cls: type[StrEnum]) -> Enum:
    # Stored as plain strings (no native ENUM type), so adding a value needs no migration
    # dance on PostgreSQL and the column reads the same on both backends.
    return Enum(cls, native_enum=False, length=32, validate_strings=True)


class Platform(TimestampMixin, Base):
    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    operator_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    website: Mapped[str | None] = mapped_column(String(300))


class Merchant(TimestampMixin, Base):
    __tablename__ = "merchants"
    __table_args__ = (
        UniqueConstraint("platform_id", "credit_code"),
        Index("ix_merchants_created_at_id", "created_at", "id"),  # keyset pages (paging.py)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    shop_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    legal_representative: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300))
    contact_phone_enc: Mapped[str] = mapped_column(Text)
    contact_phone_masked: Mapped[str] = mapped_column(String(20))
    licence_valid_from: Mapped[date]
    licence_valid_to: Mapped[date | None]  # None: 长期 (no end date)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    self_operated: Mapped[bool] = mapped_column(default=False)  # run by the platform itself
    status: Mapped[PartyStatus] = mapped_column(_enum(PartyStatus), default=PartyStatus.pending)
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Who set a suspension: "reverification" is lifted automatically on renewal, staff's not.
    suspended_by: Mapped[str | None] = mapped_column(String(40))
    deposit_balance_fen: Mapped[int] = mapped_column(Fen, default=0)
    last_verified_at: Mapped[datetime | None]
    # What a credit listing asks of it (parties.schemas.CreditMeasures); {}: nothing.
    credit_measures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    platform: Mapped[Platform] = relationship()


class McnAgency(TimestampMixin, Base):
    __tablename__ = "mcn_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    status: Mapped[PartyStatus] = mapped_column(_enum(PartyStatus), default=PartyStatus.active)


class Anchor(TimestampMixin, Base):
    __tablename__ = "anchors"
    __table_args__ = (
        UniqueConstraint("platform_id", "id_number_index"),
        Index("ix_anchors_created_at_id", "created_at", "id"),  # keyset pages (paging.py)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    nickname: Mapped[str] = mapped_column(String(100))
    real_name_enc: Mapped[str] = mapped_column(Text)
    real_name_masked: Mapped[str] = mapped_column(String(100))
    id_number_enc: Mapped[str] = mapped_column(Text)
    id_number_index: Mapped[str] = mapped_column(String(64))  # blind index, for duplicates
    id_number_masked: Mapped[str] = mapped_column(String(18))
    status: Mapped[PartyStatus] = mapped_column(_enum(PartyStatus), default=PartyStatus.pending)
    status_reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None]
    reverify_due: Mapped[date | None]

    platform: Mapped[Platform] = relationship()


class AnchorRelation(TimestampMixin, Base):
    """Who an anchor works with: signed to an MCN, selling for a merchant, or both."""

    __tablename__ = "anchor_relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RelationKind] = mapped_column(_enum(RelationKind))
    anchor_id: Mapped[int | None] = mapped_column(ForeignKey("anchors.id"), index=True)
    mcn_id: Mapped[int | None] = mapped_column(ForeignKey("mcn_agencies.id"), index=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    contract_ref: Mapped[str | None] = mapped_column(String(100))


class Consumer(TimestampMixin, Base):
    __tablename__ = "consumers"

    id: Mapped[int] = mapped_column(primary_key=True)
    nickname: Mapped[str] = mapped_column(String(100))
    phone_enc: Mapped[str] = mapped_column(Text)
    phone_index: Mapped[str] = mapped_column(String(64), unique=True)
    phone_masked: Mapped[str] = mapped_column(String(20))


class Staff(TimestampMixin, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class QualificationDocument(TimestampMixin, Base):
    """A licence or permit: the file (by SHA-256) and what it says, with its review."""

    __tablename__ = "qualification_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[OwnerKind] = mapped_column(_enum(OwnerKind))
    owner_id: Mapped[int] = mapped_column(index=True)
    doc_type: Mapped[str] = mapped_column(String(60))
    number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus), default=ReviewStatus.pending)
    status_reason: Mapped[str | None] = mapped_column(Text)


class ReviewDecision(Base):
    """Every decision on a party or a document: who, what, why, when. Never updated."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(index=True)
    decision: Mapped[Decision] = mapped_column(_enum(Decision))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(60))  # staff username or "reverification"
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class DepositMovement(Base):
    __tablename__ = "deposit_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(_enum(MovementKind))
    amount_fen: Mapped[int] = mapped_column(Fen)  # always positive; kind gives the sign
    balance_after_fen: Mapped[int] = mapped_column(Fen)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
