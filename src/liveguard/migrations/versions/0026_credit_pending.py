"""credit_pending: facts a party's score must still take in

A monitor worker notes the parties its batch's findings count against in the batch's
own transaction and recomputes them apart, at most about once a second a party, instead
of once a batch on the batch's path (docs/benchmarks.md, issue 23).

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-07 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liveguard.db

revision = "0026"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "subject_kind",
            sa.Enum(
                "merchant",
                "anchor",
                "mcn",
                "platform",
                name="subjectkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=120), nullable=False),
        sa.Column("noted_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_pending")),
    )


def downgrade() -> None:
    op.drop_table("credit_pending")
