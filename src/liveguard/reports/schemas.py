"""API shapes for reports: what is asked for, what a report counted (stored as its
content and drawn into the page and the PDF), and the seven-harms table."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from liveguard import refusals
from liveguard.bounds import Day, Id
from liveguard.reports.enums import Schedule as Schedule

MAX_DAYS = 366  # a year at most: a report is read by people


class ReportCreate(BaseModel):
    """A report asked for on demand: a period of whole days in Beijing time."""

    model_config = ConfigDict(extra="forbid")

    start: Day = Field(description="first day, Beijing time (YYYY-MM-DD)")
    end: Day = Field(description="last day, inclusive")
    platform_id: Id | None = Field(default=None, description="one platform; none: all")
    title: str | None = Field(default=None, min_length=2, max_length=200)

    @model_validator(mode="after")
    def _period(self) -> ReportCreate:
        if self.end < self.start:
            raise ValueError(refusals.sentence("reports", "end_before_start"))
        if (self.end - self.start).days + 1 > MAX_DAYS:
            raise ValueError(refusals.sentence("reports", "too_long_period", days=MAX_DAYS))
        return self


class Count(BaseModel):
    key: str  # the category or state id (kept for tests and data- attributes)
    label: str  # what a person reads
    count: int


class DaySeries(BaseModel):
    key: str
    label: str
    values: list[int]  # one a day, in the order of Trend.days


class Trend(BaseModel):
    days: list[date]
    series: list[DaySeries] = Field(default_factory=list)


class HarmRow(BaseModel):
    harm: str
    label: str
    findings: int
    complaints: int


class PartyHarms(BaseModel):
    """One merchant's or anchor's findings and complaints under each harm."""

    party_id: int
    name: str
    counts: dict[str, int]  # harm id -> findings + complaints
    total: int


class SevenHarms(BaseModel):
    source: str
    rows: list[HarmRow]
    merchants: list[PartyHarms]
    anchors: list[PartyHarms]


class RoomRow(BaseModel):
    session_id: int
    room_code: str
    title: str
    merchant: str
    anchor: str
    findings: int


class MerchantRow(BaseModel):
    merchant_id: int
    name: str
    findings: int
    complaints: int


class ComplaintStats(BaseModel):
    total: int
    by_state: list[Count]
    answered: int  # acted on at least once
    median_response_minutes: int | None  # filing to the first step
    decided_fen: int  # decided for consumers
    paid_fen: int  # paid to them (advance compensation)


class Example(BaseModel):
    kind: str  # finding, complaint, post
    label: str  # its category in words
    text: str
    where: str
    at: datetime | None
    ledger_seq: int | None  # the evidence item it links to


class PartyMention(BaseModel):
    name: str
    kind: str
    count: int


class OpinionPart(BaseModel):
    posts_total: int
    negative_total: int
    negative_by_category: list[Count]
    trend: Trend
    top_parties: list[PartyMention]
    examples: list[Example]


class ListChangeRow(BaseModel):
    """A change to the red or black list in the period (credit's record, as published)."""

    at: datetime
    party: str
    party_kind: str  # in words
    list_name: str
    change: str  # in words: proposed, listed, not listed, lifted on appeal, repaired
    reason: str
    ledger_seq: int


class ReportContent(BaseModel):
    """Everything a report counted; the page and the PDF are drawn from this alone."""

    title: str
    start: date
    end: date
    platform: str | None  # its name; None: every platform
    generated_at: datetime
    sources: list[str]
    totals: list[Count]
    findings_by_category: list[Count]
    findings_trend: Trend
    harms: SevenHarms
    top_rooms: list[RoomRow]
    top_merchants: list[MerchantRow]
    complaints: ComplaintStats
    examples: list[Example]
    opinion: OpinionPart | None = None
    # Reports made before credit was wired in have none (their stored content still reads).
    list_changes: list[ListChangeRow] = Field(default_factory=list)


class ReportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    schedule: Schedule
    start: date
    end: date
    platform_id: int | None
    title: str
    pdf_sha256: str
    ledger_seq: int
    created_by: str
    created_at: datetime


class ReportRead(ReportSummary):
    content: ReportContent


class ReportPage(BaseModel):
    items: list[ReportSummary]
    total: int


class HarmsRead(BaseModel):
    """A platform's (or every platform's) seven harms over a month."""

    start: date
    end: date
    platform: str | None
    harms: SevenHarms
