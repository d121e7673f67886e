"""A live session, what happened in it in order, what the monitor found, what was refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from liveguard.db import Base, TimestampMixin
from liveguard.live.enums import (
    EventKind,
    FindingSource,
    FindingSpeaker,
    FindingStatus,
    SpeakerRole,
)


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
    suspended_at: Mapped[datetime | None]  # the room was suspended (by policy or staff)


class LiveEvent(Base):
    __tablename__ = "live_events"
    __table_args__ = (
        UniqueConstraint("session_id", "seq"),
        # the sender's own id: sending an event twice stores it once
        UniqueConstraint("session_id", "event_id", name="uq_live_events_session_event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    seq: Mapped[int]
    event_id: Mapped[str | None] = mapped_column(String(100))  # None: stored before 0009
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, native_enum=False, length=20))
    occurred_at: Mapped[datetime]
    speaker_role: Mapped[SpeakerRole | None] = mapped_column(
        Enum(SpeakerRole, native_enum=False, length=16)
    )
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)  # its evidence ledger item


class LiveFinding(Base):
    """What the monitor found in one event, with the listing on show when it happened."""

    __tablename__ = "live_findings"
    __table_args__ = (
        # a finding is stored once, however often its event is delivered
        UniqueConstraint(
            "event_pk", "rule", "source", "start", "end", name="uq_live_findings_event_rule_span"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("live_events.id"), index=True)
    speaker_role: Mapped[FindingSpeaker] = mapped_column(
        Enum(FindingSpeaker, native_enum=False, length=16)
    )
    source: Mapped[FindingSource] = mapped_column(Enum(FindingSource, native_enum=False, length=16))
    rule: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(default=0)
    end: Mapped[int] = mapped_column(default=0)
    quote: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the data or series
    listing_id: Mapped[int | None]  # the listing on show when the event happened
    status: Mapped[FindingStatus] = mapped_column(
        Enum(FindingStatus, native_enum=False, length=16), default=FindingStatus.open
    )
    created_at: Mapped[datetime]
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)


class LiveFindingTally(Base):
    """Open findings per (session, category, speaker), kept as findings are stored and
    dismissed: what policy's repeat and history counts read. Counting the findings
    themselves read every open finding of the anchor's every session on each batch, a
    cost that grew with the anchor's record (9 ms a batch after a few thousand)."""

    __tablename__ = "live_finding_tallies"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(60), primary_key=True)
    speaker_role: Mapped[FindingSpeaker] = mapped_column(
        Enum(FindingSpeaker, native_enum=False, length=16), primary_key=True
    )
    anchor_id: Mapped[int] = mapped_column(index=True)  # the session's, for its history
    open: Mapped[int] = mapped_column(default=0)


class LiveRefusal(Base):
    """An event refused at the door, with why: refusals are counted, never dropped."""

    __tablename__ = "live_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(index=True)  # None: no session could be told
    channel: Mapped[str] = mapped_column(String(16))  # http, websocket, nats
    reason: Mapped[str] = mapped_column(String(60))  # a stable code, e.g. unknown_kind
    detail: Mapped[str] = mapped_column(Text)
    event_id: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime]
