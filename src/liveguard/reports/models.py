"""A stored report: its period, what it counted (as JSON, the page is drawn from it), its
PDF's bytes and SHA-256, and the ledger item that holds that hash. Never updated."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Enum, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from liveguard.db import Base, utcnow
from liveguard.reports.enums import Schedule


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule: Mapped[Schedule] = mapped_column(Enum(Schedule, native_enum=False, length=16))
    start: Mapped[date] = mapped_column(index=True)  # first day, Beijing time
    end: Mapped[date]  # last day, inclusive
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # schemas.ReportContent
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    ledger_seq: Mapped[int] = mapped_column(BigInteger)  # the item holding pdf_sha256
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
