"""The fast canonical encoder writes exactly the bytes the standard-library one does."""

from __future__ import annotations

import random

import pytest

from liveguard.evidence import canonical

TRICKY = [
    "",
    "plain",
    "宝宝们加薇信",
    "\x00\x01\x08\x09\x0a\x0c\x0d\x1f\x7f\x80\x9f",
    "\u2028\u2029\ufeff\u200b",
    '"quoted" \\ back / slash',
    "😀🛰️ astral",
    "é vs e\u0301",
]


def _value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.choice(TRICKY) + "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(5))
    if kind == 1:
        return rng.randint(-canonical.MAX_SAFE_INTEGER, canonical.MAX_SAFE_INTEGER)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return "".join(
            chr(rng.choice([rng.randrange(0, 0xD800), rng.randrange(0xE000, 0x110000)]))
            for _ in range(8)
        )
    if kind in (4, 5):
        return {
            rng.choice(TRICKY) + str(rng.randrange(100)): _value(rng, depth + 1)
            for _ in range(rng.randrange(5))
        }
    return [_value(rng, depth + 1) for _ in range(rng.randrange(5))]


def test_fast_and_standard_encoders_agree_byte_for_byte():
    rng = random.Random(20261123)
    for _ in range(3000):
        value = {"k": _value(rng), "z": _value(rng), "a": {t: t for t in TRICKY}}
        assert canonical.encode(value) == canonical.encode_stdlib(value)
        assert canonical.decode(canonical.encode(value)) == value


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ({"a": 1.5}, "$.a: floats are not canonical"),
        ({"a": [2**60]}, "$.a[0]: integer"),
        ({"a": {1: "x"}}, "$.a: object keys must be strings"),
        ({"a": "\ud800"}, "not valid Unicode"),
    ],
)
def test_values_outside_the_canonical_subset_are_refused_by_name(value, says):
    with pytest.raises(ValueError, match=says.replace("[", r"\[").replace("$", r"\$")):
        canonical.encode(value)
