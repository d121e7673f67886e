"""schemathesis over the whole OpenAPI document, against the app in process on SQLite and
on PostgreSQL: every operation, with examples generated from its schema (valid ones, then
invalid ones), as an admin and anonymously, on a database with a platform, a shop, an
anchor and a live session in it so that small ids reach real records. No answer may be a
server error.

Marked ``fuzz``: skipped on a developer's machine unless LIVEGUARD_FUZZ=1, always run in
CI (.ci/run sets LIVEGUARD_REQUIRE_SERVICES=1). LIVEGUARD_FUZZ_EXAMPLES sets the examples
per operation and mode (default 15) on PostgreSQL, whose columns and errors are the stricter
(a 32-bit integer overflows there, not in SQLite); SQLite gets as many when no PostgreSQL
answers and a third of them beside it (every operation still walked on both, in half the
time: the suite keeps to its budget). The figures are printed at the end (``-s``).
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from liveguard import migrations
from liveguard.auth import service as auth_service
from liveguard.clock import CHINA, FixedClock
from liveguard.db import transaction
from liveguard.errors import LiveGuardError
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import StaffCreate
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.app import create_app
from tests import factories
from tests.integration.conftest import _throwaway_postgres, postgres_answers

pytestmark = pytest.mark.fuzz  # tests/conftest.py: in CI, or with LIVEGUARD_FUZZ=1
EXAMPLES = int(os.environ.get("LIVEGUARD_FUZZ_EXAMPLES", "15"))


def _examples(dialect: str) -> int:
    """Examples per operation and mode on this backend (the module's docstring)."""
    if dialect == "sqlite" and postgres_answers():
        return max(1, EXAMPLES // 3)
    return EXAMPLES


class Admin:
    """An admin's bearer token; a new admin when fuzzing signed the last one out (logout,
    a revoked token) or took her role away."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.token = self._new()

    def _new(self) -> str:
        with transaction(self.app.state.session_factory) as db_session:
            staff = parties_service.create_staff(
                db_session=db_session,
                staff_in=StaffCreate(
                    username=f"fuzz-{uuid.uuid4().hex[:8]}",
                    display_name="fuzz",
                    role=StaffRole.admin,
                    password="correct horse battery",
                ),
            )
            return auth_service.issue(
                db_session=db_session,
                principal_kind=PrincipalKind.staff,
                principal_id=staff.id,
                label="fuzz",
            )

    def headers(self) -> dict[str, str]:
        with transaction(self.app.state.session_factory) as db_session:
            try:
                caller = auth_service.resolve(
                    db_session=db_session, raw_token=self.token, now=self.app.state.clock.now()
                )
                usable = caller.role is StaffRole.admin
            except LiveGuardError:
                usable = False
        if not usable:
            self.token = self._new()
        return {"Authorization": f"Bearer {self.token}"}


def _seed(app: FastAPI, headers: dict[str, str]) -> None:
    """A platform, a merchant, an anchor and a live session with two events (ids 1)."""
    with TestClient(app) as client:

        def post(path: str, body: Any) -> Any:
            answer = client.post(path, json=body, headers=headers)
            assert answer.status_code in (200, 201), answer.text
            return answer.json()

        platform = post("/api/platforms", factories.platform())
        merchant = post("/api/merchants", factories.merchant(platform["id"]))
        anchor = post("/api/anchors", factories.anchor(platform["id"]))
        now = app.state.clock.now()
        session = post(
            "/api/sessions",
            {
                "platform_id": platform["id"],
                "room_code": "fuzz-room",
                "title": "fuzz",
                "anchor_id": anchor["id"],
                "merchant_id": merchant["id"],
                "started_at": now.isoformat(),
            },
        )
        post(
            f"/api/sessions/{session['id']}/events",
            [
                {"event_id": "f-1", "kind": "chat", "occurred_at": now.isoformat(), "text": "加我"},
                {"event_id": "f-2", "kind": "chat", "occurred_at": now.isoformat(), "text": "好"},
            ],
        )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The app on a new, migrated database of each backend (PostgreSQL's dropped after)."""
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{data_dir / 'liveguard.db'}"])
    else:
        urls = _throwaway_postgres()
    for url in urls:
        migrations.upgrade(url)
        settings_ = factories.settings(data_dir, url)
        clock = FixedClock(datetime.combine(factories.TODAY, time(10), CHINA))
        application = create_app(settings_, clock=clock)
        yield application
        application.state.engine.dispose()


@dataclass
class Tally:
    operations: int = 0
    requests: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    server_errors: dict[str, str] = field(default_factory=dict)  # operation -> first seen

    def summary(self) -> str:
        errors = sum(n for status, n in self.by_status.items() if status >= 500)
        return (
            f"{self.operations} operations, {self.requests} requests, {errors} server errors "
            f"in {len(self.server_errors)} operations; answers {sorted(self.by_status.items())}"
        )


def _fuzz(operation: Any, mode: GenerationMode, headers: Any, tally: Tally, examples: int) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.explicit, Phase.generate],  # every failure collected, none shrunk
        verbosity=Verbosity.quiet,
    )
    def run(case: Any) -> None:
        tally.requests += 1
        try:
            response = case.call(headers=headers())
        except Exception as error:  # the app raised: a server would have answered 500
            status, detail = 500, f"{type(error).__name__}: {error}"
        else:
            status = response.status_code
            detail = response.content[:300].decode(errors="replace")
        tally.by_status[status] += 1
        if status >= 500 and operation.label not in tally.server_errors:
            tally.server_errors[operation.label] = f"{detail}\n    {case.as_curl_command()}"

    try:
        run()
    except Unsatisfiable:  # nothing in the operation can be made invalid (no parameters)
        assert mode is GenerationMode.NEGATIVE, operation.label


def test_no_operation_answers_with_a_server_error(app: FastAPI) -> None:
    admin = Admin(app)
    _seed(app, admin.headers())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tally = Tally()
    dialect = app.state.engine.dialect.name
    examples = _examples(dialect)
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, admin.headers, tally, examples)
        _fuzz(operation, GenerationMode.POSITIVE, dict, tally, examples)  # anonymous
    print(f"\nschemathesis on {dialect}, {examples} examples a mode: {tally.summary()}")
    assert not tally.server_errors, (
        tally.summary()
        + "\n"
        + "\n".join(f"{label}: {first}" for label, first in sorted(tally.server_errors.items()))
    )
