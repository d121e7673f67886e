"""Credit API shapes: scores with their factors and records, proceedings and their steps,
the inputs of due process, and the public entry (no personal data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liveguard.bounds import Id
from liveguard.credit.enums import Decision, ListKind, ProceedingState, StepKind, SubjectKind


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProposalCreate(Input):
    subject_kind: SubjectKind
    subject_id: Id
    list_kind: ListKind


class PartyStatement(Input):
    """An objection, an appeal or a repair application, in the party's words."""

    text: str = Field(min_length=2, max_length=5000, description="the reasons, in words")


class DecisionCreate(Input):
    decision: Decision
    reason: str = Field(min_length=2, max_length=5000, description="the written reason")


class RecordRead(BaseModel):
    ref: str
    summary_zh: str
    link: str | None
    ledger_seq: int | None
    occurred_at: datetime
    points: float


class FactorRead(BaseModel):
    id: str
    title_zh: str
    weight: float
    value: float
    deduction: float
    record_count: int = Field(description="all records behind the value; newest shown")
    records: list[RecordRead]


class ScoreRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject_kind: SubjectKind
    subject_id: int
    score: float
    previous: float | None
    cause: str
    computed_at: datetime
    factors: list[FactorRead]


class StepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: StepKind
    actor: str
    text: str
    from_state: ProceedingState | None
    to_state: ProceedingState | None
    data: dict[str, Any]
    at: datetime
    ledger_seq: int


class ProceedingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_kind: SubjectKind
    subject_id: int
    subject_name: str
    credit_code: str | None
    list_kind: ListKind
    state: ProceedingState
    criteria: list[str]
    reasons_zh: list[str]
    evidence: list[dict[str, Any]]
    score: float
    proposed_at: datetime
    objection_due_on: date
    decided_at: datetime | None
    listed_on: date | None
    appeal_due_on: date | None
    public_until: date | None
    lifted_at: datetime | None
    repaired: bool
    ledger_seq: int


class ProceedingDetail(ProceedingRead):
    steps: list[StepRead]


class PublicEntryRead(BaseModel):
    """A listing as anyone may read it: name (an anchor's real name masked), list,
    status, reasons in plain Chinese, dates, and how many records of each kind."""

    id: int
    subject_kind: SubjectKind
    name: str
    credit_code: str | None
    list_kind: ListKind
    list_name_zh: str
    status_zh: str
    reasons_zh: list[str]
    listed_on: date | None
    public_until: date | None
    lifted_on: date | None
    repaired: bool
    evidence_summary_zh: list[str]


class ListChange(BaseModel):
    """One change to the red or black list (a proposal, a decision, a lifting), as a
    report counts it: the party as the public sees it, never personal data."""

    at: datetime
    proceeding_id: int
    subject_kind: SubjectKind
    subject_id: int
    subject_zh: str
    subject_name: str
    list_kind: ListKind
    list_name_zh: str
    change_zh: str
    reason: str  # the decision's written reason; for a proposal, the criteria met
    ledger_seq: int
