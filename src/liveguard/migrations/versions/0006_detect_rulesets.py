"""detect: platform overlays on the shipped rules, every version kept

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:27:32
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liveguard.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detect_rulesets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detect_rulesets")),
        sa.UniqueConstraint("platform", "version", name=op.f("uq_detect_rulesets_platform")),
    )


def downgrade() -> None:
    op.drop_table("detect_rulesets")
