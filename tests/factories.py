"""Valid inputs, built fresh for each test so they never collide."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from liveguard.config import Settings
from liveguard.parties.identifiers import USCC_ALPHABET, id_check_char, uscc_check_char

_counter = itertools.count(1)
_random = random.Random(20261123)

TODAY = date(2026, 11, 23)  # the tests' fixed clock


def settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    """Settings for a test app: the scheduled jobs off (tests run them explicitly)."""
    quiet: dict[str, Any] = {
        "reverify_interval_minutes": 0,
        "checkpoint_interval_minutes": 0,
        "case_reminder_interval_minutes": 0,
        "promise_check_interval_minutes": 0,
    }
    return Settings(data_dir=data_dir, database_url=database_url, **{**quiet, **overrides})


def credit_code() -> str:
    """A fresh unified social credit code with a correct GB 32100 check character."""
    body = "91" + "330106" + "".join(_random.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def id_number(born: date = date(1990, 6, 18)) -> str:
    body = "110105" + born.strftime("%Y%m%d") + f"{_random.randrange(1000):03d}"
    return body + id_check_char(body)


def phone() -> str:
    return f"139{_random.randrange(10**8):08d}"


def platform(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    return {
        "code": f"platform-{n}",
        "name": f"Platform {n}",
        "operator_name": f"Operator {n} Co., Ltd.",
        "credit_code": credit_code(),
        **overrides,
    }


def merchant(platform_id: int, **overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    return {
        "platform_id": platform_id,
        "name": f"Merchant {n} Co., Ltd.",
        "shop_name": f"Shop {n}",
        "credit_code": credit_code(),
        "legal_representative": "Chen",
        "address": "1 Example Road, Hangzhou",
        "contact_phone": phone(),
        "licence_valid_from": str(TODAY - timedelta(days=365)),
        "licence_valid_to": str(TODAY + timedelta(days=365)),
        "categories": ["apparel"],
        **overrides,
    }


def anchor(platform_id: int, **overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    return {
        "platform_id": platform_id,
        "nickname": f"anchor-{n}",
        "real_name": "Wang Xiaoming",
        "id_number": id_number(),
        **overrides,
    }
