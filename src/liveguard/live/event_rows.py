"""Live event rows in and out, by the fastest statement each database has: a batch's
rows as one write (plain tuples on SQLite, COPY on PostgreSQL), and the reads a batch
makes before writing (duplicates, each room's last event) as one index probe per item.
Every function runs in the caller's transaction; ``ingest`` decides what to write."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from liveguard.db import copy_cursor
from liveguard.live.enums import EventKind
from liveguard.live.models import LiveEvent, LiveFinding


@dataclass(eq=False)
class NewEvent:
    """An event row on its way in: the columns of ``LiveEvent`` that the monitor reads,
    inserted with one Core statement. (As ORM objects, building and flushing 500 events
    was a third of a batch.)"""

    session_id: int
    seq: int
    event_id: str
    kind: EventKind
    occurred_at: datetime
    speaker_role: Any
    text: str | None
    data: dict[str, Any]
    ledger_seq: int | None = None
    id: int = 0
    clear_text: str | None = None  # ``text`` as sent when ``text`` is masked: never stored
    written: bool = False  # in the table yet (PostgreSQL writes a batch's rows last)


_EVENTS = LiveEvent.__table__
_EVENT_COLUMNS = (
    "session_id",
    "seq",
    "event_id",
    "kind",
    "occurred_at",
    "speaker_role",
    "text",
    "data",
    "ledger_seq",
)
_INSERT_EVENTS_SQLITE = (
    f"INSERT INTO live_events (id, {', '.join(_EVENT_COLUMNS)}) "
    f"VALUES ({', '.join(['?'] * (len(_EVENT_COLUMNS) + 1))})"
)


# PostgreSQL: ids drawn from the table's sequence in one query, then the rows by COPY.
# (A multi-row VALUES of 500 rows was a new long statement every batch, which psycopg
# rewrote for a fifth of a batch; arrays of the rows' JSON were slower still.)
_NEXT_IDS_PG = text("SELECT nextval('live_events_id_seq') FROM generate_series(1, :n)")
_COPY_EVENTS_PG = (
    "COPY live_events (id, session_id, seq, event_id, kind, occurred_at, speaker_role, "
    "text, data, ledger_seq) FROM STDIN"
)


def assign_ids(db_session: Session, rows: list[NewEvent]) -> None:
    """PostgreSQL: the rows' ids drawn from the table's sequence in one query, before they
    are written (the monitor's findings name them)."""
    ids = db_session.connection().execute(_NEXT_IDS_PG, {"n": len(rows)}).scalars().all()
    for row, pk in zip(rows, ids, strict=True):
        row.id = pk


def insert_linked(db_session: Session, rows: list[NewEvent], appended: list[Any]) -> None:
    """PostgreSQL: the rows, ids assigned, written once with their ledger items (one COPY),
    as the ledger appends them. (Written first and linked after, every row was written
    twice: an UPDATE of 500 rows, each a new row version and index entries.)"""
    for row, item in zip(rows, appended, strict=True):
        row.ledger_seq = item.seq
    insert(db_session, rows)


def insert(db_session: Session, rows: list[NewEvent]) -> None:
    connection = db_session.connection()
    if connection.dialect.name == "postgresql":
        if any(not row.id for row in rows):
            assign_ids(db_session, rows)
        cursor = copy_cursor(connection)
        with cursor.copy(_COPY_EVENTS_PG) as copy:
            for row in rows:
                row.written = True
                copy.write_row(
                    (
                        row.id,
                        row.session_id,
                        row.seq,
                        row.event_id,
                        row.kind.name,  # SQLAlchemy's Enum stores names
                        row.occurred_at,
                        row.speaker_role.name if row.speaker_role else None,
                        row.text,
                        json.dumps(row.data, ensure_ascii=False),
                        row.ledger_seq,
                    )
                )
        return
    # SQLite: the batch holds the one write lock (its ledger items are written), so the
    # next ids are known; the driver gets plain tuples, converted as the column types do
    # (their bind processors, with RETURNING, were a sixth of a batch).
    last = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM live_events").scalar()
    dialect = connection.dialect  # the time as db.UTCDateTime stores it, by its own processor
    stamp = _EVENTS.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)
    tuples = []
    for pk, row in enumerate(rows, start=int(last or 0) + 1):
        row.id, row.written = pk, True
        tuples.append(
            (
                pk,
                row.session_id,
                row.seq,
                row.event_id,
                row.kind.name,  # SQLAlchemy's Enum stores names
                stamp(row.occurred_at) if stamp else row.occurred_at,
                row.speaker_role.name if row.speaker_role else None,
                row.text,
                json.dumps(row.data),
                row.ledger_seq,
            )
        )
    connection.exec_driver_sql(_INSERT_EVENTS_SQLITE, tuples)


_STORED_PG = text(
    "SELECT e.session_id, e.event_id, e.seq, e.id FROM unnest(CAST(:sids AS INTEGER[]), "
    "CAST(:eids AS VARCHAR[])) AS v(sid, eid) JOIN live_events e "
    "ON e.session_id = v.sid AND e.event_id = v.eid"
)


def stored(
    db_session: Session, pairs: list[tuple[int, str]]
) -> dict[tuple[int, str], tuple[int, int | None]]:
    """Which of these (session, event id) pairs are stored: -> (seq, row id). One index
    probe a pair, joined from a list of the pairs: ``session_id IN (..) AND event_id IN
    (..)`` probed every session with every id (80,000 probes for 500 events in 160
    rooms, a fifth of a batch on SQLite)."""
    if not pairs:
        return {}
    connection = db_session.connection()
    if connection.dialect.name == "postgresql":
        params = {"sids": [sid for sid, _ in pairs], "eids": [eid for _, eid in pairs]}
        rows = connection.execute(_STORED_PG, params).all()
    else:
        rows = []
        for n in range(0, len(pairs), 10_000):  # SQLite takes at most 32,766 parameters
            chunk = pairs[n : n + 10_000]
            values = ", ".join(["(?, ?)"] * len(chunk))
            rows += connection.exec_driver_sql(
                f"WITH v(sid, eid) AS (VALUES {values}) SELECT e.session_id, e.event_id, "
                "e.seq, e.id FROM v JOIN live_events e "
                "ON e.session_id = v.sid AND e.event_id = v.eid",
                tuple(x for pair in chunk for x in pair),
            ).all()
    return {(sid, event_id): (seq, pk) for sid, event_id, seq, pk in rows}


# Each session's last event found by its (session_id, seq) index, one seek a session: a
# GROUP BY with max(id) read every row of every session in the batch, more as rooms ran
# longer (277 ms for 50 rooms of 20,000 events on SQLite, against 1 ms). Within a session
# ids grow with seq (a session has one writer at a time), so the last seq's row has the
# last id.
_LASTS_PG = text(
    "SELECT s.sid, e.seq, e.id FROM unnest(CAST(:sids AS INTEGER[])) AS s(sid) "
    "CROSS JOIN LATERAL (SELECT seq, id FROM live_events WHERE session_id = s.sid "
    "ORDER BY seq DESC LIMIT 1) AS e"
)


def lasts(db_session: Session, session_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each session's last sequence number and last event row id (both only grow)."""
    connection = db_session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(_LASTS_PG, {"sids": session_ids}).all()
    else:
        values = ", ".join(["(?)"] * len(session_ids))
        rows = connection.exec_driver_sql(
            f"WITH v(sid) AS (VALUES {values}) SELECT e.session_id, e.seq, e.id FROM v "
            "JOIN live_events e ON e.session_id = v.sid AND e.seq = "
            "(SELECT max(seq) FROM live_events m WHERE m.session_id = v.sid)",
            tuple(session_ids),
        ).all()
    return {sid: (int(seq), int(pk)) for sid, seq, pk in rows}


def finding_counts(db_session: Session, event_pks: list[int]) -> dict[int, int]:
    if not event_pks:
        return {}
    rows = db_session.execute(
        select(LiveFinding.event_pk, func.count())
        .where(LiveFinding.event_pk.in_(event_pks))
        .group_by(LiveFinding.event_pk)
    ).all()
    return {pk: int(n) for pk, n in rows}
