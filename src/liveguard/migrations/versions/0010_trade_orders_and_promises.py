"""trade: orders, their status changes, delivery promises and broken promises

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:24:35
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

import liveguard.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ORDER_STATUSES = ("paid", "shipped", "delivered", "cancelled", "refunded")
PROMISE_KINDS = ("ship_by", "deliver_by")
PROMISE_SOURCES = ("listing", "live_room", "customer_service", "merchant_notice", "platform_rule")
RESOLUTIONS = ("shipped_late", "delivered_late", "cancelled", "refunded")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def _time(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, liveguard.db.UTCDateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "trade_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(length=64), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("listing_version", sa.Integer(), nullable=False),
        sa.Column("live_session_id", sa.Integer(), nullable=True),
        sa.Column("anchor_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid_fen", sa.BigInteger(), nullable=False),
        _time("paid_at"),
        sa.Column("batch", sa.String(length=60), nullable=True),
        sa.Column("status", _enum("orderstatus", *ORDER_STATUSES), nullable=False),
        sa.Column("recipient_enc", sa.Text(), nullable=True),
        sa.Column("recipient_masked", sa.String(length=120), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _fk("trade_orders", "anchor_id", "anchors"),
        _fk("trade_orders", "consumer_id", "consumers"),
        _fk("trade_orders", "listing_id", "listings"),
        _fk("trade_orders", "live_session_id", "live_sessions"),
        _fk("trade_orders", "merchant_id", "merchants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_orders")),
        sa.UniqueConstraint("merchant_id", "order_no", name=op.f("uq_trade_orders_merchant_id")),
    )
    _indexes(
        "trade_orders",
        "anchor_id",
        "batch",
        "consumer_id",
        "listing_id",
        "live_session_id",
        "merchant_id",
    )

    op.create_table(
        "trade_delivery_promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("promisekind", *PROMISE_KINDS), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _time("holds_until"),
        sa.Column("source", _enum("promisesource", *PROMISE_SOURCES), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        _time("said_at"),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        _time("recorded_at"),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        _fk("trade_delivery_promises", "order_id", "trade_orders"),
        _fk("trade_delivery_promises", "replaces_id", "trade_delivery_promises"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_delivery_promises")),
    )
    _indexes("trade_delivery_promises", "due_on", "order_id", "replaces_id")

    op.create_table(
        "trade_order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("from_status", _enum("orderstatus", *ORDER_STATUSES), nullable=True),
        sa.Column("to_status", _enum("orderstatus", *ORDER_STATUSES), nullable=False),
        _time("occurred_at"),
        sa.Column("carrier", sa.String(length=60), nullable=True),
        sa.Column("tracking_no", sa.String(length=60), nullable=True),
        sa.Column("refund_fen", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        _time("recorded_at"),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        _fk("trade_order_events", "order_id", "trade_orders"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_order_events")),
    )
    _indexes("trade_order_events", "order_id")

    op.create_table(
        "trade_promise_breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("promisekind", *PROMISE_KINDS), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("breached_on", sa.Date(), nullable=False),
        _time("found_at"),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("resolution", _enum("breachresolution", *RESOLUTIONS), nullable=True),
        _time("resolved_at", nullable=True),
        sa.Column("resolution_ledger_seq", sa.BigInteger(), nullable=True),
        _fk("trade_promise_breaches", "merchant_id", "merchants"),
        _fk("trade_promise_breaches", "order_id", "trade_orders"),
        _fk("trade_promise_breaches", "promise_id", "trade_delivery_promises"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_promise_breaches")),
        sa.UniqueConstraint("promise_id", name=op.f("uq_trade_promise_breaches_promise_id")),
    )
    _indexes("trade_promise_breaches", "merchant_id", "order_id")


def downgrade() -> None:
    drops = {
        "trade_promise_breaches": ("merchant_id", "order_id"),
        "trade_order_events": ("order_id",),
        "trade_delivery_promises": ("due_on", "order_id", "replaces_id"),
        "trade_orders": (
            "anchor_id",
            "batch",
            "consumer_id",
            "listing_id",
            "live_session_id",
            "merchant_id",
        ),
    }
    for table, columns in drops.items():
        for column in columns:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
