"""PostgreSQL restarted while events flow through NATS: the worker's batches fail while the
server is away and come again (not acknowledged), so after the restart every event is
stored exactly once, and the ledger after is a consistent extension of the ledger before.

A throwaway PostgreSQL cluster of its own (initdb and pg_ctl, run as the ``postgres``
user, on a free port) is restarted, never the shared server other tests use.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from datetime import datetime, time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liveguard import migrations
from liveguard.auth import service as auth_service
from liveguard.clock import CHINA, FixedClock
from liveguard.db import transaction
from liveguard.evidence import merkle
from liveguard.evidence import service as ledger
from liveguard.live.worker import Bus
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import StaffCreate
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.app import create_app
from tests import factories
from tests.aio import run
from tests.conftest import port_open, service_missing
from tests.integration.live.conftest import speech
from tests.integration.live.test_nats_worker import (
    NATS_URL,
    _counts,
    _delete,
    _publish,
    _wait,
    _worker,
)

pytestmark = pytest.mark.faults
PG_BIN = Path("/usr/lib/postgresql/15/bin")


class Cluster:
    def __init__(self, root: Path) -> None:
        pg_ctl = shutil.which("pg_ctl") or str(PG_BIN / "pg_ctl")
        if not Path(pg_ctl).exists() or shutil.which("runuser") is None:
            service_missing("PostgreSQL's pg_ctl and initdb are not installed")
        self.bin = Path(pg_ctl).parent
        root.chmod(0o755)
        shutil.chown(root, user="postgres")
        self.data = root / "pgdata"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust")

    def _as_postgres(self, *command: str) -> None:
        # Output to a file: the server started by pg_ctl would hold a pipe open for ever.
        log = self.data.parent / "pg.log"
        with log.open("ab") as output:
            done = subprocess.run(
                ["runuser", "-u", "postgres", "--", *command],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=120,
                check=False,
            )
        assert done.returncode == 0, log.read_text(errors="replace")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        pg_ctl = str(self.bin / "pg_ctl")
        server_log = str(self.data.parent / "server.log")
        self._as_postgres(
            pg_ctl, "-D", str(self.data), "-o", options, "-l", server_log, "-w", "start"
        )

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")


@pytest.fixture
def cluster():
    if os.geteuid() != 0:
        service_missing("starting a PostgreSQL cluster as the postgres user needs root")
    # Under /tmp itself: pytest's and scripts/test's temporary directories are root's
    # alone (0700), and the postgres user must reach its data directory.
    root = Path(tempfile.mkdtemp(prefix="liveguard-pg-", dir="/tmp"))
    try:
        made = Cluster(root)
        made.start()
        yield made
        if port_open("127.0.0.1", made.port):
            made.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _admin(app) -> dict[str, str]:
    with transaction(app.state.session_factory) as db_session:
        staff = parties_service.create_staff(
            db_session=db_session,
            staff_in=StaffCreate(username="ops", display_name="ops", role=StaffRole.admin),
        )
        token = auth_service.issue(
            db_session=db_session,
            principal_kind=PrincipalKind.staff,
            principal_id=staff.id,
            label="test",
        )
    return {"Authorization": f"Bearer {token}"}


def _room(client: TestClient, headers: dict[str, str], now: datetime) -> int:
    def post(path: str, body: object) -> dict:
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        return answer.json()

    platform = post("/api/platforms", factories.platform())
    merchant = post("/api/merchants", factories.merchant(platform["id"]))
    anchor = post("/api/anchors", factories.anchor(platform["id"]))
    session = post(
        "/api/sessions",
        {
            "platform_id": platform["id"],
            "room_code": "pg-restart",
            "title": "PostgreSQL restart",
            "anchor_id": anchor["id"],
            "merchant_id": merchant["id"],
            "started_at": now.isoformat(),
        },
    )
    return int(session["id"])


def test_a_postgresql_restart_mid_stream_loses_and_duplicates_nothing(cluster, tmp_path, event):
    if not port_open("127.0.0.1", int(NATS_URL.rsplit(":", 1)[1])):
        service_missing(f"no NATS answers at {NATS_URL}")
    migrations.upgrade(cluster.url)
    settings = factories.settings(tmp_path / "data", cluster.url)
    app = create_app(settings, clock=FixedClock(datetime.combine(factories.TODAY, time(10), CHINA)))
    name = uuid.uuid4().hex[:10]
    bus = Bus(stream=f"TEST_{name}", prefix=f"test.{name}", durable="monitor", ack_wait=3, batch=20)
    with TestClient(app) as client:
        session_id = _room(client, _admin(app), app.state.clock.now())
    worker = _worker(app, bus)
    try:
        run(_publish(bus, session_id, [[speech(event, f"重启前 {i}")] for i in range(5)]))
        assert _wait(lambda: _counts(app, session_id)[0] == 5, 60)
        with transaction(app.state.session_factory) as db_session:
            before = ledger.current_root(db_session=db_session)

        cluster.stop()
        run(_publish(bus, session_id, [[speech(event, f"停机时 {i}")] for i in range(5)]))
        assert not _wait(lambda: worker.poll() is not None, 3), "the worker died with the database"
        cluster.start()
        run(_publish(bus, session_id, [[speech(event, f"重启后 {i}")] for i in range(5)]))
        assert _wait(lambda: _counts(app, session_id)[0] == 15, 90), _counts(app, session_id)

        with transaction(app.state.session_factory) as db_session:
            after = ledger.current_root(db_session=db_session)
            proof = ledger.consistency_proof(
                db_session=db_session, first=before[0], second=after[0]
            )
        assert after[0] > before[0]
        merkle.verify_consistency(before[0], after[0], before[1], after[1], proof)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
        app.state.engine.dispose()
        run(_delete(bus))
    assert "15 events stored, 0 duplicates" in output, output
