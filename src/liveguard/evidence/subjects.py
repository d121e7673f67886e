"""Per-data-subject keys for personal fields in the ledger: crypto-shredding.

A leaf never holds personal data in clear. A record's ``personal`` fields are sealed
with AES-256-GCM under a key that belongs to one person; the leaf holds the key's random
id and the ciphertext. Erasing the person destroys the key (个人信息保护法 art. 47): the
leaf bytes, their hash and every proof are unchanged, and the fields are gone for good.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.db import utcnow
from liveguard.errors import Conflict, NotFound
from liveguard.evidence.models import SubjectKey

NONCE_BYTES = 12


def key_for(*, db_session: Session, subject_ref: str, now: datetime | None = None) -> SubjectKey:
    """The subject's key, created on first use; refused once the subject was erased."""
    return keys_for(db_session=db_session, subject_refs=[subject_ref], now=now)[subject_ref]


def keys_for(
    *, db_session: Session, subject_refs: Iterable[str], now: datetime | None = None
) -> dict[str, SubjectKey]:
    """``key_for`` for several subjects: one query and at most one insert, whatever their
    number (a live batch seals every masked line under the ledger's lock: a query and a
    flush each were over a quarter of its appends' time). Conflict if one was erased."""
    refs = sorted(set(subject_refs))
    if not refs:
        return {}
    query = select(SubjectKey).where(SubjectKey.subject_ref.in_(refs))
    found = {key.subject_ref: key for key in db_session.scalars(query)}
    made = [
        SubjectKey(
            id=secrets.token_hex(16),
            subject_ref=ref,
            key=secrets.token_bytes(32),
            created_at=now or utcnow(),
        )
        for ref in refs
        if ref not in found
    ]
    if made:
        db_session.add_all(made)
        db_session.flush()
        found.update({key.subject_ref: key for key in made})
    for ref, key in found.items():
        if key.key is None:
            raise Conflict(
                f"{ref} was erased on {key.erased_at:%Y-%m-%d}; "
                "their personal data cannot be recorded again under that key",
                field_name="subject",
            )
    return found


def seal(key: SubjectKey, fields: dict[str, Any]) -> dict[str, str]:
    """The leaf's view of personal fields: whose key, and the ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    sealed = AESGCM(bytes(key.key or b"")).encrypt(nonce, plaintext, key.id.encode())
    return {"key_id": key.id, "ciphertext": base64.b64encode(nonce + sealed).decode()}


def open_sealed(*, db_session: Session, sealed: dict[str, str]) -> dict[str, Any] | None:
    """The personal fields in clear, or None when the subject has been erased."""
    key = db_session.get(SubjectKey, sealed["key_id"])
    if key is None or key.key is None:
        return None
    raw = base64.b64decode(sealed["ciphertext"])
    try:
        plaintext = AESGCM(bytes(key.key)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], key.id.encode()
        )
    except InvalidTag:
        return None
    personal: dict[str, Any] = json.loads(plaintext)
    return personal


def erase(
    *, db_session: Session, subject_ref: str, reason: str, now: datetime | None = None
) -> SubjectKey:
    """Destroy the subject's key. Irreversible by design."""
    key = db_session.scalar(select(SubjectKey).where(SubjectKey.subject_ref == subject_ref))
    if key is None:
        raise NotFound("data subject in the ledger", subject_ref)
    if key.key is not None:
        key.key = None
        key.erased_at = now or utcnow()
        key.erasure_reason = reason
        db_session.flush()
    return key
