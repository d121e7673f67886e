"""Who looked at which personal data, and why (个人信息保护法 arts. 51, 54)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liveguard.db import Base, utcnow


class AccessRecord(Base):
    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    accessed_by: Mapped[str] = mapped_column(String(60))
    subject_kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(index=True)
    fields: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    accessed_at: Mapped[datetime] = mapped_column(default=utcnow)
