"""Retention as data: the scheduled job that deletes or anonymises what is past its
period (data/policy.yaml ``retention``), and its report (个人信息保护法 art. 19).

Run by ``liveguard privacy retention`` from cron (or any scheduler); each rule acts only
on this package's own records, set-based, in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import Delete, Update, delete, update
from sqlalchemy.orm import Session

from liveguard.privacy import policy as rules
from liveguard.privacy import service
from liveguard.privacy.enums import RequestStatus
from liveguard.privacy.models import AccessRecord, Consent, MarketingSend, SubjectRequest


class RetentionLine(BaseModel):
    record: str
    title_zh: str
    action: str
    before: datetime
    rows: int


class RetentionReport(BaseModel):
    ran_at: datetime
    lines: list[RetentionLine]

    @property
    def total(self) -> int:
        return sum(line.rows for line in self.lines)


def run(*, db_session: Session, now: datetime) -> RetentionReport:
    """Apply every retention rule as of ``now``; what each did."""
    lines = []
    for rule in rules.policy().retention:
        before = now - timedelta(days=rule.keep_days)
        statement: Delete | Update
        if rule.record == "marketing_sends":
            statement = delete(MarketingSend).where(MarketingSend.requested_at < before)
        elif rule.record == "access_log":
            statement = delete(AccessRecord).where(AccessRecord.accessed_at < before)
        elif rule.record == "closed_requests":
            statement = delete(SubjectRequest).where(
                SubjectRequest.status != RequestStatus.open, SubjectRequest.completed_at < before
            )
        else:  # withdrawn consents: the fact of the withdrawal stays, the words and room go
            statement = (
                update(Consent)
                .where(Consent.withdrawn_at < before, Consent.wording != "")
                .values(wording="", room=None, in_exchange_for=None)
            )
        rows = service.affected(db_session, statement)
        lines.append(
            RetentionLine(
                record=rule.record,
                title_zh=rule.title_zh,
                action=rule.action,
                before=before,
                rows=rows,
            )
        )
    db_session.flush()
    return RetentionReport(ran_at=now, lines=lines)
