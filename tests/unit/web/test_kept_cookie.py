"""A refused form's typed fields as a cookie value: under the size a browser keeps, the
longest fields cut first, and read back whole; a bad value reads as nothing kept."""

from __future__ import annotations

from starlette.requests import Request

from liveguard.web.pages import KEPT_BYTES, KEPT_COOKIE, kept_cookie, kept_of


def _read(value: str) -> dict[str, str]:
    header = f"{KEPT_COOKIE}={value}".encode()
    return kept_of(Request({"type": "http", "headers": [(b"cookie", header)]}))


def test_short_fields_come_back_as_typed_and_empty_ones_are_dropped():
    value = kept_cookie({"a.reason": '电话 13912345678; "引号" =', "b.text": ""})
    assert value is not None and "=" not in value
    assert _read(value) == {"a.reason": '电话 13912345678; "引号" ='}
    assert kept_cookie({"b.text": ""}) is None


def test_over_the_size_the_longest_is_cut_and_the_short_stays_whole():
    value = kept_cookie({"long": "长" * 5000, "longer": "更" * 6000, "short": "短句"})
    assert value is not None and len(value) <= KEPT_BYTES
    kept = _read(value)
    assert kept["short"] == "短句"
    # one common length, the most that fits: a CJK character is 4 bytes of value, two fields
    assert KEPT_BYTES // 8 - 10 < len(kept["long"]) == len(kept["longer"]) <= KEPT_BYTES // 8
    assert kept["long"] == "长" * len(kept["long"])


def test_a_lone_surrogate_still_makes_a_valid_cookie():
    value = kept_cookie({"a": "x\ud800y"})
    assert value is not None and _read(value) == {"a": "x?y"}


def test_a_bad_value_keeps_nothing():
    for bad in ("", "%%%", "e30", "WzFd", "eyJhIjogMX0", "bm90IGpzb24", "x" * (KEPT_BYTES + 1)):
        assert _read(bad) == {}, bad
