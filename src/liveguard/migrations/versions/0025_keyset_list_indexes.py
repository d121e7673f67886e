"""Indexes for the staff lists' keyset pages: (time, id) on cases, merchants, anchors,
listings, live sessions and live findings, so page N reads only its own rows

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_cases_filed_at_id", "cases", ["filed_at", "id"]),
    ("ix_merchants_created_at_id", "merchants", ["created_at", "id"]),
    ("ix_anchors_created_at_id", "anchors", ["created_at", "id"]),
    ("ix_listings_created_at_id", "listings", ["created_at", "id"]),
    ("ix_live_sessions_started_at_id", "live_sessions", ["started_at", "id"]),
    ("ix_live_findings_created_at_id", "live_findings", ["created_at", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
