"""cases: complaints, their events, evidence files and linked records

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:27:06.454445
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liveguard.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=True),
        sa.Column(
            "origin",
            sa.Enum(
                "consumer", "staff", "automatic", name="caseorigin", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("origin_key", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "filed",
                "accepted",
                "refused",
                "with_merchant",
                "mediation",
                "decided",
                "compensated",
                "closed",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.Column("merchant_id", sa.Integer(), nullable=True),
        sa.Column("anchor_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column(
            "payment_channel",
            sa.Enum(
                "platform",
                "wechat_transfer",
                "wechat_qr",
                "alipay_transfer",
                "bank_transfer",
                "cash",
                "other",
                name="paymentchannel",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("price_fen", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", liveguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("known_harm_on", sa.Date(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("fact_sources", sa.JSON(), nullable=False),
        sa.Column("resolution", sa.JSON(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("due_step", sa.String(length=60), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("filed_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", liveguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", liveguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["anchor_id"], ["anchors.id"], name=op.f("fk_cases_anchor_id_anchors")
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["consumers.id"], name=op.f("fk_cases_consumer_id_consumers")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_cases_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_cases_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["trade_orders.id"], name=op.f("fk_cases_order_id_trade_orders")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_cases_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_sessions.id"], name=op.f("fk_cases_session_id_live_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("origin_key", name=op.f("uq_cases_origin_key")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_anchor_id"), ["anchor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_consumer_id"), ["consumer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_listing_id"), ["listing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_merchant_id"), ["merchant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_session_id"), ["session_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "filed",
                "state",
                "facts",
                "answer",
                "note",
                "compensation",
                "decision",
                "file",
                "reminder",
                "publicity",
                name="caseeventkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_state",
            sa.Enum(
                "filed",
                "accepted",
                "refused",
                "with_merchant",
                "mediation",
                "decided",
                "compensated",
                "closed",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "filed",
                "accepted",
                "refused",
                "with_merchant",
                "mediation",
                "decided",
                "compensated",
                "closed",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("party_role", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=60), nullable=False),
        sa.Column("added_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_files_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_files")),
    )
    with op.batch_alter_table("case_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_files_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_links")),
    )
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_links_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_links_case_id"))

    op.drop_table("case_links")
    with op.batch_alter_table("case_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_files_case_id"))

    op.drop_table("case_files")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_session_id"))
        batch_op.drop_index(batch_op.f("ix_cases_platform_id"))
        batch_op.drop_index(batch_op.f("ix_cases_order_id"))
        batch_op.drop_index(batch_op.f("ix_cases_merchant_id"))
        batch_op.drop_index(batch_op.f("ix_cases_listing_id"))
        batch_op.drop_index(batch_op.f("ix_cases_consumer_id"))
        batch_op.drop_index(batch_op.f("ix_cases_anchor_id"))

    op.drop_table("cases")
