"""Money helpers: integer fen in, yuan strings out, and yuan typed by people read exactly."""

import pytest

from liveguard.money import parse_yuan, yuan
from liveguard.vocab import Severity


@pytest.mark.parametrize(
    ("fen", "kwargs", "shown"),
    [
        (66900, {"suffix": "元"}, "669.00元"),
        (123456789, {"prefix": "¥"}, "¥1,234,567.89"),
        (123456, {"grouping": False}, "1234.56"),
        (-150, {}, "-1.50"),
        (1, {}, "0.01"),
    ],
)
def test_yuan_shows_every_fen_exactly(fen, kwargs, shown):
    assert yuan(fen, **kwargs) == shown


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("199", 19900), ("199.9", 19990), ("¥199", 19900), ("1,299.00元", 129900), ("0.1", 10)],
)
def test_parse_yuan_reads_what_people_type(typed, fen):
    assert parse_yuan(typed) == fen


def test_parse_yuan_is_exact_where_a_float_is_not():
    # float("0.29") * 100 is 28.999999999999996
    assert parse_yuan("0.29") == 29


@pytest.mark.parametrize("typed", ["两百块", "1e3", "1.999", "", "-5", "nan"])
def test_parse_yuan_refuses_anything_else_in_chinese(typed):
    with pytest.raises(ValueError, match="请用数字写金额"):
        parse_yuan(typed)


def test_severities_compare_by_rank():
    assert [s.rank for s in Severity] == [0, 1, 2, 3]
    assert Severity.critical.rank > Severity.high.rank
