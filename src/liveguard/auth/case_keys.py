"""The keys of a complaint filed without an account: a tracking code (short enough to read
out, 60 random bits, looked up under the sign-in throttle) and a secret link (256 bits).
Both are shown once and stored only as SHA-256 digests, like tokens. No web imports."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.auth.models import CaseKey

CODE_PREFIX = "TS"


@dataclass(frozen=True)
class Keys:
    code: str  # TS-XXXX-XXXX-XXXX
    secret: str  # the last part of /track/<secret>


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def clean_code(code: str) -> str:
    """A tracking code as she may type it (lower case, spaces, no dashes) made canonical."""
    letters = code.strip().upper().replace(" ", "").replace("-", "").removeprefix(CODE_PREFIX)
    return letters


def issue(*, db_session: Session, case_id: int, now: datetime) -> Keys:
    """New keys for a case: returned in clear this once."""
    letters = base64.b32encode(secrets.token_bytes(8)).decode()[:12]
    code = f"{CODE_PREFIX}-" + "-".join(letters[i : i + 4] for i in range(0, 12, 4))
    secret = secrets.token_urlsafe(32)
    db_session.add(
        CaseKey(
            case_id=case_id,
            code_hash=_digest(clean_code(code)),
            link_hash=_digest(secret),
            created_at=now,
        )
    )
    db_session.flush()
    return Keys(code, secret)


def case_by_code(*, db_session: Session, code: str) -> int | None:
    """The case a tracking code opens, or None."""
    found = db_session.scalar(
        select(CaseKey.case_id).where(CaseKey.code_hash == _digest(clean_code(code)))
    )
    return found


def case_by_link(*, db_session: Session, secret: str) -> int | None:
    """The case a secret link opens, or None."""
    return db_session.scalar(
        select(CaseKey.case_id).where(CaseKey.link_hash == _digest(secret.strip()[:100]))
    )
