"""Complaint cases: what the consumer said, what LiveGuard linked to it, the answer, and
every step of the workflow, each step also an evidence-ledger item.

Case events, files and links are only ever added; a case's own row holds the current
state, the facts as last resolved and the answer they gave, so a list needs no joins.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from liveguard.cases.enums import CaseEventKind, CaseOrigin, CaseState, PaymentChannel
from liveguard.db import Base, Fen, TimestampMixin, utcnow


def _enum(cls: type[StrEnum]) -> Enum:
    # Plain strings, as in parties: a new value needs no migration on either backend.
    return Enum(cls, native_enum=False, length=32, validate_strings=True)


class Case(TimestampMixin, Base):
    __tablename__ = "cases"
    # keyset pages of the cases list, newest first (paging.py)
    __table_args__ = (
        UniqueConstraint("origin_key"),
        Index("ix_cases_filed_at_id", "filed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("consumers.id"), index=True)
    origin: Mapped[CaseOrigin] = mapped_column(_enum(CaseOrigin))
    # For automatic cases "<kind>:<order_id>": one case per broken promise, however often
    # the other capability reports it.
    origin_key: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(60), default="complaint")
    state: Mapped[CaseState] = mapped_column(_enum(CaseState), default=CaseState.filed)
    summary: Mapped[str] = mapped_column(Text)  # personal numbers masked (138****1234)
    # the summary as typed, under the field-encryption key, when masking changed it
    summary_enc: Mapped[str | None] = mapped_column(Text)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id"), index=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    anchor_id: Mapped[int | None] = mapped_column(ForeignKey("anchors.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("trade_orders.id"), index=True)
    payment_channel: Mapped[PaymentChannel | None] = mapped_column(_enum(PaymentChannel))
    price_fen: Mapped[int | None] = mapped_column(Fen)
    occurred_at: Mapped[datetime | None]  # when it happened (the moment in the live session)
    known_harm_on: Mapped[date | None]  # when the consumer knew of the harm
    # The facts as last resolved (CaseFacts, JSON) and where each came from:
    # {fact: {"source": "recorded"|"consumer"|"staff"|"order", "ref": ..., "ledger_seq": n}}
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fact_sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resolution: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resolved_on: Mapped[date | None]
    due_on: Mapped[date | None]  # the current step's deadline
    due_step: Mapped[str | None] = mapped_column(String(60))  # what is due by then
    ledger_seq: Mapped[int] = mapped_column(BigInteger)  # the complaint's ledger item
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]  # the anonymised public record, once published


class CaseEvent(Base):
    """One step in a case: who did what, when, and its ledger item. Never updated."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[CaseEventKind] = mapped_column(_enum(CaseEventKind))
    from_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState))
    to_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState))
    actor: Mapped[str] = mapped_column(String(60))  # staff username, merchant:<id>, system
    party_role: Mapped[str] = mapped_column(String(20))  # consumer, merchant, anchor, staff...
    text: Mapped[str] = mapped_column(Text, default="")  # personal numbers masked
    text_enc: Mapped[str | None] = mapped_column(Text)  # as typed, when masking changed it
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class CaseFile(Base):
    """An evidence file the consumer (or staff) gave, stored by SHA-256."""

    __tablename__ = "case_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    added_by: Mapped[str] = mapped_column(String(60))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class CaseLink(Base):
    """A record LiveGuard already held that bears on the case: an utterance, a chat
    message, a detection finding, a listing version, an order."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # utterance, chat, finding, listing_version...
    ref: Mapped[str] = mapped_column(String(100))  # e.g. "session:3/event:5", "listing:2/v1"
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)
    summary: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
