"""Re-encrypting every personal field under the current key, in the background.

Field encryption belongs to this package, so the list of encrypted columns is kept here,
by table and column name, each with the context its tokens are bound to; a test checks it
against every ``*_enc`` column in the schema, so a new encrypted column cannot be missed.
Rows are rewritten in small batches (each its own transaction when run from the CLI), so
readers are never blocked for long and a stopped run resumes where it left off: a row
already under the current key is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import column, select, table, update
from sqlalchemy.orm import Session

from liveguard.privacy.fields import FieldCipher, token_key_id

# (table, encrypted column, context the tokens are bound to)
ENCRYPTED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("consumers", "phone_enc", "consumer.phone"),
    ("merchants", "contact_phone_enc", "merchant.phone"),
    ("anchors", "real_name_enc", "anchor.real_name"),
    ("anchors", "id_number_enc", "anchor.id_number"),
    ("trade_orders", "recipient_enc", "order.recipient"),
)


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)  # "table.column" -> rows
    remaining: int = 0  # rows still under an older key after this run
    key_ids_in_use: set[str] = field(default_factory=set)


def reencrypt_batch(*, db_session: Session, cipher: FieldCipher, batch: int = 500) -> int:
    """Rewrite up to ``batch`` rows per column under the current key: how many were."""
    done = 0
    for table_name, column_name, context in ENCRYPTED_COLUMNS:
        rows = table(table_name, column("id"), column(column_name))
        token_column = rows.c[column_name]
        current = f"v1.{cipher.current_key_id}.%"
        found = db_session.execute(
            select(rows.c.id, token_column)
            .where(token_column.is_not(None), token_column != "", ~token_column.like(current))
            .order_by(rows.c.id)
            .limit(batch)
        ).all()
        for row_id, token in found:
            db_session.execute(
                update(rows)
                .where(rows.c.id == row_id, token_column == token)  # unchanged since read
                .values({column_name: cipher.rewrap(token, context=context)})
            )
            done += 1
    db_session.flush()
    return done


def key_ids_in_use(*, db_session: Session) -> tuple[set[str], int]:
    """The key ids the stored tokens name ("original" for tokens from before rotation), and
    how many tokens there are."""
    used: set[str] = set()
    total = 0
    for table_name, column_name, _ in ENCRYPTED_COLUMNS:
        rows = table(table_name, column(column_name))
        for (token,) in db_session.execute(
            select(rows.c[column_name]).where(rows.c[column_name].is_not(None))
        ):
            if token:
                used.add(token_key_id(token) or "original")
                total += 1
    return used, total
