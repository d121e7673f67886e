"""Integrity acting with other capabilities: a detection run's new findings count against
the shops' credit as they are stored (credit/flows.py), not in a nightly scan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from liveguard.credit import flows as credit_flows
from liveguard.integrity import service
from liveguard.integrity.schemas import DetectReport


def detect(
    *,
    db_session: Session,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
) -> DetectReport:
    """Run both detectors (``service.detect``), then recompute the credit of every shop a
    new finding names."""
    report = service.detect(db_session=db_session, now=now, since=since, until=until)
    credit_flows.merchants_changed(
        db_session=db_session, found=report.findings, now=now, cause_prefix="integrity_finding"
    )
    return report
