"""sign-in throttle buckets: failed sign-ins per account and per address

One row a bucket, keyed ``account:<name>`` or ``address:<ip>``, holding the moment (epoch
milliseconds) it will be full again; a passed moment is a full bucket.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:39:18.968454
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_buckets",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("full_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_buckets")),
    )
    with op.batch_alter_table("sign_in_buckets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_buckets_full_at_ms"), ["full_at_ms"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sign_in_buckets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_buckets_full_at_ms"))
    op.drop_table("sign_in_buckets")
