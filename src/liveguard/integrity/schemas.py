"""API shapes for integrity findings and detector runs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from liveguard.bounds import Moment
from liveguard.integrity.enums import FindingKind
from liveguard.paging import KeysetPage
from liveguard.vocab import Severity


class FindingWindow(BaseModel):
    start: datetime
    end: datetime
    orders: int
    buyers: int
    concentration: float | None = None
    shop: int | None = None


class FindingOrder(BaseModel):
    order_no: str
    buyer: str
    at: datetime
    shop: int | None = None


class Citation(BaseModel):
    citation: str
    quote: str


class FindingRead(BaseModel):
    """One finding against one shop: what credit and the console read."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: FindingKind
    merchant_id: int
    severity: Severity
    score: float
    first_at: datetime
    last_at: datetime
    summary: str
    group_key: str
    found_at: datetime
    ledger_seq: int


class FindingDetail(FindingRead):
    windows: list[FindingWindow]
    buyers: list[str]
    orders: list[FindingOrder]
    shops: list[int]
    legal_basis: list[Citation]


class DetectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: Moment | None = Field(default=None, description="orders paid at or after")
    until: Moment | None = Field(default=None, description="orders paid before")


class DetectReport(BaseModel):
    orders: int
    brushing_shops: int
    lockstep_groups: int
    findings: list[FindingRead] = Field(description="the new findings; known ones are not repeated")


class IntegrityFindingPage(KeysetPage[FindingRead]):
    """A page of the trade-integrity findings list and the cursor of the next."""
