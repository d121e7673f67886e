"""Recording access to personal data in clear."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.privacy.models import AccessRecord


def record_access(
    *,
    db_session: Session,
    accessed_by: str,
    subject_kind: str,
    subject_id: int,
    fields: list[str],
    purpose: str,
) -> AccessRecord:
    record = AccessRecord(
        accessed_by=accessed_by,
        subject_kind=subject_kind,
        subject_id=subject_id,
        fields=",".join(fields),
        purpose=purpose,
    )
    db_session.add(record)
    db_session.flush()
    return record


def get_access_log(
    *, db_session: Session, subject_kind: str, subject_id: int
) -> list[AccessRecord]:
    query = (
        select(AccessRecord)
        .where(AccessRecord.subject_kind == subject_kind, AccessRecord.subject_id == subject_id)
        .order_by(AccessRecord.id)
    )
    return list(db_session.scalars(query))
