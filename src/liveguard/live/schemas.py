"""API shapes for live sessions and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from liveguard.live.models import EventKind, SpeakerRole


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform_id: int
    room_code: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=300)
    anchor_id: int
    merchant_id: int
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    peak_viewers: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _ends_after_start(self) -> SessionCreate:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("ended_at is before started_at")
        return self


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    platform_id: int
    room_code: str
    title: str
    anchor_id: int
    merchant_id: int
    started_at: datetime
    ended_at: datetime | None
    peak_viewers: int


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EventKind
    occurred_at: AwareDatetime
    speaker_role: SpeakerRole | None = None
    text: str | None = Field(default=None, max_length=5000)
    data: dict[str, Any] = Field(default_factory=dict)


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int
    seq: int
    kind: EventKind
    occurred_at: datetime
    speaker_role: SpeakerRole | None
    text: str | None
    data: dict[str, Any]
    ledger_seq: int | None
