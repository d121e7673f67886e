"""Ledger tables. Rows are only ever inserted; the tree state row is the append lock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from liveguard.db import Base


class LedgerLeaf(Base):
    """One recorded item: its canonical bytes and their RFC 9162 leaf hash."""

    __tablename__ = "evidence_leaves"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime]
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    data: Mapped[str] = mapped_column(Text)  # canonical JSON (see canonical.py)


class LedgerNode(Base):
    """The hash of a perfect subtree of 2**level leaves, kept as it completes.

    Only levels >= ``service.NODE_FLOOR`` are stored; with them any proof reads O(log n)
    rows: a few leaf hashes at the edges, never the whole log.
    """

    __tablename__ = "evidence_nodes"

    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerState(Base):
    """The single row holding the tree size and its frontier; locked to append."""

    __tablename__ = "evidence_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[list[str]] = mapped_column(JSON)  # hex roots of the right edge


class Checkpoint(Base):
    __tablename__ = "evidence_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    issued_at: Mapped[datetime]
    origin: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class SubjectKey(Base):
    """A data subject's key for the personal fields of their ledger items.

    Erasure (个人信息保护法 art. 47) destroys ``key``: the ciphertext in the leaves stays,
    so every hash and proof still verifies, but nobody can read it again.
    """

    __tablename__ = "evidence_subject_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random; goes in leaves
    subject_ref: Mapped[str] = mapped_column(String(100), unique=True)  # e.g. consumer:12
    key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]
    erasure_reason: Mapped[str | None] = mapped_column(Text)
