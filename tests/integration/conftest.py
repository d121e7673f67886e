"""The app on a real database: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from liveguard import migrations
from liveguard.auth import service as auth_service
from liveguard.cli import demo_data
from liveguard.clock import CHINA, FixedClock
from liveguard.db import Base, import_models, transaction
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import StaffCreate
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.app import create_app
from tests import factories
from tests.conftest import port_open, service_missing
from tests.integration.demo_snapshot import DemoOnce

POSTGRES_ADMIN_URL = os.environ.get(
    "LIVEGUARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def postgres_answers() -> bool:
    """Whether the PostgreSQL at POSTGRES_ADMIN_URL takes connections."""
    admin = make_url(POSTGRES_ADMIN_URL)
    return port_open(admin.host or "127.0.0.1", admin.port or 5432)


def _throwaway_postgres() -> Iterator[str]:
    admin = make_url(POSTGRES_ADMIN_URL)
    if not postgres_answers():
        service_missing(f"no PostgreSQL answers at {admin.host}:{admin.port}")
    name = f"liveguard_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'liveguard.db'}"
        migrations.upgrade(url)
        yield url
        return
    for url in _throwaway_postgres():
        migrations.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def clock() -> FixedClock:
    return FixedClock(datetime.combine(factories.TODAY, time(10, 0), CHINA))


@pytest.fixture(scope="session")
def app(database_url: str, data_dir: Path, clock: FixedClock):
    settings = factories.settings(data_dir, database_url)
    app = create_app(settings, clock=clock)
    # Each test's TestClient runs the app's shutdown, which disposes of the engine's pool:
    # the next test would connect afresh (on PostgreSQL a new backend, its catalog cache
    # cold: ~40 ms a test before any work). The pool lives as long as the session's app.
    # PostgreSQL only: on SQLite a connection kept open across tests holds the file's
    # locks and caches against the worker processes some tests start on the same file.
    engine = app.state.engine
    dispose = engine.dispose
    if engine.dialect.name == "postgresql":
        engine.dispose = lambda close=True: None  # type: ignore[method-assign]
    yield app
    dispose()


@pytest.fixture(scope="session")
def _demo_once() -> Iterator[DemoOnce]:
    once = DemoOnce(demo_data.load)
    yield once
    once.close()


@pytest.fixture(autouse=True)
def _demo_loaded_once(_demo_once: DemoOnce, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo is loaded for real once per database, then restored from its snapshot
    (``demo_snapshot.py``): the same rows and files, seconds sooner."""
    monkeypatch.setattr(demo_data, "load", _demo_once.load)


@pytest.fixture
def engine(app) -> Engine:
    return app.state.engine


import_models()
# Every table emptied, children first; evidence_state is seeded by the migration: reset.
_EMPTY_STATEMENTS = [
    *(f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)),
    "UPDATE evidence_state SET tree_size = 0, frontier = '[]' WHERE id = 1",
]
_EMPTY_STATEMENTS.remove('DELETE FROM "evidence_state"')
_EMPTY_SCRIPT = ";\n".join(_EMPTY_STATEMENTS)


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that touches a database leaves its tables empty for the next."""
    if "database_url" not in request.fixturenames:  # the closure includes app's dependencies
        yield
        return
    app = request.getfixturevalue("app")
    engine: Engine = app.state.engine
    yield
    app.state.settings.checkpoint_log.unlink(missing_ok=True)  # the log's witness goes too
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # one round trip, not one per table
            connection.exec_driver_sql(_EMPTY_SCRIPT)
            return
        for statement in _EMPTY_STATEMENTS:
            connection.exec_driver_sql(statement)


@pytest.fixture
def client(app, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
    clock.at = datetime.combine(factories.TODAY, time(10, 0), CHINA)


@pytest.fixture
def db(app):
    """A committed unit of work for arranging data directly through the services."""

    def unit():
        return transaction(app.state.session_factory)

    return unit


@pytest.fixture
def token_for(app) -> Callable[..., str]:
    """An API token for a new staff member with the given role."""

    def issue(role: str = "compliance", username: str | None = None) -> str:
        with transaction(app.state.session_factory) as session:
            staff = parties_service.create_staff(
                db_session=session,
                staff_in=StaffCreate(
                    username=username or f"{role}-{uuid.uuid4().hex[:6]}",
                    display_name=role,
                    role=StaffRole(role),
                    password="correct horse battery",
                ),
            )
            return auth_service.issue(
                db_session=session,
                principal_kind=PrincipalKind.staff,
                principal_id=staff.id,
                label="test",
            )

    return issue


@pytest.fixture
def auth(token_for) -> Callable[[str], dict[str, str]]:
    """Headers for a caller with the given role: ``client.get(url, headers=auth('admin'))``."""
    cache: dict[str, dict[str, str]] = {}

    def headers(role: str = "compliance") -> dict[str, str]:
        if role not in cache:
            cache[role] = {"Authorization": f"Bearer {token_for(role)}"}
        return cache[role]

    return headers
