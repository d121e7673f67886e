"""SQLite transactions: a writer that reads first holds the write lock from its BEGIN."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from liveguard.db import make_engine, make_session_factory, transaction


@pytest.fixture
def factory(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield make_session_factory(engine)
    engine.dispose()


def other_writer_can_begin(path) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


def test_a_write_transaction_takes_the_write_lock_before_its_first_read(factory, tmp_path):
    path = tmp_path / "db.sqlite"
    with transaction(factory, write=True) as db_session:
        db_session.execute(text("SELECT count(*) FROM t")).scalar()
        assert not other_writer_can_begin(path)  # its reads see the state it writes on
        db_session.execute(text("INSERT INTO t VALUES (1)"))
    assert other_writer_can_begin(path)
    with factory() as db_session:
        assert db_session.execute(text("SELECT count(*) FROM t")).scalar() == 1


def test_a_plain_transaction_reads_without_locking_writers_out(factory, tmp_path):
    with transaction(factory) as db_session:
        db_session.execute(text("SELECT count(*) FROM t")).scalar()
        assert other_writer_can_begin(tmp_path / "db.sqlite")
