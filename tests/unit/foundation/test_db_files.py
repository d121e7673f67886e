"""The SQLite database file is created readable by this user only, whatever the umask."""

from __future__ import annotations

import os

from sqlalchemy import text

from liveguard.db import make_engine


def test_a_new_sqlite_database_and_its_wal_are_private_to_this_user(tmp_path):
    previous = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'liveguard.db'}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            wal = tmp_path / "liveguard.db-wal"
            assert wal.exists() and wal.stat().st_mode & 0o777 == 0o600
        engine.dispose()
    finally:
        os.umask(previous)
    assert (tmp_path / "liveguard.db").stat().st_mode & 0o777 == 0o600


def test_an_in_memory_database_creates_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    assert list(tmp_path.iterdir()) == []
