"""live_findings.event_pk checked at commit (DEFERRABLE INITIALLY DEFERRED)

On PostgreSQL a batch's event rows are written last, once, with their ledger items;
the findings the monitor stored for them come first in the same transaction. (SQLite
writes the events first; its table is changed only to match.)

Revision ID: 0022
Revises: 0025
Create Date: 2026-12-07 05:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0025"
branch_labels = None
depends_on = None

NAME = "fk_live_findings_event_pk_live_events"


def upgrade() -> None:
    _replace(deferrable=True, initially="DEFERRED")


def downgrade() -> None:
    _replace(deferrable=None, initially=None)


def _replace(*, deferrable: bool | None, initially: str | None) -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    raw = bind.connection.dbapi_connection if sqlite else None
    if raw is not None:
        # SQLite changes a constraint by copying the table, and the copy checks every
        # row's keys; rows an old database holds without their session or event (stored
        # with the checks off) must not stop the upgrade. The pragma only takes effect
        # outside a transaction: what came before is committed first.
        raw.commit()  # a no-op when none is open
        raw.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("live_findings", schema=None) as batch_op:
        batch_op.drop_constraint(NAME, type_="foreignkey")
        batch_op.create_foreign_key(
            NAME,
            "live_events",
            ["event_pk"],
            ["id"],
            deferrable=deferrable,
            initially=initially,
        )
    if raw is not None:
        raw.commit()
        raw.execute("PRAGMA foreign_keys=ON")
