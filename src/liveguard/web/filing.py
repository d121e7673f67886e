"""A complaint form files once: it carries a one-time seed (``auth.case_keys``) and the
case it files is found by it (``cases.origin_key``, unique in the database). The buyer's
form and the console's both file through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveguard.auth import case_keys
from liveguard.cases import service

Filed = TypeVar("Filed", service.Case, service.Case | None)


def seed_of(raw: str) -> str:
    """The form's seed as sent, or "" when it has none we made."""
    return raw if case_keys.usable_seed(raw) else ""


def filed_by(db_session: Session, seed: str) -> service.Case | None:
    """The case the form with this seed filed already, if any."""
    if not seed:
        return None
    return service.get_by_origin_key(db_session=db_session, origin_key=case_keys.origin_key(seed))


def file_once(
    db_session: Session, seed: str, file: Callable[[], Filed]
) -> tuple[Filed | service.Case, bool]:
    """``file()`` unless the form with ``seed`` filed a case already: (the case, whether
    it was filed before). A second click filing at the same moment loses on the unique
    key; its transaction is rolled back and it gets the first one's case."""
    earlier = filed_by(db_session, seed)
    if earlier is not None:
        return earlier, True
    try:
        return file(), False
    except IntegrityError:
        db_session.rollback()
        earlier = filed_by(db_session, seed)
        if earlier is None:
            raise
        return earlier, True
