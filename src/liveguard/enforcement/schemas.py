"""API shapes for enforcement actions and viewers' warnings."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The enum an API shape carries, exported (``X as X``) for the web layer that fills it in.
from liveguard import refusals
from liveguard.bounds import Id
from liveguard.enforcement.enums import ActionKind as ActionKind
from liveguard.labels import label


class ActionCreate(BaseModel):
    """A staff member acting by hand on a live room."""

    model_config = ConfigDict(extra="forbid")

    kind: ActionKind
    reason: str = Field(min_length=3, max_length=2000, description="why: kept in the ledger")
    text: str | None = Field(
        default=None, max_length=500, description="the banner or the message to the anchor"
    )
    finding_id: Id | None = None
    listing_id: Id | None = Field(default=None, description="pull_listing: which listing")

    @model_validator(mode="after")
    def _complete(self) -> ActionCreate:
        if self.kind is ActionKind.dismiss:
            raise ValueError(refusals.sentence("enforcement", "dismiss_elsewhere"))
        if self.kind in (ActionKind.viewer_warning, ActionKind.warn_anchor) and not self.text:
            said = refusals.sentence("enforcement", "needs_text", action=label(self.kind))
            raise ValueError(f"{said}：{refusals.fix('enforcement', 'needs_text')}")
        return self


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int
    kind: ActionKind
    finding_id: int | None
    policy: str | None
    rule: str | None
    reason: str
    text: str | None
    listing_id: int | None
    actor: str
    created_at: datetime
    ledger_seq: int | None


class WarningRead(BaseModel):
    """What a viewer sees: no staff names, no finding details."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str
    issued_at: datetime
