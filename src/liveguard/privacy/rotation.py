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

from liveguard.detect import service as detect_service
from liveguard.privacy.fields import FieldCipher, token_key_id

# (table, encrypted column, context the tokens are bound to)
ENCRYPTED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("consumers", "phone_enc", "consumer.phone"),
    ("merchants", "contact_phone_enc", "merchant.phone"),
    ("anchors", "real_name_enc", "anchor.real_name"),
    ("anchors", "id_number_enc", "anchor.id_number"),
    ("trade_orders", "recipient_enc", "order.recipient"),
    # free text as typed, when masking its personal numbers changed it (privacy.seal_text)
    ("cases", "summary_enc", "case.summary"),
    ("case_events", "text_enc", "case_event.text"),
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


# Free-text columns a person types into, stored with personal numbers masked: (table, text
# column, the column sealing the words as typed or None when they are not kept, context).
# New rows are masked as they are written (``service.seal_text`` / ``service.mask_text``);
# ``mask_typed_batch`` does the same for rows written before that.
MASKED_TEXT_COLUMNS: tuple[tuple[str, str, str | None, str], ...] = (
    ("cases", "summary", "summary_enc", "case.summary"),
    ("case_events", "text", "text_enc", "case_event.text"),
    ("opinion_posts", "text", None, "opinion_post.text"),
    ("credit_steps", "text", None, "credit_step.text"),
    ("trade_order_events", "reason", None, "order_event.reason"),
)


def mask_typed_batch(
    *, db_session: Session, cipher: FieldCipher, after: dict[str, int], batch: int = 500
) -> int:
    """Mask the personal numbers in up to ``batch`` rows per column after the ids in
    ``after`` (updated as it goes, so a caller loops until 0): how many rows were read."""
    read = 0
    for table_name, text_name, enc_name, context in MASKED_TEXT_COLUMNS:
        rows = table(table_name, column("id"), column(text_name), column(enc_name or "id"))
        sealed = rows.c[enc_name or "id"]
        found = db_session.execute(
            select(rows.c.id, rows.c[text_name], sealed)
            .where(rows.c.id > after.get(table_name, 0))
            .order_by(rows.c.id)
            .limit(batch)
        ).all()
        if not found:
            continue
        after[table_name] = found[-1][0]
        read += len(found)
        # a row whose original is already sealed was written masked
        todo = [(row_id, typed) for row_id, typed, enc in found if not (enc_name and enc)]
        scrubbed = detect_service.scrub_many([typed or "" for _, typed in todo])
        for (row_id, typed), result in zip(todo, scrubbed, strict=True):
            if not result.changed:
                continue
            values = {text_name: result.text}
            if enc_name:
                values[enc_name] = cipher.encrypt(typed, context=context)
            db_session.execute(
                update(rows).where(rows.c.id == row_id, rows.c[text_name] == typed).values(values)
            )
    db_session.flush()
    return read
