"""The migrations build exactly the schema the models describe, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from liveguard import migrations
from liveguard.db import Base, import_models


def test_the_migrated_schema_matches_the_models(engine):
    import_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_database_is_at_the_latest_revision(database_url):
    script = migrations.alembic_config(database_url)
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(script).get_current_head()
    assert migrations.current(database_url) == head


def test_upgrading_twice_changes_nothing(database_url, engine):
    before = sorted(inspect(engine).get_table_names())
    migrations.upgrade(database_url)
    assert sorted(inspect(engine).get_table_names()) == before
    assert {"merchants", "anchors", "qualification_documents", "auth_tokens"} <= set(before)


def test_times_come_back_as_aware_utc(client, auth, engine):
    from datetime import UTC

    from sqlalchemy.orm import Session

    from liveguard.auth.models import AuthToken

    auth("admin")
    with Session(engine) as session:
        token = session.query(AuthToken).one()
    assert token.created_at.tzinfo is not None
    assert token.created_at.utcoffset() == UTC.utcoffset(None)
