"""Engine, sessions, the declarative base and the column types every model shares.

Services ``flush()``; the request (or the CLI command, or the flow) commits once, so
several services share one transaction and a failure leaves nothing half-written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import JSON, TypeDecorator

if TYPE_CHECKING:
    import psycopg

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no time zone type, so values are stored as naive UTC there and made
    aware again on the way out; naive input is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: LiveGuard stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Money is integer fen (分): BigInteger so platform-wide totals never overflow.
Fen = BigInteger


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, for Core statements (SQLAlchemy types ``__table__`` as any
    FROM clause)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to one table")
    return table


def copy_cursor(connection: Connection) -> psycopg.Cursor[Any]:
    """A cursor of the psycopg connection under ``connection``, for COPY (PostgreSQL)."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection has been closed")
    cursor: psycopg.Cursor[Any] = driver.cursor()
    return cursor


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def create_private_sqlite_file(database_url: str) -> None:
    """Create a SQLite database file readable by this user only (0600), before SQLite
    creates it with the umask's mode; its -wal and -shm files take the same mode."""
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    if not os.path.isdir(os.path.dirname(database) or "."):
        return  # SQLite itself says the file cannot be opened
    descriptor = os.open(database, os.O_CREAT | os.O_WRONLY, 0o600)  # an empty file is a new db
    os.close(descriptor)


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """An engine with the per-backend settings LiveGuard relies on."""
    if database_url.startswith("sqlite"):
        create_private_sqlite_file(database_url)
        engine = create_engine(database_url, connect_args={"check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets the console read while the monitor writes; foreign keys are off
            # by default in SQLite and the schema relies on them.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # The driver begins a transaction only before its first write, so a writer's
            # reads ahead of it (a sequence number, the ledger's frontier) see whatever was
            # committed then, not the state the write lands on. A unit that reads what it
            # writes on asks for BEGIN IMMEDIATE (``transaction(..., write=True)``): the
            # write lock at once, a second writer waiting busy_timeout for it. Others keep
            # the driver's way (a deferred BEGIN for all would turn a read-then-write
            # request into SQLITE_BUSY whenever another writer commits in between).
            if connection.get_execution_options().get(SQLITE_WRITE, False):
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


def make_session_factory(
    engine: Engine, *, info: dict[str, Any] | None = None
) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``info`` is copied into every session's ``info`` (the app's
    field cipher, which services read to seal free text)."""
    return sessionmaker(bind=engine, expire_on_commit=False, info=info or {})


SQLITE_WRITE = "liveguard_sqlite_write"  # execution option: BEGIN IMMEDIATE on SQLite


@contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error. ``write``:
    the unit reads what it then writes on (sequence numbers, the ledger): on SQLite it
    takes the write lock when it begins, so concurrent writers queue instead of failing
    (PostgreSQL needs nothing: such readers lock their rows)."""
    session = factory()
    if write:
        session.connection(execution_options={SQLITE_WRITE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def import_models() -> None:
    """Import every capability's models so the metadata is complete (Alembic, tests)."""
    from liveguard.auth import models as _auth  # noqa: F401
    from liveguard.cases import models as _cases  # noqa: F401
    from liveguard.catalog import models as _catalog  # noqa: F401
    from liveguard.credit import models as _credit  # noqa: F401
    from liveguard.detect import models as _detect  # noqa: F401
    from liveguard.enforcement import models as _enforcement  # noqa: F401
    from liveguard.evidence import models as _evidence  # noqa: F401
    from liveguard.integrity import models as _integrity  # noqa: F401
    from liveguard.live import models as _live  # noqa: F401
    from liveguard.opinion import models as _opinion  # noqa: F401
    from liveguard.parties import models as _parties  # noqa: F401
    from liveguard.privacy import models as _privacy  # noqa: F401
    from liveguard.reports import models as _reports  # noqa: F401
    from liveguard.trade import models as _trade  # noqa: F401
