"""Credentials (tokens are stored only as SHA-256 digests) and the sign-in throttle's buckets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, ForeignKey, String
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


class ConsumerPassword(Base):
    """A buyer's own sign-in: her password, hashed like staff passwords (scrypt)."""

    __tablename__ = "consumer_passwords"

    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(Base):
    """One of the one-time codes shown once at sign-up: a way back in with no outside
    service. 80 random bits each, so a SHA-256 digest is enough (as for tokens)."""

    __tablename__ = "consumer_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumers.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]


class CaseKey(Base):
    """How a complaint filed without an account is found again: a tracking code she can
    read over the phone and a secret link, both random and stored only as digests."""

    __tablename__ = "case_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
