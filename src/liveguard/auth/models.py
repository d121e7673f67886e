"""Credentials (tokens are stored only as SHA-256 digests) and the sign-in throttle's buckets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from liveguard.db import Base, utcnow
from liveguard.vocab import PrincipalKind


class TokenKind(StrEnum):
    api = "api"  # long-lived, for integrations and scripts
    session = "session"  # a console sign-in, expires


class AuthToken(Base):
    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[TokenKind] = mapped_column(Enum(TokenKind, native_enum=False, length=16))
    principal_kind: Mapped[PrincipalKind] = mapped_column(
        Enum(PrincipalKind, native_enum=False, length=16)
    )
    principal_id: Mapped[int] = mapped_column(index=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class SignInBucket(Base):
    """Failed sign-ins of one account or one address, as a token bucket (``throttle``).

    The bucket is one number: the moment it will be full again. An integer of epoch
    milliseconds, so one UPDATE adds to it on SQLite and PostgreSQL alike; a row whose
    moment has passed is a full bucket, the same as no row, and may be deleted.
    """

    __tablename__ = "sign_in_buckets"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # account:… or address:…
    full_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
