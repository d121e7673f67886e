"""Money: integer fen inside, yuan strings outside, never a float in between."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# The largest amount each kind of money field accepts, in fen. They are far above any real
# case and far below what a BIGINT column holds (9.2e18), so sums and the treble damages of
# 消费者权益保护法 art. 55 (three times the price, per item) can never overflow.
# A price: the dearest goods sold in live rooms (cars, jewellery) stay under ¥10 million.
MAX_PRICE_FEN = 10_000_000 * 100
# One deposit movement: category deposits are ¥2,000 to ¥10,000; ¥10 million covers any
# platform's raised deposit many times over.
MAX_DEPOSIT_FEN = 10_000_000 * 100
# A merchant's running deposit balance: repeated payments stop here (¥100 million).
MAX_DEPOSIT_BALANCE_FEN = 100_000_000 * 100
# A loss or an amount owed in a case: the price plus damages, capped at ¥100 million.
MAX_LOSS_FEN = 100_000_000 * 100

_AMOUNT = re.compile(r"^(?:¥|￥|RMB|CNY)?\s*(\d{1,12}(?:,\d{3})*)(?:\.(\d{1,2}))?\s*(?:元)?$")


def yuan(fen: int, *, prefix: str = "", suffix: str = "", grouping: bool = True) -> str:
    """``123456`` -> ``1,234.56`` (integer division, so every fen is exact)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    digits = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{prefix}{digits}.{cents:02d}{suffix}"


def parse_yuan(text: str) -> int:
    """A yuan amount as people type it (``199``, ``199.9``, ``¥1,299.00``) in fen.

    Raises ``ValueError`` with a message in Chinese for anything else (``两百块``,
    ``1e3``, three decimals): money is read as a ``Decimal`` string, never a float.
    """
    cleaned = text.strip().replace("，", ",").replace("．", ".")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise ValueError("请用数字写金额，单位是元，例如 199 或 199.90")
    try:
        amount = Decimal(match.group(1).replace(",", "") + "." + (match.group(2) or "0"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValueError("请用数字写金额，单位是元，例如 199 或 199.90") from None
    return int(amount * 100)
