"""live finding tallies: open findings per (session, category, speaker)

Policy's repeat and history counts read these instead of counting every open finding
of the anchor's sessions on each batch. Filled from the findings stored so far.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 23:25:27.787105
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
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
    op.create_table(
        "live_finding_tallies",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("speaker_role", SPEAKER, nullable=False),
        sa.Column("anchor_id", sa.Integer(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_finding_tallies_session_id_live_sessions"),
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "category", "speaker_role", name=op.f("pk_live_finding_tallies")
        ),
    )
    with op.batch_alter_table("live_finding_tallies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_finding_tallies_anchor_id"), ["anchor_id"], unique=False
        )
    op.execute(
        "INSERT INTO live_finding_tallies (session_id, category, speaker_role, anchor_id, open) "
        "SELECT f.session_id, f.category, f.speaker_role, s.anchor_id, count(*) "
        "FROM live_findings f JOIN live_sessions s ON s.id = f.session_id "
        "WHERE f.status = 'open' "
        "GROUP BY f.session_id, f.category, f.speaker_role, s.anchor_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("live_finding_tallies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_finding_tallies_anchor_id"))
    op.drop_table("live_finding_tallies")
