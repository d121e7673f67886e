"""ledger: keep subtree nodes from level 3 up; drop the unused index on leaf kind

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:10:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NODE_FLOOR = 3  # evidence.service.NODE_FLOOR when this revision was written


def upgrade() -> None:
    # Proofs now hash levels 1-2 from leaf hashes read in the same statement.
    op.execute(sa.text(f"DELETE FROM evidence_nodes WHERE level < {NODE_FLOOR}"))
    with op.batch_alter_table("evidence_leaves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_leaves_kind"))


def downgrade() -> None:
    with op.batch_alter_table("evidence_leaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_leaves_kind"), ["kind"], unique=False)
    # Older code reads every level: rebuild levels 1-2 from the leaf hashes, in order.
    from liveguard.evidence import merkle

    connection = op.get_bind()
    frontier = merkle.Frontier()
    rows: list[dict[str, Any]] = []
    for (leaf_hash,) in connection.execute(
        sa.text("SELECT leaf_hash FROM evidence_leaves ORDER BY seq")
    ):
        completed = frontier.append(bytes(leaf_hash))
        rows.extend(
            {"level": n.level, "index": n.index, "hash": n.hash} for n in completed[1:NODE_FLOOR]
        )
        if len(rows) >= 10_000:
            _insert_nodes(connection, rows)
            rows = []
    if rows:
        _insert_nodes(connection, rows)


def _insert_nodes(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
    connection.execute(
        sa.text('INSERT INTO evidence_nodes (level, "index", hash) VALUES (:level, :index, :hash)'),
        rows,
    )
