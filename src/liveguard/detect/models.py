"""Platform overlays on the shipped rules, kept as every version was stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liveguard.db import Base, utcnow


class DetectRuleset(Base):
    """One version of a platform's overlay: the YAML exactly as it was sent.

    Rows are only ever added, so a finding's rule-set version (``...+douyin.v3``) can
    always be traced back to the rules that produced it.
    """

    __tablename__ = "detect_rulesets"
    __table_args__ = (UniqueConstraint("platform", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(40))  # a platform code, e.g. douyin
    version: Mapped[int]  # 1, 2, 3, ... per platform
    content: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the content, hex
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(60))  # staff username
