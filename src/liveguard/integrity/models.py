"""Integrity findings: one row per shop a detector names, with the evidence it found.

A lockstep group across five shops is five findings sharing ``group_key``, so each shop's
page and credit count what concerns it. Rows are added, never rewritten; running the
detectors again over the same orders finds the same ``fingerprint`` and adds nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liveguard.db import Base
from liveguard.integrity.enums import FindingKind
from liveguard.vocab import Severity


class IntegrityFinding(Base):
    __tablename__ = "integrity_findings"
    __table_args__ = (UniqueConstraint("fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FindingKind] = mapped_column(
        Enum(FindingKind, native_enum=False, length=32, validate_strings=True)
    )
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    severity: Mapped[Severity] = mapped_column(
        Enum(Severity, native_enum=False, length=16, validate_strings=True)
    )
    score: Mapped[float]  # brushing: the peak concentration; lockstep: the block's density
    first_at: Mapped[datetime]  # the first order the finding names
    last_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(String(300))
    # windows: [{start, end, orders, buyers, concentration}]; buyers: [account]; orders:
    # [{order_no, buyer, at}]; shops: every shop of a lockstep group; legal_basis: citations
    evidence: Mapped[dict[str, Any]]
    group_key: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    found_at: Mapped[datetime]
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
