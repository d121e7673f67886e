"""Money properties, over any amount: what ``yuan`` writes ``parse_yuan`` reads back to the
same fen, and any text at all either parses to a whole number of fen or is a ValueError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from liveguard.money import parse_yuan, yuan

FAST = settings(max_examples=200, deadline=None)
# parse_yuan reads up to 12 digits of whole yuan: every amount below that in fen.
FEN = st.integers(min_value=0, max_value=10**14 - 1)


@FAST
@given(fen=FEN, grouping=st.booleans(), prefix=st.sampled_from(["", "¥", "￥"]))
def test_what_yuan_writes_parse_yuan_reads_back_to_the_same_fen(fen, grouping, prefix):
    assert parse_yuan(yuan(fen, prefix=prefix, grouping=grouping)) == fen
    assert parse_yuan(yuan(fen, suffix="元", grouping=grouping)) == fen


@FAST
@given(fen=FEN)
def test_yuan_is_exact_to_the_fen_and_signed(fen):
    written = yuan(fen, grouping=False)
    whole, cents = written.split(".")
    assert int(whole) * 100 + int(cents) == fen
    assert yuan(-fen, grouping=False) == (f"-{written}" if fen else written)


@FAST
@given(whole=st.integers(0, 10**12 - 1), decimals=st.text("0123456789", min_size=1, max_size=2))
def test_a_typed_amount_is_read_as_a_decimal_never_a_float(whole, decimals):
    expected = whole * 100 + int(decimals.ljust(2, "0"))
    assert parse_yuan(f"{whole}.{decimals}") == expected
    assert parse_yuan(f" {whole:,}.{decimals} ") == expected


@FAST
@given(text=st.text(max_size=30))
def test_any_text_is_an_amount_in_fen_or_a_value_error(text):
    try:
        fen = parse_yuan(text)
    except ValueError as error:
        assert "金额" in str(error)
    else:
        assert isinstance(fen, int)
        assert 0 <= fen < 10**14
        assert parse_yuan(yuan(fen)) == fen
