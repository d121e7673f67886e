"""The canonical bytes of a ledger entry: deterministic JSON.

JSON rather than CBOR so that a judge can read a leaf with any text editor and the
offline verifier needs nothing beyond the standard library. Determinism comes from a
restricted value space: objects with string keys (sorted by code point), arrays,
strings, integers, booleans and null. No floats (money is integer fen, times are
strings), no NaN, UTF-8 without escapes for non-ASCII, no insignificant whitespace. For
this subset the output is identical to RFC 8785 (JSON Canonicalization Scheme), so any
JCS implementation reproduces the same bytes.

Appends encode with orjson (15x faster than ``json.dumps`` here, and the append budget is
50 us an item); ``decode`` and the offline verifier re-encode with the standard library,
and a test holds the two byte-identical.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Integers beyond 2**53 lose precision in JavaScript and in RFC 8785 number handling.
MAX_SAFE_INTEGER = 2**53 - 1


def _check(value: Any, path: str) -> None:
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"{path}: integer {value} is beyond 2**53; store it as a string")
        return
    if isinstance(value, float):
        raise ValueError(f"{path}: floats are not canonical; use integers (fen) or strings")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: object keys must be strings, got {key!r}")
            _check(item, f"{path}.{key}")
        return
    raise ValueError(f"{path}: {type(value).__name__} cannot be recorded; convert it first")


def _plain(value: Any) -> bool:
    """The same rules as ``_check`` without building paths: the fast common case (a loop
    over a stack, not recursion through generators: a third of the time per record)."""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                return False
        elif kind is dict:
            for key in item:
                if type(key) is not str:
                    return False
            push(item.values())
        elif kind is list:
            push(item)
        else:
            return False
    return True


def encode(value: dict[str, Any]) -> bytes:
    """The one byte sequence for ``value``; ValueError naming the field it cannot encode."""
    if not _plain(value):
        _check(value, "$")  # raises with the path of the offending value
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return encode_stdlib(value)  # raises the standard library's error, e.g. a surrogate


def encode_stdlib(value: dict[str, Any]) -> bytes:
    """The same bytes as ``encode``, with nothing but the standard library."""
    # sort_keys sorts by code point, which equals JCS's UTF-16 order for the BMP text we store.
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"text is not valid Unicode ({error.reason})") from None


def decode(data: bytes) -> dict[str, Any]:
    value = json.loads(data.decode("utf-8"))
    if not isinstance(value, dict) or encode_stdlib(value) != data:
        raise ValueError("the bytes are not a canonical LiveGuard record")
    return value
