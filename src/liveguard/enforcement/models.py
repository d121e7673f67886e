"""Every action taken on a live room, by policy or by a person, with its reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liveguard.db import Base
from liveguard.enforcement.enums import ActionKind


class EnforcementAction(Base):
    __tablename__ = "enforcement_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(Enum(ActionKind, native_enum=False, length=20))
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("live_findings.id"), index=True)
    policy: Mapped[str | None] = mapped_column(String(120))  # the policy entry; None: by hand
    rule: Mapped[str | None] = mapped_column(String(120))  # the finding's rule
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)  # what the anchor or the viewers are shown
    listing_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(60))  # "policy" or a staff username
    created_at: Mapped[datetime]
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger)
