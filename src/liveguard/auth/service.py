"""Issue, resolve and revoke credentials. No web imports."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from liveguard import labels
from liveguard.auth.models import AuthToken, TokenKind
from liveguard.auth.passwords import hash_password, verify_password
from liveguard.db import utcnow
from liveguard.errors import NotAuthenticated
from liveguard.parties import service as parties_service
from liveguard.vocab import PrincipalKind, StaffRole

TOKEN_PREFIX = "lg_"


@dataclass(frozen=True)
class Principal:
    """The caller of a request, as the permission checks see it."""

    kind: PrincipalKind
    id: int
    name: str
    role: StaffRole | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind is PrincipalKind.staff


def digest(raw_token: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough: there is nothing to
    # brute-force, and lookups stay one indexed equality.
    return hashlib.sha256(raw_token.encode()).hexdigest()


def issue(
    *,
    db_session: Session,
    principal_kind: PrincipalKind,
    principal_id: int,
    label: str,
    kind: TokenKind = TokenKind.api,
    ttl: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """Create a token and return it in clear: the only time it is ever seen."""
    now = now or utcnow()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db_session.add(
        AuthToken(
            token_hash=digest(raw),
            kind=kind,
            principal_kind=principal_kind,
            principal_id=principal_id,
            label=label,
            created_at=now,
            expires_at=now + ttl if ttl else None,
        )
    )
    db_session.flush()
    return raw


def open_session(
    *,
    db_session: Session,
    principal_kind: PrincipalKind,
    principal_id: int,
    label: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> str:
    """A console session: a token that expires after ``ttl``, kept in a cookie."""
    return issue(
        db_session=db_session,
        principal_kind=principal_kind,
        principal_id=principal_id,
        label=label,
        kind=TokenKind.session,
        ttl=ttl,
        now=now,
    )


def resolve(*, db_session: Session, raw_token: str, now: datetime | None = None) -> Principal:
    """The principal a token stands for, or NotAuthenticated saying why not."""
    now = now or utcnow()
    token = db_session.scalar(select(AuthToken).where(AuthToken.token_hash == digest(raw_token)))
    if token is None:
        raise NotAuthenticated(labels.say("auth.refusal", "unknown_token"))
    if token.revoked_at is not None:
        raise NotAuthenticated(labels.say("auth.refusal", "revoked_token"))
    if token.expires_at is not None and token.expires_at <= now:
        raise NotAuthenticated(labels.say("auth.refusal", "expired_session"))
    principal = get_principal(
        db_session=db_session, kind=token.principal_kind, principal_id=token.principal_id
    )
    token.last_used_at = now
    return principal


def get_principal(*, db_session: Session, kind: PrincipalKind, principal_id: int) -> Principal:
    """The staff member, merchant or consumer behind a credential; NotFound if none."""
    if kind is PrincipalKind.staff:
        staff = parties_service.get_staff(db_session=db_session, staff_id=principal_id)
        if not staff.active:
            raise NotAuthenticated(labels.say("auth.refusal", "staff_disabled"))
        return Principal(kind, staff.id, staff.username, staff.role)
    if kind is PrincipalKind.merchant:
        merchant = parties_service.get_merchant(db_session=db_session, merchant_id=principal_id)
        return Principal(kind, merchant.id, merchant.shop_name)
    consumer = parties_service.get_consumer(db_session=db_session, consumer_id=principal_id)
    return Principal(kind, consumer.id, consumer.nickname)


@cache
def _dummy_hash() -> str:
    """A hash no password is known for: checked when the user name is unknown, so the
    answer takes as long as for a real account and does not tell which names exist."""
    return hash_password(secrets.token_urlsafe(32))


def login(
    *,
    db_session: Session,
    username: str,
    password: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> tuple[str, Principal]:
    """Check a staff password and open a console session."""
    staff = parties_service.get_staff_by_username(db_session=db_session, username=username)
    stored = staff.password_hash if staff is not None and staff.password_hash else None
    matches = verify_password(password, stored or _dummy_hash())  # always one scrypt check
    if staff is None or stored is None or not staff.active or not matches:
        raise NotAuthenticated(labels.say("auth.refusal", "wrong_password"))
    raw = open_session(
        db_session=db_session,
        principal_kind=PrincipalKind.staff,
        principal_id=staff.id,
        label="console session",
        ttl=ttl,
        now=now,
    )
    return raw, Principal(PrincipalKind.staff, staff.id, staff.username, staff.role)


def exchange(
    *,
    db_session: Session,
    raw_token: str,
    kind: PrincipalKind,
    refusal: str,
    ttl: timedelta,
    now: datetime,
) -> str:
    """A console session for the holder of an API token of ``kind`` (a merchant, a
    consumer). The token itself never goes in a cookie, so ending the session leaves it
    working; a token of another kind is refused with ``refusal``."""
    principal = resolve(db_session=db_session, raw_token=raw_token, now=now)
    if principal.kind is not kind:
        raise NotAuthenticated(refusal)
    return open_session(
        db_session=db_session,
        principal_kind=kind,
        principal_id=principal.id,
        label=f"{kind.value} console session",
        ttl=ttl,
        now=now,
    )


def revoke(*, db_session: Session, raw_token: str) -> None:
    db_session.execute(
        update(AuthToken)
        .where(AuthToken.token_hash == digest(raw_token), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
