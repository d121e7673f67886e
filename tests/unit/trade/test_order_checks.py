"""The import's checks in DuckDB refuse the same rows, by the same line, column and message,
as the row-by-row checks, and store the same values (hashes included)."""

from __future__ import annotations

import csv
from datetime import UTC
from pathlib import Path

from liveguard.privacy.fields import FieldCipher
from liveguard.trade import order_checks, order_import

CIPHER = FieldCipher(encryption_key=b"e" * 32, index_key=b"k" * 32)
SHOPS = frozenset({7, 8})
HEADER = ["order_no", "shop_id", "buyer_id", "paid_at", "amount_fen", "shipped_at", "channel",
          "device", "listing_id"]  # fmt: skip
ROWS = [
    ["A1", "7", "u1", "2026-11-20 20:00:00", "990", "", "live", "dev-1", ""],
    ["A2", "9", "u1", "2026-11-20 20:00:00", "990", "", "live", "", ""],
    ["A3", "x7", "u1", "2026-11-20 20:00:00", "990", "", "", "", ""],
    ["A4", "", "u1", "2026-11-20 20:00:00", "990", "", "", "", ""],
    ["A5", "7", "u2", "yesterday", "990", "", "", "", ""],
    ["A6", "7", "u2", "1999-12-31T10:00:00+08:00", "990", "", "", "", ""],
    ["A7", "7", "u2", "2026-11-20T12:00:00Z", "-1", "", "", "", ""],
    ["A8", "7", "u2", "2026-11-20T12:00:00Z", "12.5", "", "", "", ""],
    ["A9", "7", "u2", "2026-11-20T12:00:00Z", "5", "2026-11-19 00:00:00", "", "", ""],
    ["A10", "7", "u2", "2026-11-20T12:00:00Z", "5", "", "tv", "", ""],
    ["", "7", "u2", "2026-11-20T12:00:00Z", "5", "", "", "", ""],
    ["A12", "7", "b" * 65, "2026-11-20T12:00:00Z", "5", "", "", "", ""],
    ["A13", "7", "u3", "2026-11-20T12:00:00Z", "5", "", "", "", "0"],
    ["A1", "7", "u3", "2026-11-21 08:00:00+08:00", "5", "", "Live", " addr ", "3"],
    ["A1", "8", "u3", "2026-11-21 08:00:00", "5", "2026-11-22 08:00:00", "", "dev-1", ""],
]


def _check(path: Path, fmt: str) -> order_checks.Checked | None:
    return order_checks.check(
        path, fmt, names=order_import._columns, merchants=SHOPS,
        index_key=CIPHER.index_key, max_errors=100,
    )  # fmt: skip


def _reference(path: Path) -> tuple[list[tuple[int, str, str]], list[dict[str, object]]]:
    """The row-by-row checks, with the file's own duplicate rule."""
    errors, stored, seen = [], [], set()
    for line, raw in order_import.read_rows(path, "csv"):
        assert isinstance(raw, dict)
        try:
            values = order_import.parse_row(raw, CIPHER, SHOPS)
        except order_import.RowProblem as problem:
            errors.append((line, problem.column, str(problem)))
            continue
        key = (values["merchant_id"], values["order_no"])
        if key in seen:
            errors.append((line, "order_no", f"shop {key[0]} already has order {key[1]}"))
            continue
        seen.add(key)
        stored.append(values)
    return errors, stored


def test_the_checks_in_duckdb_agree_with_the_row_by_row_checks(tmp_path):
    path = tmp_path / "orders.csv"
    with path.open("w", newline="") as stream:
        csv.writer(stream).writerows([HEADER, *ROWS])
    errors, stored = _reference(path)
    checked = _check(path, "csv")
    assert checked is not None
    try:
        assert checked.rows_read == len(ROWS)
        assert checked.errors == errors
        assert checked.rows_refused == len(errors) == len(ROWS) - 2
        rows = [
            r
            for batch in checked.batches(
                "merchant_id, order_no, buyer, listing_id, amount_fen, "
                + order_checks.utc_text("paid_at", offset=False)
                + ", "
                + order_checks.utc_text("shipped_at", offset=False)
                + ", channel, device_hash, address_hash"
            )
            for r in batch
        ]
    finally:
        checked.close()

    def fmt(moment):
        return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    expected = [
        (v["merchant_id"], v["order_no"], v["buyer"], v["listing_id"], v["amount_fen"],
         fmt(v["paid_at"]), fmt(v["shipped_at"]), v["channel"] and v["channel"].value,
         v["device_hash"], v["address_hash"])
        for v in stored
    ]  # fmt: skip
    assert [r[1:] for r in rows] == expected
    assert [r[0] for r in rows] == [2, 16]


def test_a_file_whose_lines_are_not_its_rows_is_left_to_the_row_by_row_reader(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text('order_no,shop_id,buyer,paid_at,amount_fen\n\nA1,7,"two\nlines",2026-11-20,5\n')
    checked = _check(path, "csv")
    assert checked is None


def test_a_file_without_device_or_address_and_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(
        b"\xef\xbb\xbforder_no,shop_id,buyer,paid_at,amount_fen\r\n"
        b"A1,7,u,2026-11-20 20:00:00,5\r\nA2,7,u,2026-11-20 20:00:00,x\r\n"
    )
    checked = _check(path, "csv")
    assert checked is not None
    try:
        rows = [r for b in checked.batches("order_no, device_hash, address_hash") for r in b]
        assert rows == [(2, "A1", None, None)]
        assert checked.errors == [(3, "amount_fen", "'x' is not a whole number")]
    finally:
        checked.close()


def test_json_lines_are_checked_in_duckdb_with_their_line_numbers(tmp_path):
    path = tmp_path / "orders.jsonl"
    path.write_text(
        '{"order_no": "J1", "shop_id": 7, "buyer": "a", "paid_at": "2026-11-20T20:00:00+08:00",'
        ' "amount_fen": 100, "address": "x"}\n'
        '{"order_no": "J2", "shop_id": 7, "buyer": "a", "paid_at": "2026-11-20 12:00:00",'
        ' "amount_fen": -1, "address": null}\n'
    )
    checked = _check(path, "jsonl")
    assert checked is not None
    try:
        rows = [
            r
            for b in checked.batches(
                "order_no, address_hash, " + order_checks.utc_text("paid_at", offset=True)
            )
            for r in b
        ]
        assert rows == [
            (1, "J1", CIPHER.blind_index("x", context="order.address"),
             "2026-11-20 12:00:00.000000+00")
        ]  # fmt: skip
        assert checked.errors == [(2, "amount_fen", "-1 is outside 0..1000000000")]
    finally:
        checked.close()
