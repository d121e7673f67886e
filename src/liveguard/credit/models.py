"""Credit tables: every score a party had and why (only added, one row per change), and
the list proceedings with every step of their due process (only added), each step also
an evidence-ledger item."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from liveguard.credit.enums import ListKind, ProceedingState, StepKind, SubjectKind
from liveguard.db import Base


def _enum(cls: type[StrEnum]) -> Enum:
    # Plain strings, as in parties: a new value needs no migration on either backend.
    return Enum(cls, native_enum=False, length=32, validate_strings=True)


class CreditScore(Base):
    """A party's score as computed when a fact arrived; a row only when it changed. The
    factors are kept whole (weight, value, deduction, records with their links), so the
    history answers "why did my score drop on 12 June"."""

    __tablename__ = "credit_scores"
    __table_args__ = (Index("ix_credit_scores_subject", "subject_kind", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(_enum(SubjectKind))
    subject_id: Mapped[int]
    score: Mapped[float]
    previous: Mapped[float | None]
    # [{id, title_zh, weight, value, deduction, records: [{ref, summary_zh, link, ...}]}]
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cause: Mapped[str] = mapped_column(String(120))  # the fact that arrived, e.g. breach:7
    computed_at: Mapped[datetime]


class CreditProceeding(Base):
    """One listing's life: proposed, (objected,) decided, (appealed,) repaired, lifted."""

    __tablename__ = "credit_proceedings"
    __table_args__ = (Index("ix_credit_proceedings_subject", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(_enum(SubjectKind))
    subject_id: Mapped[int]
    subject_name: Mapped[str] = mapped_column(String(200))  # as shown to the public
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    list_kind: Mapped[ListKind] = mapped_column(_enum(ListKind))
    state: Mapped[ProceedingState] = mapped_column(_enum(ProceedingState))
    criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons_zh: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The records behind the reasons: [{ref, summary_zh, link, ledger_seq, occurred_at}]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    score: Mapped[float]
    proposed_at: Mapped[datetime]
    objection_due_on: Mapped[date]
    decided_at: Mapped[datetime | None]
    listed_on: Mapped[date | None]
    appeal_due_on: Mapped[date | None]
    public_until: Mapped[date | None]
    lifted_at: Mapped[datetime | None]
    repaired: Mapped[bool] = mapped_column(default=False)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)  # the proposal's ledger item


class CreditStep(Base):
    """One step of due process: who did what, with which words, and its ledger item."""

    __tablename__ = "credit_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    proceeding_id: Mapped[int] = mapped_column(ForeignKey("credit_proceedings.id"), index=True)
    kind: Mapped[StepKind] = mapped_column(_enum(StepKind))
    actor: Mapped[str] = mapped_column(String(60))  # staff username, merchant:<id>, system
    text: Mapped[str] = mapped_column(Text, default="")
    from_state: Mapped[ProceedingState | None] = mapped_column(_enum(ProceedingState))
    to_state: Mapped[ProceedingState | None] = mapped_column(_enum(ProceedingState))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime]
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class CreditPending(Base):
    """A fact a party's score must still take in: noted in the transaction that stored the
    fact (a monitor worker's batch), removed in the one that recomputes the party. Rows
    are only added and deleted, never updated, so writers noting the same busy party
    never wait on each other's row (``flows.facts_noted``, ``flows.recompute_noted``)."""

    __tablename__ = "credit_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(_enum(SubjectKind))
    subject_id: Mapped[int]
    cause: Mapped[str] = mapped_column(String(120))  # as ``CreditScore.cause``
    noted_at: Mapped[datetime]
