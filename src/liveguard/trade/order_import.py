"""Bulk import of the platform's orders from CSV, JSON lines or Parquet, streamed.

A platform's export runs to millions of rows, so nothing here holds the file: rows are
read one at a time (CSV and JSON lines by line, Parquet by DuckDB in batches), checked
by hand-written parsers (a Pydantic model per row was ten times slower), and stored in
chunks of ``CHUNK`` rows. A refused row is reported with its line (CSV: the file's line,
the header being line 1; JSON lines: the line; Parquet: the row, first = 1), its field
and what to do; the rows around it are stored. The file goes into the evidence ledger
once, as its SHA-256 and counts. Columns: docs/integrity.md.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Table, func, select
from sqlalchemy.orm import Session

from liveguard.clock import CHINA
from liveguard.db import table_of
from liveguard.errors import InvalidInput
from liveguard.money import MAX_PRICE_FEN
from liveguard.privacy.fields import FieldCipher
from liveguard.trade import order_checks
from liveguard.trade.models import OrderChannel, OrderFact, OrderImport

CHUNK = 5000
MAX_ERRORS = 1000  # reported one by one; the count goes on
FORMATS = ("csv", "jsonl", "parquet")
MAX_ID = 2**31 - 1

# A column's usual names in platforms' exports, to ours.
ALIASES = {
    "shop_id": "merchant_id",
    "shopid": "merchant_id",
    "buyer_id": "buyer",
    "userid": "buyer",
    "user_id": "buyer",
    "orderid": "order_no",
    "order_id": "order_no",
    "event_time": "paid_at",
}
REQUIRED = ("order_no", "merchant_id", "buyer", "paid_at", "amount_fen")
OPTIONAL = (
    "listing_id",
    "live_session_id",
    "anchor_id",
    "shipped_at",
    "delivered_at",
    "refunded_at",
    "channel",
    "device",
    "address",
)
COLUMNS = REQUIRED + OPTIONAL
CHANNELS = {c.value: c for c in OrderChannel}


class RowProblem(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class ImportTally:
    """What an import did: counts, and the first ``MAX_ERRORS`` refused rows."""

    rows_read: int = 0
    rows_stored: int = 0
    rows_refused: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, message

    def refuse(self, line: int, column: str, message: str) -> None:
        self.rows_refused += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, column, message))


def file_format(name: str, declared: str | None = None) -> str:
    """``csv``, ``jsonl`` or ``parquet``: as declared, else from the file's ending."""
    if declared:
        if declared not in FORMATS:
            raise InvalidInput("format", f"{declared!r} is not a format", "csv, jsonl or parquet")
        return declared
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    found = {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl", "parquet": "parquet"}.get(suffix)
    if found is None:
        raise InvalidInput(
            "format", f"cannot tell the format of {name!r}", "name it .csv, .jsonl or .parquet"
        )
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reading, one row at a time -------------------------------------------------------------


def _columns(names: list[str]) -> list[str]:
    """Our names for a file's columns; a file missing a required one or carrying an
    unknown one is refused before any row is read."""
    ours = [ALIASES.get(n.strip().lower(), n.strip().lower()) for n in names]
    unknown = [n for n, o in zip(names, ours, strict=True) if o not in COLUMNS]
    if unknown:
        raise InvalidInput(
            "file", f"unknown columns: {', '.join(unknown)}", f"use {', '.join(COLUMNS)}"
        )
    missing = [c for c in REQUIRED if c not in ours]
    if missing:
        raise InvalidInput("file", f"missing columns: {', '.join(missing)}", "add them")
    return ours


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line, row) for every row, or (line, why it is not a row); streamed."""
    if fmt == "csv":
        yield from _read_csv(path)
    elif fmt == "jsonl":
        yield from _read_jsonl(path)
    else:
        yield from _read_parquet(path)


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        try:
            header = _columns(next(reader))
        except StopIteration:
            raise InvalidInput("file", "the file is empty", "send a header line and rows") from None
        except UnicodeDecodeError:
            raise InvalidInput("file", "the file is not UTF-8 text", "save it as UTF-8") from None
        width = len(header)
        try:
            for cells in reader:
                if not cells:
                    continue
                if len(cells) != width:
                    yield reader.line_num, f"{len(cells)} cells where the header has {width}"
                    continue
                yield reader.line_num, dict(zip(header, cells, strict=True))
        except UnicodeDecodeError:
            yield reader.line_num + 1, "not UTF-8 text from here on"


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    checked: frozenset[str] = frozenset()
    with path.open("rb") as stream:
        for line_no, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                raw = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield line_no, f"not JSON: {error}"
                continue
            if not isinstance(raw, dict):
                yield line_no, "each line must be one JSON object"
                continue
            keys = frozenset(raw)
            if keys != checked:  # most files repeat one set of keys: check each set once
                ours = _columns(list(raw))
                missing = [c for c in REQUIRED if c not in ours]
                if missing:
                    yield line_no, f"missing {', '.join(missing)}"
                    continue
                checked = keys
            yield line_no, {ALIASES.get(k.lower(), k.lower()): v for k, v in raw.items()}


def _read_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    import duckdb  # read in batches by DuckDB: the file is never loaded whole

    connection = duckdb.connect()
    try:
        connection.execute("SET threads = 1")
        connection.execute("SET enable_progress_bar = false")
        try:
            cursor = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
        except duckdb.Error as error:
            raise InvalidInput(
                "file", f"not a Parquet file: {error}", "send a Parquet file"
            ) from None
        header = _columns([d[0] for d in cursor.description or []])
        row_no = 0
        while batch := cursor.fetchmany(CHUNK):
            for values in batch:
                row_no += 1
                yield row_no, dict(zip(header, values, strict=True))
    finally:
        connection.close()


# --- checking one row -----------------------------------------------------------------------


def _text(row: dict[str, Any], column: str, limit: int = 64) -> str:
    value = row.get(column)
    if value is None or (text := str(value).strip()) == "":
        raise RowProblem(column, "is empty")
    if len(text) > limit:
        raise RowProblem(column, f"longer than {limit} characters")
    return text


def _int(row: dict[str, Any], column: str, low: int, high: int) -> int | None:
    value = row.get(column)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowProblem(column, "is not a whole number")
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise RowProblem(column, f"{str(value)[:20]!r} is not a whole number") from None
    if not low <= number <= high:
        raise RowProblem(column, f"{number} is outside {low}..{high}")
    return number


def _time(row: dict[str, Any], column: str) -> datetime | None:
    """A moment: ISO 8601; one without an offset is Beijing time, as platforms export."""
    value = row.get(column)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise RowProblem(
                column, f"{str(value)[:30]!r} is not a time like 2025-06-18 20:05:00+08:00"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    if not 2000 <= moment.year <= 2100:
        raise RowProblem(column, f"the year {moment.year} is outside 2000..2100")
    return moment


def parse_row(
    row: dict[str, Any], cipher: FieldCipher, merchants: frozenset[int]
) -> dict[str, Any]:
    """One row as a table row, or RowProblem naming the column."""
    merchant_id = _int(row, "merchant_id", 1, MAX_ID)
    if merchant_id is None:
        raise RowProblem("merchant_id", "is empty")
    if merchant_id not in merchants:
        raise RowProblem("merchant_id", f"no shop {merchant_id} is registered")
    paid_at = _time(row, "paid_at")
    if paid_at is None:
        raise RowProblem("paid_at", "is empty")
    amount = _int(row, "amount_fen", 0, MAX_PRICE_FEN)
    if amount is None:
        raise RowProblem("amount_fen", "is empty")
    times = {c: _time(row, c) for c in ("shipped_at", "delivered_at", "refunded_at")}
    for column, moment in times.items():
        if moment is not None and moment < paid_at:
            raise RowProblem(column, "is before paid_at")
    channel = row.get("channel")
    if channel in (None, ""):
        channel = None
    elif (channel := CHANNELS.get(str(channel).strip().lower())) is None:
        raise RowProblem("channel", f"not one of {', '.join(CHANNELS)}")
    return {
        "order_no": _text(row, "order_no"),
        "merchant_id": merchant_id,
        "buyer": _text(row, "buyer"),
        "listing_id": _int(row, "listing_id", 1, MAX_ID),
        "live_session_id": _int(row, "live_session_id", 1, MAX_ID),
        "anchor_id": _int(row, "anchor_id", 1, MAX_ID),
        "amount_fen": amount,
        "paid_at": paid_at,
        **times,
        "channel": channel,
        "device_hash": _keyed(row, "device", cipher),
        "address_hash": _keyed(row, "address", cipher),
    }


def _keyed(row: dict[str, Any], column: str, cipher: FieldCipher) -> str | None:
    """A device or address as a keyed hash: comparable, never stored in clear."""
    value = row.get(column)
    if value is None or (text := str(value).strip()) == "":
        return None
    return cipher.blind_index(text, context=f"order.{column}")


# --- storing ------------------------------------------------------------------------------


def store(
    *,
    db_session: Session,
    path: Path,
    fmt: str,
    cipher: FieldCipher,
    merchants: frozenset[int],
    batch: OrderImport,
) -> ImportTally:
    """Read, check and store every row of the file; the tally of what happened.

    The file is checked in DuckDB (``order_checks``) and its valid rows stored in batches;
    a file whose lines are not one row each is checked row by row here instead."""
    checked = order_checks.check(
        path,
        fmt,
        names=_columns,
        merchants=merchants,
        index_key=cipher.index_key,
        max_errors=MAX_ERRORS,
    )
    if checked is None:
        return _store_rows(db_session, path, fmt, cipher, merchants, batch)
    try:
        return _store_checked(db_session, checked, batch)
    finally:
        checked.close()


def _store_checked(
    db_session: Session, checked: order_checks.Checked, batch: OrderImport
) -> ImportTally:
    tally = ImportTally(rows_read=checked.rows_read, rows_refused=checked.rows_refused)
    tally.errors = list(checked.errors)
    connection = db_session.connection()
    sqlite = connection.dialect.name == "sqlite"
    times = ", ".join(order_checks.utc_text(c, offset=not sqlite) for c in TIME_COLUMNS)
    columns = (
        f"{int(batch.id)}, order_no, merchant_id, buyer, listing_id, live_session_id, "
        f"anchor_id, amount_fen, {times}, channel, device_hash, address_hash"
    )
    conflicts: list[tuple[int, str, str]] = []
    with _index_cache(db_session):
        for rows in checked.batches(columns):
            conflicts.extend(_insert(connection, rows, tally))
    tally.rows_refused += len(conflicts)
    tally.errors = sorted(tally.errors + conflicts)[:MAX_ERRORS]
    return tally


def _insert(
    connection: Connection, rows: list[tuple[Any, ...]], tally: ImportTally
) -> list[tuple[int, str, str]]:
    """Insert rows (line, *FACT_COLUMNS) through the driver in one statement; an order
    number the shop already has from an earlier import is kept out by the unique key (ON
    CONFLICT DO NOTHING) and returned as a refusal by its line."""
    table = table_of(OrderFact)
    before = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(FACT_COLUMNS)}) "
        f"VALUES ({', '.join([marker] * len(FACT_COLUMNS))}) "
        "ON CONFLICT (merchant_id, order_no) DO NOTHING",
        [row[1:] for row in rows],
    )
    after = connection.execute(select(func.count()).where(table.c.id > before)).scalar_one()
    tally.rows_stored += after
    if after == len(rows):
        return []
    stored = set(
        connection.execute(
            select(table.c.merchant_id, table.c.order_no).where(table.c.id > before)
        ).all()
    )
    return [
        (row[0], "order_no", f"shop {row[3]} already has order {row[2]}")
        for row in rows
        if (row[3], row[2]) not in stored
    ]


def _store_rows(
    db_session: Session,
    path: Path,
    fmt: str,
    cipher: FieldCipher,
    shops: frozenset[int],
    batch: OrderImport,
) -> ImportTally:
    """The row-by-row path, for files whose lines are not one row each."""
    tally = ImportTally()
    with _index_cache(db_session):
        chunk: list[dict[str, Any]] = []
        lines: list[int] = []
        for line, raw in read_rows(path, fmt):
            tally.rows_read += 1
            if isinstance(raw, str):
                tally.refuse(line, "row", raw)
                continue
            try:
                values = parse_row(raw, cipher, shops)
            except RowProblem as problem:
                tally.refuse(line, problem.column, str(problem))
                continue
            values["import_id"] = batch.id
            chunk.append(values)
            lines.append(line)
            if len(chunk) >= CHUNK:
                _store_chunk(db_session, chunk, lines, tally)
                chunk, lines = [], []
        if chunk:
            _store_chunk(db_session, chunk, lines, tally)
    return tally


@contextmanager
def _index_cache(db_session: Session) -> Iterator[None]:
    """On SQLite, a 64 MB page cache for the import: the unique key's and the indexes'
    pages of a million rows outgrow the default 2 MB, and each insert then reads them
    back from disk. Restored afterwards."""
    connection = db_session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA cache_size = -65536")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


FACT_COLUMNS = (
    "import_id",
    "order_no",
    "merchant_id",
    "buyer",
    "listing_id",
    "live_session_id",
    "anchor_id",
    "amount_fen",
    "paid_at",
    "shipped_at",
    "delivered_at",
    "refunded_at",
    "channel",
    "device_hash",
    "address_hash",
)
TIME_COLUMNS = ("paid_at", "shipped_at", "delivered_at", "refunded_at")


def _store_chunk(
    db_session: Session, chunk: list[dict[str, Any]], lines: list[int], tally: ImportTally
) -> None:
    """Insert a chunk through the driver (the ORM's per-row parameter handling was half the
    import's time); an order number the shop already has, in this file or before, is kept
    out by the unique key (ON CONFLICT DO NOTHING) and reported by its line."""
    connection = db_session.connection()
    table = table_of(OrderFact)
    seen: set[tuple[int, str]] = set()
    rows: list[tuple[Any, ...]] = []
    to_time = _time_binder(connection, table)
    for values, line in zip(chunk, lines, strict=True):
        key = (values["merchant_id"], values["order_no"])
        if key in seen:
            tally.refuse(line, "order_no", f"shop {key[0]} already has order {key[1]}")
            continue
        seen.add(key)
        channel = values["channel"]
        values["channel"] = channel.value if channel is not None else None
        for column in TIME_COLUMNS:
            values[column] = to_time(values[column])
        rows.append((line, *(values[c] for c in FACT_COLUMNS)))
    for refusal in _insert(connection, rows, tally):
        tally.refuse(*refusal)


def _time_binder(connection: Connection, table: Table) -> Callable[[datetime | None], Any]:
    """The column type's own conversion of a moment for this driver (UTC, as stored)."""
    dialect = connection.dialect
    processor = table.c.paid_at.type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return lambda value: value
    return lambda value: None if value is None else processor(value)
