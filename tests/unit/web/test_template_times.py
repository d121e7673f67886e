"""Times on pages go through the ``china_time`` filter (Beijing time, one format): no
template renders a date or time with ``.isoformat()``/``.strftime()`` or a raw timestamp."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from importlib import resources

import pytest

from liveguard.web.pages import china_time

TEMPLATES = resources.files("liveguard.web") / "templates"
RAW = re.compile(r"\.isoformat\(\)|\.strftime\(|\{\{[^}]*_at\s*\}\}")


def _templates() -> list[str]:
    names = (p.name for p in TEMPLATES.iterdir() if p.name.endswith(".html"))
    return sorted(names)


@pytest.mark.parametrize("name", _templates())
def test_no_template_renders_a_time_itself(name: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    raw = [m.group(0) for m in RAW.finditer(source)]
    assert not raw, f"{name}: show times with |china_time, not {raw}"


def test_china_time_shows_utc_in_beijing_time_and_a_date_as_it_is() -> None:
    assert china_time(datetime(2026, 11, 17, 12, 3, tzinfo=UTC)) == "2026-11-17 20:03"
    assert china_time(datetime(2026, 11, 17, 16, 30, tzinfo=UTC), "%H:%M") == "00:30"
    assert china_time(date(2026, 11, 17)) == "2026-11-17"
    assert china_time(None) == ""
    assert china_time("2026-11-17T12:03:00+00:00") == "2026-11-17 20:03"  # from a JSON record
