"""A platform's overlay is untrusted YAML: refused fast, before any database lock."""

from __future__ import annotations

import time

import pytest

from liveguard.db import transaction
from liveguard.detect import overlay as overlays
from liveguard.detect.rulefile import MAX_REPEATS
from liveguard.detect.schemas import MAX_OVERLAY
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import PlatformCreate
from tests import factories
from tests.integration.detect.test_detect_api import put
from tests.unit.detect.test_overlay import OVERLAY

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 10)}]\n"
    for a, b in zip("abcdefghi", "bcdefghij", strict=True)
)


def refused(response, *words: str) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    for word in words:
        assert word in detail
    return detail


def test_a_billion_laughs_overlay_is_refused_before_it_is_built(client, auth):
    started = time.monotonic()
    refused(put(client, auth(), LAUGHS), "aliases expanded", "over the limit of 200000")
    assert time.monotonic() - started < 5  # generous: the expansion is counted, never built


def test_an_overlay_larger_than_the_limit_is_refused(client, auth):
    response = put(client, auth(), "# " + "x" * MAX_OVERLAY)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "content"
    assert str(MAX_OVERLAY) in response.json()["detail"]


@pytest.mark.parametrize(
    ("pattern", "limit"),
    [(".{5000}", f"at most {MAX_REPEATS}"), ("(a|b|c|d)*e{500}", "repeats 500 times")],
)
def test_a_regex_hyperscan_would_take_seconds_to_refuse_is_refused_by_its_shape(
    client, auth, pattern, limit
):
    hostile = OVERLAY.replace("terms: [销量冠军]", f"patterns: ['{pattern}']")
    started = time.monotonic()
    refused(put(client, auth(), hostile), limit)
    assert time.monotonic() - started < 1  # the shape is checked before anything compiles


def test_an_overlay_compiles_while_other_writers_write(client, auth, app, monkeypatch):
    """The overlay is compiled before the request's first write (the token's last use is
    still unflushed), so on SQLite another writer gets in during the compile."""
    apply = overlays.apply
    written = []

    def apply_while_another_writes(*args, **kwargs):
        with transaction(app.state.session_factory, write=True) as other:
            made = parties_service.create_platform(
                db_session=other, platform_in=PlatformCreate(**factories.platform())
            )
            written.append(made.id)
        return apply(*args, **kwargs)

    monkeypatch.setattr(overlays, "apply", apply_while_another_writes)
    response = put(client, auth(), OVERLAY)  # a lock held here: "database is locked", a 500
    assert response.status_code == 200, response.text
    assert len(written) == 1
