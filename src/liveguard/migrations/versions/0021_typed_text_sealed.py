"""Typed text stored masked, the original sealed: cases.summary_enc, case_events.text_enc

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 03:31:43.411062
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_enc", sa.Text(), nullable=True))

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("summary_enc")

    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_column("text_enc")
