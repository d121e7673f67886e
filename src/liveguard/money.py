"""Money: integer fen inside, yuan strings outside, never a float in between."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

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
