"""live findings: who produced what was found (the speaker's role, or the room)

Findings stored before this revision take their event's speaker role; those of events
without one (frames, listing changes, counters) are the room's, as the monitor now
records them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SPEAKER = sa.Enum(
    "anchor",
    "assistant",
    "viewer",
    "system",
    "room",
    name="findingspeaker",
    native_enum=False,
    length=16,
)


def upgrade() -> None:
    # Added NOT NULL with a default, then set from each finding's event: SQLite can add
    # such a column in place, while changing it afterwards would rebuild live_findings,
    # which its foreign keys refuse once enforcement actions point at findings.
    with op.batch_alter_table("live_findings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("speaker_role", SPEAKER, nullable=False, server_default="room")
        )
    op.execute(
        sa.text(
            "UPDATE live_findings SET speaker_role = COALESCE("
            "(SELECT live_events.speaker_role FROM live_events"
            " WHERE live_events.id = live_findings.event_pk), 'room')"
        )
    )
    # the monitor names every finding's speaker: no default where the database can drop
    # it in place (SQLite keeps it, as above)
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("live_findings", "speaker_role", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("live_findings", schema=None) as batch_op:
        batch_op.drop_column("speaker_role")
