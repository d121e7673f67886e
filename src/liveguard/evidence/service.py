"""Appending to the ledger, reading items, proving them, and signing checkpoints.

Appends take the tree-state row's lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serialises writers), extend the frontier in memory and insert the new leaf and the
perfect subtrees it completes: nothing already stored is read or recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from liveguard.db import utcnow
from liveguard.errors import InvalidInput, NotFound
from liveguard.evidence import canonical, merkle, subjects
from liveguard.evidence.models import Checkpoint, LedgerLeaf, LedgerNode, LedgerState
from liveguard.evidence.schemas import RecordIn
from liveguard.evidence.signing import CheckpointBody, Signer

STATE_ROW = 1
DEFAULT_ORIGIN = "liveguard"


class DbNodeReader:
    """Perfect subtree hashes from the database: leaves at level 0, stored nodes above."""

    def __init__(self, db_session: Session) -> None:
        self.db_session = db_session

    def perfect(self, level: int, index: int) -> bytes:
        if level == 0:
            found = self.db_session.scalar(
                select(LedgerLeaf.leaf_hash).where(LedgerLeaf.seq == index)
            )
        else:
            found = self.db_session.scalar(
                select(LedgerNode.hash).where(LedgerNode.level == level, LedgerNode.index == index)
            )
        if found is None:
            raise merkle.ProofError(f"the log has no subtree at level {level}, index {index}")
        return bytes(found)


def _state(db_session: Session, *, lock: bool) -> LedgerState:
    query = select(LedgerState).where(LedgerState.id == STATE_ROW)
    state = db_session.scalar(query.with_for_update() if lock else query)
    if state is None:
        raise RuntimeError("the evidence_state row is missing: run `liveguard db upgrade`")
    return state


def record_payload(
    record: RecordIn, *, recorded_at: datetime, sealed: dict[str, str] | None = None
) -> dict[str, Any]:
    """What a leaf holds: the record, when the ledger received it, sealed personal fields."""
    payload = {
        "v": 1,
        "kind": record.kind.value,
        "occurred_at": _stamp(record.occurred_at),
        "recorded_at": _stamp(recorded_at),
        "where": record.where,
        "who": record.who,
        "data": record.data,
        "blobs": record.blobs,
    }
    if sealed is not None:
        payload["personal"] = sealed
    return payload


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Appended:
    seq: int
    leaf_hash: bytes


def append(
    *, db_session: Session, records: Sequence[RecordIn], now: datetime | None = None
) -> list[Appended]:
    """Append records in order; returns each one's sequence number and leaf hash."""
    if not records:
        return []
    now = now or utcnow()
    encoded = []
    for position, record in enumerate(records):
        try:
            sealed = None
            if record.personal:
                key = subjects.key_for(db_session=db_session, subject_ref=record.subject or "")
                sealed = subjects.seal(key, record.personal)
            encoded.append(canonical.encode(record_payload(record, recorded_at=now, sealed=sealed)))
        except ValueError as error:
            raise InvalidInput(f"records.{position}", str(error)) from None
    state = _state(db_session, lock=True)
    frontier = merkle.Frontier(state.tree_size, [bytes.fromhex(h) for h in state.frontier])
    leaf_rows, node_rows = [], []
    for record, data in zip(records, encoded, strict=True):
        leaf_hash = merkle.hash_leaf(data)
        completed = frontier.append(leaf_hash)
        leaf_rows.append(
            {
                "seq": completed[0].index,
                "kind": record.kind.value,
                "recorded_at": now,
                "leaf_hash": leaf_hash,
                "data": data.decode("utf-8"),
            }
        )
        node_rows.extend(
            {"level": n.level, "index": n.index, "hash": n.hash} for n in completed[1:]
        )
    db_session.execute(insert(LedgerLeaf), leaf_rows)
    if node_rows:
        db_session.execute(insert(LedgerNode), node_rows)
    state.tree_size = frontier.size
    state.frontier = [root.hex() for root in frontier.roots]
    db_session.flush()
    first = leaf_rows[0]["seq"]
    return list(
        db_session.scalars(
            select(LedgerLeaf).where(LedgerLeaf.seq >= first).order_by(LedgerLeaf.seq)
        )
    )


def tree_size(*, db_session: Session) -> int:
    return _state(db_session, lock=False).tree_size


def current_root(*, db_session: Session) -> tuple[int, bytes]:
    state = _state(db_session, lock=False)
    return state.tree_size, merkle.Frontier(
        state.tree_size, [bytes.fromhex(h) for h in state.frontier]
    ).root()


def get_item(*, db_session: Session, seq: int) -> LedgerLeaf:
    leaf = db_session.get(LedgerLeaf, seq)
    if leaf is None:
        raise NotFound("ledger item", seq)
    return leaf


def item_intact(leaf: LedgerLeaf) -> bool:
    """Do the stored bytes still hash to the stored leaf hash?"""
    return merkle.hash_leaf(leaf.data.encode("utf-8")) == bytes(leaf.leaf_hash)


def _checked_size(db_session: Session, size: int, field: str) -> None:
    current = tree_size(db_session=db_session)
    if not 0 < size <= current:
        raise InvalidInput(field, f"the log has {current} items; {size} is not a tree size in it")


def inclusion_proof(*, db_session: Session, seq: int, size: int) -> list[bytes]:
    _checked_size(db_session, size, "tree_size")
    if not 0 <= seq < size:
        raise InvalidInput("seq", f"item {seq} is not in the first {size} items")
    return merkle.inclusion_proof(DbNodeReader(db_session), seq, size)


def consistency_proof(*, db_session: Session, first: int, second: int) -> list[bytes]:
    _checked_size(db_session, second, "second")
    if not 0 <= first <= second:
        raise InvalidInput("first", f"size {first} must be between 0 and {second}")
    return merkle.consistency_proof(DbNodeReader(db_session), first, second)


def issue_checkpoint(
    *,
    db_session: Session,
    signer: Signer,
    origin: str = DEFAULT_ORIGIN,
    now: datetime | None = None,
) -> Checkpoint:
    """Sign the current tree head and keep the checkpoint."""
    size, root = current_root(db_session=db_session)
    body = CheckpointBody(
        origin=origin,
        tree_size=size,
        root_hash=root,
        issued_at=(now or utcnow()).replace(microsecond=0),
    )
    checkpoint = Checkpoint(
        tree_size=size,
        root_hash=root,
        issued_at=body.issued_at,
        origin=origin,
        key_id=signer.key_id,
        signature=signer.sign(body),
    )
    db_session.add(checkpoint)
    db_session.flush()
    return checkpoint


def checkpoint_if_grown(
    *, db_session: Session, signer: Signer, origin: str = DEFAULT_ORIGIN
) -> Checkpoint | None:
    """The scheduled checkpoint: issued only when items arrived since the last one."""
    latest = latest_checkpoint(db_session=db_session)
    size = tree_size(db_session=db_session)
    if size == 0 or (latest is not None and latest.tree_size == size):
        return None
    return issue_checkpoint(db_session=db_session, signer=signer, origin=origin)


def latest_checkpoint(*, db_session: Session) -> Checkpoint | None:
    return db_session.scalar(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1))


def get_checkpoint(*, db_session: Session, checkpoint_id: int) -> Checkpoint:
    checkpoint = db_session.get(Checkpoint, checkpoint_id)
    if checkpoint is None:
        raise NotFound("checkpoint", checkpoint_id)
    return checkpoint


def checkpoint_body(checkpoint: Checkpoint) -> CheckpointBody:
    return CheckpointBody(
        origin=checkpoint.origin,
        tree_size=checkpoint.tree_size,
        root_hash=bytes(checkpoint.root_hash),
        issued_at=checkpoint.issued_at,
    )
