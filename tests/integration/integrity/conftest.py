"""Shops to sell from: the catalog tests' fixture."""

from tests.integration.catalog.conftest import make_shop  # noqa: F401  (a fixture)
