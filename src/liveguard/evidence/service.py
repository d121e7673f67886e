"""Appending to the ledger, reading items, proving them, and signing checkpoints.

Appends take the tree-state row's lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serialises writers), extend the frontier in memory and insert the new leaf and the
perfect subtrees it completes: nothing already stored is read or recomputed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Connection, TextClause, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from liveguard.db import copy_cursor, table_of, utcnow
from liveguard.errors import InvalidInput, NotFound
from liveguard.evidence import canonical, merkle, subjects
from liveguard.evidence.models import Checkpoint, LedgerLeaf, LedgerNode, LedgerState
from liveguard.evidence.schemas import CheckpointRead, RecordIn
from liveguard.evidence.signing import CheckpointBody, Signer

STATE_ROW = 1
DEFAULT_ORIGIN = "liveguard"
# Subtrees below this level are not stored: a proof recomputes one from at most
# 2**(NODE_FLOOR - 1) leaf hashes read in the same statement, and appends insert about
# 1/2**(NODE_FLOOR - 1) as many node rows as leaves instead of one per leaf.
NODE_FLOOR = 3


class _KeyRecorder:
    """Notes which subtrees a proof reads. Which ones depends only on index and size,
    never on hash values, so a dry run with zero hashes lists them all."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []

    def perfect(self, level: int, index: int) -> bytes:
        self.keys.append((level, index))
        return bytes(merkle.HASH_SIZE)


@dataclass(frozen=True)
class _FetchedReader:
    hashes: dict[tuple[int, int], bytes]

    def perfect(self, level: int, index: int) -> bytes:
        found = self.hashes.get((level, index))
        if found is not None:
            return found
        if 0 < level < NODE_FLOOR:
            found = merkle.hash_children(
                self.perfect(level - 1, 2 * index), self.perfect(level - 1, 2 * index + 1)
            )
            self.hashes[(level, index)] = found
            return found
        raise merkle.ProofError(f"the log has no subtree at level {level}, index {index}")


def _stored_keys(keys: list[tuple[int, int]]) -> tuple[set[int], set[tuple[int, int]]]:
    """The leaf seqs and stored node keys that hold the subtrees ``keys`` name."""
    leaves: set[int] = set()
    nodes: set[tuple[int, int]] = set()
    for level, index in keys:
        if level >= NODE_FLOOR:
            nodes.add((level, index))
        else:
            leaves.update(range(index << level, (index + 1) << level))
    return leaves, nodes


@lru_cache(maxsize=64)
def _nodes_statement(count: int) -> TextClause:
    """Fetch ``count`` (level, index) nodes by joining a VALUES list: one indexed statement,
    cached per size, on SQLite and PostgreSQL alike (a tuple IN makes SQLite scan)."""
    values = ", ".join(f"(CAST(:l{i} AS INTEGER), CAST(:i{i} AS BIGINT))" for i in range(count))
    return text(
        f'WITH k(l, i) AS (VALUES {values}) SELECT n.level, n."index", n.hash '
        'FROM k JOIN evidence_nodes n ON n.level = k.l AND n."index" = k.i'
    )


def prefetched_reader(
    db_session: Session, proof: Callable[[merkle.NodeReader], object]
) -> merkle.NodeReader:
    """Every subtree hash ``proof`` will read, fetched in two statements, not thirty."""
    recorder = _KeyRecorder()
    proof(recorder)
    leaves, nodes = _stored_keys(recorder.keys)
    hashes: dict[tuple[int, int], bytes] = {}
    if leaves:
        for seq, value in db_session.execute(_LEAVES_BY_SEQ, {"seqs": sorted(leaves)}):
            hashes[(0, seq)] = bytes(value)
    if nodes:
        params = {}
        for i, (level, index) in enumerate(sorted(nodes)):
            params[f"l{i}"], params[f"i{i}"] = level, index
        for level, index, value in db_session.execute(_nodes_statement(len(nodes)), params):
            hashes[(level, index)] = bytes(value)
    return _FetchedReader(hashes)


# Core statements built once: appends and proofs are hot paths, and the ORM's per-call
# statement building and identity map cost more than the SQL itself (benchmarks/).
_READ_STATE = select(LedgerState.tree_size, LedgerState.frontier).where(LedgerState.id == STATE_ROW)
_LOCK_STATE = _READ_STATE.with_for_update()
_WRITE_STATE = (
    update(table_of(LedgerState))
    .where(table_of(LedgerState).c.id == STATE_ROW)
    .values(tree_size=bindparam("size"), frontier=bindparam("roots"))
)
_LEAF_COLUMNS = ("seq", "kind", "recorded_at", "leaf_hash", "data")
_INSERT_NODES = insert(table_of(LedgerNode))
_LEAVES_BY_SEQ = select(LedgerLeaf.seq, LedgerLeaf.leaf_hash).where(
    LedgerLeaf.seq.in_(bindparam("seqs", expanding=True))
)


def _bind_value(connection: Connection, column: Column[Any], value: object) -> object:
    dialect = connection.dialect
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor(value) if processor else value


@lru_cache(maxsize=8)
def _insert_sql_for(paramstyle: str, table: str, columns: tuple[str, ...]) -> str:
    marker = "?" if paramstyle == "qmark" else "%s"  # sqlite3: qmark; psycopg: format
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join([marker] * len(columns))})"


def _insert_sql(connection: Connection, table: str, columns: tuple[str, ...]) -> str:
    return _insert_sql_for(connection.dialect.paramstyle, table, columns)


def _read_state(db_session: Session, *, lock: bool) -> merkle.Frontier:
    # through the session's connection: Core, without the ORM's result machinery
    row = db_session.connection().execute(_LOCK_STATE if lock else _READ_STATE).first()
    if row is None:
        raise RuntimeError("the evidence_state row is missing: run `liveguard db upgrade`")
    return merkle.Frontier(row.tree_size, [bytes.fromhex(h) for h in row.frontier])


def record_payload(
    record: RecordIn, *, recorded_at: str, sealed: dict[str, str] | None = None
) -> dict[str, Any]:
    """What a leaf holds: the record, when the ledger received it, sealed personal fields."""
    payload = {
        "v": 1,
        "kind": record.kind.value,
        "occurred_at": stamp(record.occurred_at),
        "recorded_at": recorded_at,
        "where": record.where,
        "who": record.who,
        "data": record.data,
        "blobs": record.blobs,
    }
    if sealed is not None:
        payload["personal"] = sealed
    return payload


def stamp(moment: datetime) -> str:
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


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
    open_batch: _Batch | None = db_session.info.get(_OPEN_BATCH)
    if open_batch is not None:  # called from a held-back append's callback: after it
        return open_batch.add(records, now or utcnow())
    batch = _Batch(db_session)
    appended = batch.add(records, now or utcnow())
    batch.write()
    return appended


class _Batch:
    """Appends made under one take of the tree-state lock: the frontier read once,
    extended in memory, and the leaves, the completed subtrees and the new state written
    once each, however many ``add`` calls (a live batch's events, findings and actions)."""

    def __init__(self, db_session: Session) -> None:
        self.db_session = db_session
        self.frontier = _read_state(db_session, lock=True)
        self.connection = db_session.connection()
        self.leaf_rows: list[tuple[Any, ...]] = []
        self.node_rows: list[dict[str, Any]] = []

    def add(self, records: Sequence[RecordIn], now: datetime) -> list[Appended]:
        received = stamp(now)
        encoded = []
        sealing = [record.subject or "" for record in records if record.personal]
        keys = subjects.keys_for(db_session=self.db_session, subject_refs=sealing)
        for position, record in enumerate(records):
            try:
                sealed = None
                if record.personal:
                    sealed = subjects.seal(keys[record.subject or ""], record.personal)
                payload = record_payload(record, recorded_at=received, sealed=sealed)
                encoded.append(canonical.encode(payload))
            except ValueError as error:
                raise InvalidInput(f"records.{position}", str(error)) from None
        # Every leaf of a call shares recorded_at: convert it for the driver once, and hand
        # the driver plain tuples (Core's per-row parameter processing was a fifth of the cost).
        recorded = _bind_value(self.connection, table_of(LedgerLeaf).c.recorded_at, now)
        appended: list[Appended] = []
        for record, data in zip(records, encoded, strict=True):
            leaf_hash = merkle.hash_leaf(data)
            completed = self.frontier.append(leaf_hash)
            seq = completed[0].index
            appended.append(Appended(seq, leaf_hash))
            self.leaf_rows.append(
                (seq, record.kind.value, recorded, leaf_hash, data.decode("utf-8"))
            )
            self.node_rows.extend(
                {"level": n.level, "index": n.index, "hash": n.hash} for n in completed[NODE_FLOOR:]
            )
        return appended

    def write(self) -> None:
        if not self.leaf_rows:
            return
        connection, frontier = self.connection, self.frontier
        if connection.dialect.name == "postgresql":
            _insert_arrays(connection, self.leaf_rows, self.node_rows)
        else:
            connection.exec_driver_sql(
                _insert_sql(connection, "evidence_leaves", _LEAF_COLUMNS), self.leaf_rows
            )
            if self.node_rows:
                connection.execute(_INSERT_NODES, self.node_rows)
        connection.execute(
            _WRITE_STATE, {"size": frontier.size, "roots": [r.hex() for r in frontier.roots]}
        )


# PostgreSQL: a batch's leaves and nodes by COPY, one stream each. Row by row
# (psycopg's pipelined executemany), 5,000 leaves were 5,000 statements for the server to
# run, the largest share of a live batch there; arrays of the leaves' JSON text were
# slower still (each element quoted into an array literal).
_COPY_LEAVES = "COPY evidence_leaves (seq, kind, recorded_at, leaf_hash, data) FROM STDIN"
_COPY_NODES = 'COPY evidence_nodes (level, "index", hash) FROM STDIN'


def _insert_arrays(
    connection: Connection, leaf_rows: list[tuple[Any, ...]], node_rows: list[dict[str, Any]]
) -> None:
    cursor = copy_cursor(connection)
    with cursor.copy(_COPY_LEAVES) as copy:
        for row in leaf_rows:
            copy.write_row(row)
    if node_rows:
        with cursor.copy(_COPY_NODES) as copy:
            for node in node_rows:
                copy.write_row((node["level"], node["index"], node["hash"]))


_PENDING = "liveguard.ledger.pending"  # db_session.info key: appends held back, in order
_OPEN_BATCH = "liveguard.ledger.batch"  # db_session.info key: the held-back appends' batch


@contextmanager
def appends_at_end(*, db_session: Session, now: datetime | None = None) -> Iterator[None]:
    """Hold back ``append_later`` calls made inside the block and make them, in call order,
    when it ends. The tree-state lock (the one every writer of the log queues on) is then
    taken only for the appends themselves and the caller's commit, not for the whole
    transaction: what a busy writer with other work in its transaction wants. An error
    in the block makes no append (the caller rolls back)."""
    if _PENDING in db_session.info or db_session.get_bind().dialect.name == "sqlite":
        # nested: the outer block appends; SQLite: a writer holds the one write lock from
        # its first write (or BEGIN IMMEDIATE) to its commit, so holding back gains nothing
        yield
        return
    db_session.info[_PENDING] = []
    try:
        yield
        pending = db_session.info[_PENDING]
        if not pending:
            return
        # One take of the lock, one frontier read and one write of the leaves, the
        # subtrees and the state for every held-back append. A callback's rows may need
        # the items before them (a finding's record names its event's item), so each
        # ``done`` runs as its records are numbered, before the next ``records()``.
        batch = _Batch(db_session)
        db_session.info[_OPEN_BATCH] = batch
        while pending:  # a callback may hold back more records: they come after
            build, done, at = pending.pop(0)
            done(batch.add(build(), at or now or utcnow()))
        batch.write()
    finally:
        del db_session.info[_PENDING]
        db_session.info.pop(_OPEN_BATCH, None)


def holding_back(db_session: Session) -> bool:
    """Are appends held back (inside ``appends_at_end``, on PostgreSQL)?"""
    return _PENDING in db_session.info


def append_later(
    *,
    db_session: Session,
    records: Callable[[], Sequence[RecordIn]],
    done: Callable[[list[Appended]], None],
    now: datetime | None = None,
) -> None:
    """Append ``records()`` and hand ``done`` the result: at the end of the enclosing
    ``appends_at_end`` block, or at once outside one. ``records`` is called only then, so
    a record may quote the sequence numbers an earlier held-back append handed out."""
    pending = db_session.info.get(_PENDING)
    if pending is None:
        done(append(db_session=db_session, records=records(), now=now))
    else:
        pending.append((records, done, now))


def into_rows(db_session: Session, rows: Sequence[Any]) -> Callable[[list[Appended]], None]:
    """An ``append_later`` ``done``: each row's ``ledger_seq`` set to its item, flushed."""

    def done(appended: list[Appended]) -> None:
        for row, item in zip(rows, appended, strict=True):
            row.ledger_seq = item.seq
        db_session.flush()

    return done


def tree_size(*, db_session: Session) -> int:
    return _read_state(db_session, lock=False).size


def current_root(*, db_session: Session) -> tuple[int, bytes]:
    frontier = _read_state(db_session, lock=False)
    return frontier.size, frontier.root()


def get_item(*, db_session: Session, seq: int) -> LedgerLeaf:
    leaf = db_session.get(LedgerLeaf, seq)
    if leaf is None:
        raise NotFound("ledger item", seq)
    return leaf


BROWSE_LIMIT = 50


def browse(
    *,
    db_session: Session,
    kind: str | None = None,
    session_id: int | None = None,
    seqs: Sequence[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: int | None = None,
    limit: int = BROWSE_LIMIT,
) -> Sequence[LedgerLeaf]:
    """Items newest first, at most ``limit``, filtered by kind, room (the session named in
    the record), a set of items (a case's), and when recorded; ``before`` pages back by
    item number, so a page costs one bounded index range whatever the ledger's size."""
    query = select(LedgerLeaf).order_by(LedgerLeaf.seq.desc()).limit(min(limit, BROWSE_LIMIT))
    if kind:
        query = query.where(LedgerLeaf.kind == kind)
    if session_id is not None:  # canonical JSON: compact, so the key is spelled one way
        query = query.where(
            LedgerLeaf.data.contains(f'"session_id":{session_id},')
            | LedgerLeaf.data.contains(f'"session_id":{session_id}}}')
        )
    if seqs is not None:
        query = query.where(LedgerLeaf.seq.in_(list(seqs)))
    if since is not None:
        query = query.where(LedgerLeaf.recorded_at >= since)
    if until is not None:
        query = query.where(LedgerLeaf.recorded_at < until)
    if before is not None:
        query = query.where(LedgerLeaf.seq < before)
    return db_session.scalars(query).all()


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
    return merkle.inclusion_proof(
        prefetched_reader(db_session, lambda r: merkle.inclusion_proof(r, seq, size)), seq, size
    )


def consistency_proof(*, db_session: Session, first: int, second: int) -> list[bytes]:
    _checked_size(db_session, second, "second")
    if not 0 <= first <= second:
        raise InvalidInput("first", f"size {first} must be between 0 and {second}")
    return merkle.consistency_proof(
        prefetched_reader(db_session, lambda r: merkle.consistency_proof(r, first, second)),
        first,
        second,
    )


def issue_checkpoint(
    *,
    db_session: Session,
    signer: Signer,
    origin: str = DEFAULT_ORIGIN,
    now: datetime | None = None,
) -> Checkpoint:
    """Sign the current tree head and keep the checkpoint, in the database and, once the
    transaction commits, in the signer's checkpoint log outside it (see witness.py)."""
    size, root = current_root(db_session=db_session)
    body = CheckpointBody(
        origin=origin,
        tree_size=size,
        root_hash=root,
        issued_at=(now or utcnow()).replace(microsecond=0),
    )
    signature = signer.sign(body)
    checkpoint = Checkpoint(
        tree_size=size,
        root_hash=root,
        issued_at=body.issued_at,
        origin=origin,
        key_id=signer.key_id,
        signature=signature,
    )
    db_session.add(checkpoint)
    db_session.flush()
    if signer.witness is not None:
        signer.witness.append_on_commit(db_session, body, signature, signer.key_id)
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


def checkpoint_covering(
    *, db_session: Session, signer: Signer, seq: int, origin: str = DEFAULT_ORIGIN
) -> Checkpoint:
    """The checkpoint to prove items up to ``seq`` against: the latest if it covers them,
    else one signed now, which is only when the log has grown since the last. A reader's
    export thus signs at most once per growth of the log, and exporting again signs nothing."""
    size = tree_size(db_session=db_session)
    if seq >= size:
        raise InvalidInput("seqs", f"item {seq} is not in the log, which holds {size} items")
    latest = latest_checkpoint(db_session=db_session)
    if latest is not None and seq < latest.tree_size:
        return latest
    grown = checkpoint_if_grown(db_session=db_session, signer=signer, origin=origin)
    assert grown is not None  # seq < size and the latest does not reach it: the log grew
    return grown


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


def checkpoint_read(checkpoint: Checkpoint) -> CheckpointRead:
    """A checkpoint as the API and the console show it: hashes in hex, with the signed note."""
    return CheckpointRead(
        id=checkpoint.id,
        origin=checkpoint.origin,
        tree_size=checkpoint.tree_size,
        root_hash=bytes(checkpoint.root_hash).hex(),
        issued_at=checkpoint.issued_at,
        key_id=checkpoint.key_id,
        signature=bytes(checkpoint.signature).hex(),
        note=checkpoint_body(checkpoint).note().decode(),
    )


def erase_subject(*, db_session: Session, subject_ref: str, reason: str, now: datetime) -> bool:
    """Crypto-shred a person's personal fields in the ledger by destroying their key
    (个人信息保护法 art. 47): whether the ledger held any of theirs."""
    try:
        subjects.erase(db_session=db_session, subject_ref=subject_ref, reason=reason, now=now)
    except NotFound:
        return False
    return True
