"""catalog: sampling and mystery-shopping results; decisions and appeals in the ledger

Reviews and appeals stored before this revision keep a null ledger item: only those made
from now on are appended to the ledger.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 20:26:15.783630
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liveguard.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("live_session_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "sampling", "mystery_shopping", name="samplekind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("batch", sa.String(length=100), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("bought_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("bought_by", sa.String(length=200), nullable=False),
        sa.Column("tested_by", sa.String(length=200), nullable=False),
        sa.Column("report_number", sa.String(length=100), nullable=True),
        sa.Column("test", sa.String(length=300), nullable=False),
        sa.Column("standard", sa.String(length=100), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("passed", "failed", name="sampleoutcome", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("failed_items", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_samples_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_listing_samples_live_session_id_live_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_listing_samples_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_samples")),
    )
    with op.batch_alter_table("listing_samples", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_samples_listing_id"), ["listing_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listing_samples_merchant_id"), ["merchant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listing_samples_recorded_at"), ["recorded_at"], unique=False
        )

    with op.batch_alter_table("listing_appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ledger_seq", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("listing_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ledger_seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("listing_reviews", schema=None) as batch_op:
        batch_op.drop_column("ledger_seq")

    with op.batch_alter_table("listing_appeals", schema=None) as batch_op:
        batch_op.drop_column("ledger_seq")

    with op.batch_alter_table("listing_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_samples_recorded_at"))
        batch_op.drop_index(batch_op.f("ix_listing_samples_merchant_id"))
        batch_op.drop_index(batch_op.f("ix_listing_samples_listing_id"))

    op.drop_table("listing_samples")
