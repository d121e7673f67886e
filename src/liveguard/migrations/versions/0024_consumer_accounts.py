"""A buyer's own sign-in (password, one-time recovery codes) and the keys of a complaint
filed without an account: consumer_passwords, consumer_recovery_codes, case_keys

Revision ID: 0024
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from liveguard.db import UTCDateTime

revision = "0024"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consumer_passwords",
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["consumer_id"], ["consumers.id"]),
        sa.PrimaryKeyConstraint("consumer_id"),
    )
    op.create_table(
        "consumer_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["consumer_id"], ["consumers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("consumer_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consumer_recovery_codes_consumer_id"), ["consumer_id"], unique=False
        )
    op.create_table(
        "case_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
        sa.UniqueConstraint("code_hash"),
        sa.UniqueConstraint("link_hash"),
    )


def downgrade() -> None:
    op.drop_table("case_keys")
    with op.batch_alter_table("consumer_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consumer_recovery_codes_consumer_id"))
    op.drop_table("consumer_recovery_codes")
    op.drop_table("consumer_passwords")
