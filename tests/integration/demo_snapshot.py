"""The demo data set loaded once per database and restored from a snapshot after that.

``demo_data.load`` takes 5-8 s a call (every scenario, through the real flows, and a
signed checkpoint); about thirty integration tests start with it, on SQLite and on
PostgreSQL. The first call on an empty database runs the real loader and takes a
snapshot: every table's rows as the database stores them (PostgreSQL's ``COPY``, SQLite's
own values, so encrypted fields and hashes come back byte for byte), the sequences, and
the files the load wrote under the data directory (blobs, the checkpoint witness). A
later call on the same empty database, the same data directory and the same day puts
that back in well under a second and answers True, as the loader would. Anything else
(a database with rows in it, another database, another day) goes to the real loader.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from liveguard.clock import Clock
from liveguard.config import Settings
from liveguard.db import Base, import_models, make_engine

SEEDED = "evidence_state"  # a row the migration seeds: replaced, not added


@dataclass
class Snapshot:
    tables: dict[str, Any] = field(default_factory=dict)  # name -> COPY text or (columns, rows)
    sequences: list[tuple[str, int, bool]] = field(default_factory=list)
    files: dict[Path, bytes] = field(default_factory=dict)


def _files(root: Path) -> dict[Path, tuple[int, int]]:
    return {
        p: (p.stat().st_mtime_ns, p.stat().st_size)
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith("liveguard.db")
    }


def _empty(engine: Engine) -> bool:
    import_models()
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name == SEEDED:
                continue
            if connection.scalar(select(func.count()).select_from(table)):
                return False
    return True


def _take(engine: Engine) -> Snapshot:
    snapshot = Snapshot()
    names = [t.name for t in Base.metadata.sorted_tables]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            for name in names:
                buffer = io.BytesIO()
                with cursor.copy(f'COPY "{name}" TO STDOUT') as copy:  # type: ignore[attr-defined]
                    for block in copy:
                        buffer.write(block)
                snapshot.tables[name] = buffer.getvalue()
            cursor.execute(
                "SELECT schemaname || '.' || sequencename, last_value, last_value IS NOT NULL "
                "FROM pg_sequences"
            )
            snapshot.sequences = [(n, v or 1, bool(c)) for n, v, c in cursor.fetchall()]
        else:
            for name in names:
                cursor.execute(f'SELECT * FROM "{name}"')
                columns = [d[0] for d in cursor.description]
                snapshot.tables[name] = (columns, cursor.fetchall())
    finally:
        raw.close()
    return snapshot


def _restore(engine: Engine, snapshot: Snapshot) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            # foreign keys are checked by triggers: off while the rows go back as they were
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(f'DELETE FROM "{SEEDED}"')
            for name, data in snapshot.tables.items():
                if data:
                    with cursor.copy(f'COPY "{name}" FROM STDIN') as copy:  # type: ignore[attr-defined]
                        copy.write(data)
            for name, value, called in snapshot.sequences:
                cursor.execute("SELECT setval(%s, %s, %s)", (name, value, called))
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")
            cursor.execute(f'DELETE FROM "{SEEDED}"')
            for name, (columns, rows) in snapshot.tables.items():
                if rows:
                    marks = ", ".join("?" for _ in columns)
                    names = ", ".join(f'"{c}"' for c in columns)
                    cursor.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
        raw.commit()
    finally:
        raw.close()
    for path, content in snapshot.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


class DemoOnce:
    """``demo_data.load`` with a snapshot per (database, data directory, day)."""

    def __init__(self, real: Callable[..., bool]) -> None:
        self.real = real
        self.snapshots: dict[tuple[str, str, date], Snapshot] = {}
        self.engines: dict[str, Engine] = {}
        self.restored = 0

    def _engine(self, url: str) -> Engine:
        if url not in self.engines:
            self.engines[url] = make_engine(url)
        return self.engines[url]

    def load(self, settings: Settings, *, clock: Clock | None = None) -> bool:
        if not settings.database_url:
            return self.real(settings, clock=clock)
        try:
            return self._load(settings, clock=clock)
        finally:
            # No connection of ours stays open between tests: a SQLite file held open here
            # broke the monitor workers that later tests start on the same file.
            self.close()

    def _load(self, settings: Settings, *, clock: Clock | None = None) -> bool:
        key = (settings.database_url, str(settings.data_dir), (clock or Clock()).today())
        engine = self._engine(settings.database_url)
        if not _empty(engine):
            return self.real(settings, clock=clock)  # the loader decides (it answers False)
        if key in self.snapshots:
            _restore(engine, self.snapshots[key])
            self.restored += 1
            return True
        before = _files(settings.data_dir)
        loaded = self.real(settings, clock=clock)
        if loaded:
            snapshot = _take(engine)
            after = _files(settings.data_dir)
            snapshot.files = {
                p: p.read_bytes() for p, stamp in after.items() if before.get(p) != stamp
            }
            self.snapshots[key] = snapshot
        return loaded

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
