"""The keys of a complaint filed without an account: a tracking code (short enough to read
out, 60 random bits, looked up under the sign-in throttle) and a secret link (256 bits).
Both are shown once and stored only as SHA-256 digests, like tokens. No web imports.

A complaint form carries a one-time seed (256 random bits, made when the form is shown):
the keys of the case it files are derived from it, so the same form sent again (a double
click, back and resubmit, a reload of the answer) finds its case and shows the same keys
instead of filing a second one, and nothing in clear is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.auth.models import CaseKey

CODE_PREFIX = "TS"
SEED_MIN = 32  # characters of a form's seed: at least the 256 bits ``new_seed`` gives


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


def new_seed() -> str:
    """A complaint form's one-time seed."""
    return secrets.token_urlsafe(32)


def usable_seed(seed: str) -> bool:
    """A seed as ``new_seed`` makes them; anything shorter files nothing."""
    return SEED_MIN <= len(seed) <= 100 and seed.replace("-", "").replace("_", "").isalnum()


def _part(seed: str, purpose: bytes) -> bytes:
    return hmac.new(seed.encode(), purpose, hashlib.sha256).digest()


def origin_key(seed: str) -> str:
    """What the case filed by the form with ``seed`` is found by (``cases.origin_key``)."""
    return "form:" + _part(seed, b"liveguard-case-origin").hex()


def _keys(letters_from: bytes, secret_from: bytes) -> Keys:
    letters = base64.b32encode(letters_from[:8]).decode()[:12]
    code = f"{CODE_PREFIX}-" + "-".join(letters[i : i + 4] for i in range(0, 12, 4))
    return Keys(code, base64.urlsafe_b64encode(secret_from).decode().rstrip("="))


def issue(*, db_session: Session, case_id: int, now: datetime, seed: str | None = None) -> Keys:
    """New keys for a case: returned in clear this once; derived from the form's
    ``seed`` when it has one, so that form can show them again (``keys_for``)."""
    if seed is None:
        keys = _keys(secrets.token_bytes(8), secrets.token_bytes(32))
    else:
        keys = _keys(_part(seed, b"liveguard-case-code"), _part(seed, b"liveguard-case-link"))
    db_session.add(
        CaseKey(
            case_id=case_id,
            code_hash=_digest(clean_code(keys.code)),
            link_hash=_digest(keys.secret),
            created_at=now,
        )
    )
    db_session.flush()
    return keys


def keys_for(*, db_session: Session, case_id: int, seed: str) -> Keys | None:
    """The keys the form with ``seed`` was given for its case; None when they are not
    that case's keys."""
    keys = _keys(_part(seed, b"liveguard-case-code"), _part(seed, b"liveguard-case-link"))
    stored = db_session.scalar(select(CaseKey.code_hash).where(CaseKey.case_id == case_id))
    return keys if stored == _digest(clean_code(keys.code)) else None


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
