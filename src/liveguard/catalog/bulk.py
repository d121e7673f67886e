"""Bulk import of listings (JSON or CSV): every valid row stored and reviewed, every
invalid one reported with its row number. Services flush; callers commit."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from liveguard import refusals
from liveguard.catalog import service
from liveguard.catalog.schemas import ImportedRow, ImportResult, ImportRow, ListingCreate, RowError
from liveguard.errors import LiveGuardError

MAX_IMPORT_ROWS = 2000
# A listing row is ~1-5 kB (a long description, a label): 2000 of them fit in 10 MB.
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def parse_import(body: bytes, content_type: str) -> list[Any]:
    """Rows from a JSON body (a list, or {"listings": [...]}) or a CSV with a header line.

    CSV: one column per field; label fields as ``label.<name>`` columns (or one ``label``
    column holding a JSON object); empty cells are left out, so defaults apply.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refusals.invalid("catalog", "body", "import_not_utf8") from None
    if "csv" in content_type:
        rows: list[Any] = []
        for raw in csv.DictReader(io.StringIO(text)):
            row: dict[str, Any] = {}
            for key, value in raw.items():
                if key is None or value is None or not value.strip():
                    continue
                key = key.strip()
                if key.startswith("label."):
                    row.setdefault("label", {})[key.removeprefix("label.")] = value.strip()
                elif key == "label":
                    try:
                        row["label"] = json.loads(value)
                    except ValueError:
                        row["label"] = value  # reported by the row's validation
                else:
                    row[key] = value.strip()
            rows.append(row)
    else:
        try:
            parsed = json.loads(text)
        except ValueError as error:
            raise refusals.invalid("catalog", "body", "import_not_json", reason=error) from None
        listed = parsed.get("listings") if isinstance(parsed, dict) else parsed
        if not isinstance(listed, list):
            raise refusals.invalid("catalog", "body", "import_not_a_list")
        rows = listed
    if not rows:
        raise refusals.invalid("catalog", "body", "import_no_rows")
    if len(rows) > MAX_IMPORT_ROWS:
        raise refusals.invalid(
            "catalog",
            "body",
            "import_too_many",
            rows=f"{len(rows):,}",
            limit=f"{MAX_IMPORT_ROWS:,}",
        )
    return rows


def _row_error(number: int, field: str, code: str, **slots: object) -> RowError:
    """A refused row in the catalogue's words (``catalog.refusal``, ``catalog.fix``)."""
    return RowError(
        row=number,
        field=field,
        message=refusals.sentence("catalog", code, **slots),
        fix=refusals.fix("catalog", code, **slots),
    )


def import_rows(
    *,
    db_session: Session,
    rows: Sequence[Any],
    now: datetime,
    actor: str,
    own_merchant_id: int | None = None,
) -> ImportResult:
    """Store every valid row, each reviewed; report every invalid one with its row number.

    All rows are checked before anything is written, so a bad row never leaves a
    half-stored listing. ``own_merchant_id``: a merchant importing its own listings.
    """
    errors: list[RowError] = []
    valid: list[tuple[int, ListingCreate]] = []
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            errors.append(_row_error(number, "row", "row_not_an_object"))
            continue
        try:
            row = ImportRow.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in item["loc"]) or "row"
                message = str(item["msg"]).removeprefix("Value error, ")
                errors.append(RowError(row=number, field=where, message=message))
            continue
        merchant_id = row.merchant_id if row.merchant_id is not None else own_merchant_id
        if merchant_id is None:
            errors.append(_row_error(number, "merchant_id", "row_no_merchant"))
            continue
        if own_merchant_id is not None and merchant_id != own_merchant_id:
            errors.append(
                _row_error(number, "merchant_id", "row_other_merchant", own=own_merchant_id)
            )
            continue
        try:
            service.check_may_list(
                db_session=db_session, merchant_id=merchant_id, category=row.category, now=now
            )
        except LiveGuardError as error:
            for problem in error.problems or []:
                errors.append(
                    RowError(
                        row=number, field=problem.field, message=problem.message, fix=problem.fix
                    )
                )
            if not error.problems:
                errors.append(RowError(row=number, field="merchant_id", message=error.detail))
            continue
        data = row.model_dump(exclude={"merchant_id"})
        valid.append((number, ListingCreate(merchant_id=merchant_id, **data)))
    created = []
    for number, listing_in in valid:
        listing = service.create(db_session=db_session, listing_in=listing_in, now=now, actor=actor)
        created.append(ImportedRow(row=number, id=listing.id, status=listing.status))
    return ImportResult(created=created, errors=errors)
