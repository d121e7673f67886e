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


def test_0012_gives_earlier_findings_their_events_speaker_or_the_room(tmp_path):
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'before_0012.db'}"
    migrations.upgrade(url, "0011")
    engine = create_engine(url)
    at = "2026-01-01 10:00:00.000000"
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # the rows stand alone
        for pk, kind, role in (
            (1, "chat", "viewer"),
            (2, "utterance", "anchor"),
            (3, "frame", None),
        ):
            connection.execute(
                text(
                    "INSERT INTO live_events (id, session_id, seq, event_id, kind, occurred_at,"
                    " speaker_role, data) VALUES (:pk, 1, :pk, :eid, :kind, :at, :role, '{}')"
                ),
                {"pk": pk, "eid": f"e{pk}", "kind": kind, "at": at, "role": role},
            )
            connection.execute(
                text(
                    "INSERT INTO live_findings (id, session_id, event_pk, source, rule, category,"
                    ' severity, message, start, "end", quote, legal_basis, evidence, status,'
                    " created_at) VALUES (:pk, 1, :pk, 'text', 'r', 'diversion', 'high', 'm',"
                    " 0, 0, '', '[]', '{}', 'open', :at)"
                ),
                {"pk": pk, "at": at},
            )
        connection.commit()
    migrations.upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT event_pk, speaker_role FROM live_findings ORDER BY event_pk")
        ).all()
    engine.dispose()
    assert rows == [(1, "viewer"), (2, "anchor"), (3, "room")]


def test_0013_tallies_the_open_findings_stored_before_it(tmp_path):
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'before_0013.db'}"
    migrations.upgrade(url, "0012")
    engine = create_engine(url)
    at = "2026-01-01 10:00:00.000000"
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # the rows stand alone
        connection.execute(
            text(
                "INSERT INTO live_sessions (id, platform_id, room_code, title, anchor_id,"
                " merchant_id, started_at, peak_viewers, created_at, updated_at)"
                " VALUES (1, 1, 'r', 't', 7, 1, :at, 0, :at, :at)"
            ),
            {"at": at},
        )
        for pk, speaker, status in (
            (1, "viewer", "open"),
            (2, "viewer", "open"),
            (3, "anchor", "open"),
            (4, "anchor", "dismissed"),
        ):
            connection.execute(
                text(
                    "INSERT INTO live_findings (id, session_id, event_pk, speaker_role, source,"
                    ' rule, category, severity, message, start, "end", quote, legal_basis,'
                    " evidence, status, created_at) VALUES (:pk, 1, :pk, :speaker, 'text', 'r',"
                    " 'diversion', 'high', 'm', 0, 0, '', '[]', '{}', :status, :at)"
                ),
                {"pk": pk, "speaker": speaker, "status": status, "at": at},
            )
        connection.commit()
    migrations.upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT session_id, category, speaker_role, anchor_id, open"
                " FROM live_finding_tallies ORDER BY speaker_role"
            )
        ).all()
    engine.dispose()
    assert rows == [(1, "diversion", "anchor", 7, 1), (1, "diversion", "viewer", 7, 2)]
