"""Shared test helpers: optional services skip here, but fail in CI."""

from __future__ import annotations

import os
import socket

import pytest

# .ci/run sets this so a missing PostgreSQL, NATS or browser fails the run instead of
# silently skipping the tests that need it.
REQUIRE_SERVICES = os.environ.get("LIVEGUARD_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip (on a developer's machine) or fail (in CI) a test whose service is absent."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (LIVEGUARD_REQUIRE_SERVICES=1 makes this a failure)")
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# Marked tests that take minutes or start servers of their own: run in CI (.ci/run sets
# LIVEGUARD_REQUIRE_SERVICES=1) or when asked by name, skipped on a developer's machine.
_ON_REQUEST = {"fuzz": "LIVEGUARD_FUZZ", "faults": "LIVEGUARD_FAULTS"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for marker, variable in _ON_REQUEST.items():
        if REQUIRE_SERVICES or os.environ.get(variable) == "1":
            continue
        skip = pytest.mark.skip(reason=f"runs in CI, or with {variable}=1")
        for item in items:
            if item.get_closest_marker(marker):
                item.add_marker(skip)
