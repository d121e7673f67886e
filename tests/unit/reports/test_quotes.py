"""A report is public: what it quotes of someone's words has its personal information
masked and is cut to a glance."""

from __future__ import annotations

from liveguard.reports import quotes


def test_a_phone_number_in_a_quote_is_masked() -> None:
    quoted = quotes.clip("客服让我加微信，电话13812345678，说私下转账便宜")
    assert "13812345678" not in quoted and "客服让我加微信" in quoted


def test_a_long_quote_is_cut_with_an_ellipsis() -> None:
    quoted = quotes.clip("直播间" * 100)
    assert len(quoted) == quotes.QUOTE_CHARS and quoted.endswith("…")
    assert quotes.clip("  短句  ") == "短句"
