"""privacy: consents, marketing sends, subject requests

The consent registry (个人信息保护法 arts. 13-17), every marketing send allowed or refused
(消费者权益保护法 art. 29), and the buyer's requests to copy or delete her data (arts. 45-50).

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07 02:08:56.263439
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liveguard.db

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column(
            "holder_kind",
            sa.Enum(
                "merchant", "platform", "liveguard", name="holderkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column(
            "purpose",
            sa.Enum(
                "marketing",
                "membership",
                "order_fulfilment",
                name="purpose",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum("sms", "app_message", "call", name="channel", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "coupon_form",
                "membership_form",
                "checkout",
                "settings_page",
                name="consentmethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("room", sa.String(length=200), nullable=True),
        sa.Column("in_exchange_for", sa.String(length=200), nullable=True),
        sa.Column("given_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("withdrawn_at", liveguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_via", sa.String(length=60), nullable=True),
        sa.Column("unsubscribe_token", sa.String(length=43), nullable=False),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["consumers.id"],
            name=op.f("fk_privacy_consents_consumer_id_consumers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consents")),
        sa.UniqueConstraint(
            "unsubscribe_token", name=op.f("uq_privacy_consents_unsubscribe_token")
        ),
    )
    with op.batch_alter_table("privacy_consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_consents_consumer_id"), ["consumer_id"], unique=False
        )
        batch_op.create_index(
            "ix_privacy_consents_holder", ["holder_kind", "holder_id", "purpose"], unique=False
        )

    op.create_table(
        "privacy_subject_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("export", "deletion", name="requestkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open", "completed", "refused", name="requeststatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("received_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("completed_at", liveguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=60), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["consumers.id"],
            name=op.f("fk_privacy_subject_requests_consumer_id_consumers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_subject_requests")),
    )
    with op.batch_alter_table("privacy_subject_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_subject_requests_consumer_id"), ["consumer_id"], unique=False
        )

    op.create_table(
        "privacy_marketing_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("sms", "app_message", "call", name="channel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("requested_at", liveguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column(
            "refusal",
            sa.Enum(
                "no_consent",
                "withdrawn",
                "cap_reached",
                "quiet_hours",
                name="refusal",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_privacy_marketing_sends_merchant_id_merchants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_marketing_sends")),
    )
    with op.batch_alter_table("privacy_marketing_sends", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_marketing_sends_consumer_id"), ["consumer_id"], unique=False
        )
        batch_op.create_index(
            "ix_privacy_marketing_sends_merchant",
            ["merchant_id", "channel", "requested_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("privacy_marketing_sends", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_marketing_sends_merchant")
        batch_op.drop_index(batch_op.f("ix_privacy_marketing_sends_consumer_id"))

    op.drop_table("privacy_marketing_sends")
    with op.batch_alter_table("privacy_subject_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_subject_requests_consumer_id"))

    op.drop_table("privacy_subject_requests")
    with op.batch_alter_table("privacy_consents", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_consents_holder")
        batch_op.drop_index(batch_op.f("ix_privacy_consents_consumer_id"))

    op.drop_table("privacy_consents")
