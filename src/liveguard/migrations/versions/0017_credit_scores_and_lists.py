"""credit scores and lists: every change of a party's integrity score with its factors,
the red and black list proceedings and each step of their due process, and what a listing
in force asks of a merchant (``merchants.credit_measures``, empty for every existing one)

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07 02:08:46.188337
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liveguard.db

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_proceedings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "subject_kind",
            sa.Enum(
                "merchant",
                "anchor",
                "mcn",
                "platform",
                name="subjectkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column(
            "list_kind",
            sa.Enum("black", "red", name="listkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "proposed",
                "objected",
                "listed",
                "rejected",
                "appealed",
                "repair_applied",
                "lifted",
                name="proceedingstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("reasons_zh", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("proposed_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("objection_due_on", sa.Date(), nullable=False),
        sa.Column("decided_at", liveguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("appeal_due_on", sa.Date(), nullable=True),
        sa.Column("public_until", sa.Date(), nullable=True),
        sa.Column("lifted_at", liveguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("repaired", sa.Boolean(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_proceedings")),
    )
    with op.batch_alter_table("credit_proceedings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_proceedings_credit_code"), ["credit_code"], unique=False
        )
        batch_op.create_index(
            "ix_credit_proceedings_subject", ["subject_kind", "subject_id"], unique=False
        )

    op.create_table(
        "credit_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "subject_kind",
            sa.Enum(
                "merchant",
                "anchor",
                "mcn",
                "platform",
                name="subjectkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("previous", sa.Double(), nullable=True),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("cause", sa.String(length=120), nullable=False),
        sa.Column("computed_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_scores")),
    )
    with op.batch_alter_table("credit_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_scores_subject", ["subject_kind", "subject_id", "id"], unique=False
        )

    op.create_table(
        "credit_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proceeding_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "proposed",
                "notified",
                "objected",
                "decided",
                "appealed",
                "appeal_decided",
                "repair_applied",
                "repair_decided",
                name="stepkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "from_state",
            sa.Enum(
                "proposed",
                "objected",
                "listed",
                "rejected",
                "appealed",
                "repair_applied",
                "lifted",
                name="proceedingstate",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "proposed",
                "objected",
                "listed",
                "rejected",
                "appealed",
                "repair_applied",
                "lifted",
                name="proceedingstate",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proceeding_id"],
            ["credit_proceedings.id"],
            name=op.f("fk_credit_steps_proceeding_id_credit_proceedings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_steps")),
    )
    with op.batch_alter_table("credit_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_steps_proceeding_id"), ["proceeding_id"], unique=False
        )

    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credit_measures", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.drop_column("credit_measures")

    with op.batch_alter_table("credit_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_steps_proceeding_id"))

    op.drop_table("credit_steps")
    with op.batch_alter_table("credit_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_scores_subject")

    op.drop_table("credit_scores")
    with op.batch_alter_table("credit_proceedings", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_proceedings_subject")
        batch_op.drop_index(batch_op.f("ix_credit_proceedings_credit_code"))

    op.drop_table("credit_proceedings")
