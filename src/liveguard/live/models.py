"""A live session and what happened in it, in order."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liveguard.db import Base, TimestampMixin


class EventKind(StrEnum):
    utterance = "utterance"  # a speech transcript segment
    chat = "chat"
    listing_shown = "listing_shown"
    counters = "counters"  # viewers, likes, stock, sales
    order = "order"


class SpeakerRole(StrEnum):
    anchor = "anchor"
    assistant = "assistant"
    viewer = "viewer"
    system = "system"


class LiveSession(TimestampMixin, Base):
    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    room_code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    anchor_id: Mapped[int] = mapped_column(ForeignKey("anchors.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    peak_viewers: Mapped[int] = mapped_column(default=0)


class LiveEvent(Base):
    __tablename__ = "live_events"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    seq: Mapped[int]
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, native_enum=False, length=20))
    occurred_at: Mapped[datetime]
    speaker_role: Mapped[SpeakerRole | None] = mapped_column(
        Enum(SpeakerRole, native_enum=False, length=16)
    )
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)  # its evidence ledger item
