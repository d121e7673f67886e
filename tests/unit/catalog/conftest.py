"""Shared fixtures for listing review: one Reviewer (it compiles two rule sets)."""

from __future__ import annotations

import pytest

from liveguard.catalog.checks import Reviewer


@pytest.fixture(scope="session")
def reviewer() -> Reviewer:
    return Reviewer()
