"""The S4 sale (a shop, its listing, a live session and its anchor) reused for credit."""

from __future__ import annotations

from tests.integration.catalog.conftest import make_shop  # noqa: F401  (a fixture)
from tests.integration.trade.conftest import make_buyer, sale  # noqa: F401  (fixtures)
