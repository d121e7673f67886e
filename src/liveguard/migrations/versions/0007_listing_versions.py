"""catalog: listing versions, prices in force, reviews and appeals

Listings stored before this revision keep their fields and status, with version 0 and no
version row: their first change after the upgrade becomes version 1 and is reviewed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:25:19
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liveguard.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LISTING_STATUSES = (
    "draft",
    "approved",
    "changes_requested",
    "rejected",
    "appealed",
    "on_sale",
    "pulled",
)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def _listing_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["listing_id"], ["listings.id"], name=op.f(f"fk_{table}_listing_id_listings")
    )


def _index_listing_id(table: str) -> None:
    op.create_index(op.f(f"ix_{table}_listing_id"), table, ["listing_id"], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch_op:
        batch_op.add_column(sa.Column("store_terms", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("awaiting_decision", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.alter_column(
            "status",
            existing_type=sa.VARCHAR(length=16),
            type_=_enum("listingstatus", *LISTING_STATUSES),
            existing_nullable=False,
        )

    op.create_table(
        "listing_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("original_price_fen", sa.BigInteger(), nullable=True),
        sa.Column("shipping_fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.Column("store_terms", sa.Text(), nullable=False),
        sa.Column("created_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        _listing_fk("listing_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_versions")),
        sa.UniqueConstraint("listing_id", "version", name=op.f("uq_listing_versions_listing_id")),
    )
    _index_listing_id("listing_versions")

    op.create_table(
        "listing_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", liveguard.db.UTCDateTime(timezone=True), nullable=True),
        _listing_fk("listing_prices"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_prices")),
    )
    _index_listing_id("listing_prices")

    op.create_table(
        "listing_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "verdict", _enum("verdict", "approve", "changes_requested", "reject"), nullable=False
        ),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("reviewer_kind", _enum("reviewerkind", "automatic", "staff"), nullable=False),
        sa.Column("reviewer", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        _listing_fk("listing_reviews"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_reviews")),
    )
    _index_listing_id("listing_reviews")

    op.create_table(
        "listing_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(length=60), nullable=False),
        sa.Column("submitted_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["listing_reviews.id"],
            name=op.f("fk_listing_appeals_decision_id_listing_reviews"),
        ),
        _listing_fk("listing_appeals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_appeals")),
    )
    _index_listing_id("listing_appeals")


def downgrade() -> None:
    for table in ("listing_appeals", "listing_reviews", "listing_prices", "listing_versions"):
        op.drop_index(op.f(f"ix_{table}_listing_id"), table_name=table)
        op.drop_table(table)
    with op.batch_alter_table("listings") as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=_enum("listingstatus", *LISTING_STATUSES),
            type_=sa.VARCHAR(length=16),
            existing_nullable=False,
        )
        batch_op.drop_column("awaiting_decision")
        batch_op.drop_column("version")
        batch_op.drop_column("store_terms")
