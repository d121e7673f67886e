"""The live event WebSocket in a default install: the real ``liveguard serve`` (uvicorn as
installed with LiveGuard) on a free port and a throwaway data directory, events sent over
a real WebSocket client, acknowledged, stored and in the ledger.

Without a WebSocket library in the install, uvicorn answers the upgrade with "Unsupported
upgrade request" and no client can connect: this is the test that catches it.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from liveguard.auth import service as auth_service
from liveguard.db import make_engine, make_session_factory, transaction
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import StaffCreate
from liveguard.vocab import PrincipalKind, StaffRole
from tests import factories
from tests.e2e.conftest import STARTUP_SECONDS, _healthy, _liveguard_command, _stop, free_port


@dataclass
class Server:
    base_url: str
    token: str

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data, headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")


def _admin_token(database_url: str) -> str:
    """An admin and her API token, written to the served database (as `liveguard user add
    --token` does, without the second process start)."""
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as db_session:
            staff = parties_service.create_staff(
                db_session=db_session,
                staff_in=StaffCreate(username="ops", display_name="ops", role=StaffRole.admin),
            )
            return auth_service.issue(
                db_session=db_session,
                principal_kind=PrincipalKind.staff,
                principal_id=staff.id,
                label="test",
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``liveguard serve`` on a new data directory (it migrates it), and an admin's token."""
    root = tmp_path_factory.mktemp("serve")
    data_dir = root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEGUARD_")}
    env |= {"XDG_DATA_HOME": str(root / "xdg"), "PYTHONUNBUFFERED": "1"}
    env["LIVEGUARD_REVERIFY_INTERVAL_MINUTES"] = "0"
    liveguard = _liveguard_command()
    port = free_port()
    log_path = root / "server.log"
    command = [*liveguard, "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(f"{base_url}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"liveguard serve did not start:\n{log_path.read_text('utf-8')}")
            time.sleep(0.2)
        yield Server(base_url, _admin_token(f"sqlite:///{data_dir / 'liveguard.db'}"))
    finally:
        _stop(process)


def _new_session(server: Server) -> int:
    platform = server.call("POST", "/api/platforms", factories.platform())
    merchant = server.call("POST", "/api/merchants", factories.merchant(platform["id"]))
    anchor = server.call("POST", "/api/anchors", factories.anchor(platform["id"]))
    session = server.call(
        "POST",
        "/api/sessions",
        {
            "platform_id": platform["id"],
            "room_code": "ws-room",
            "title": "WebSocket room",
            "anchor_id": anchor["id"],
            "merchant_id": merchant["id"],
            "started_at": datetime.now(UTC).isoformat(),
        },
    )
    return int(session["id"])


def _event(n: int, kind: str, text: str) -> dict[str, Any]:
    at = datetime.now(UTC) + timedelta(milliseconds=n)
    return {
        "event_id": f"ws-{n}",
        "kind": kind,
        "occurred_at": at.isoformat(),
        "speaker_role": "anchor",
        "text": text,
        "data": {"start_ms": n * 1000, "end_ms": n * 1000 + 900} if kind == "utterance" else {},
    }


def test_events_sent_over_the_websocket_of_liveguard_serve_are_acknowledged_and_stored(
    server: Server,
) -> None:
    session_id = _new_session(server)
    url = server.base_url.replace("http://", "ws://") + f"/api/sessions/{session_id}/events/ws"
    headers = {"Authorization": f"Bearer {server.token}"}
    with connect(url, additional_headers=headers, open_timeout=10) as socket:
        socket.send(json.dumps(_event(1, "utterance", "羽绒服今天直播间价格")))
        first = json.loads(socket.recv(timeout=30))
        socket.send(json.dumps([_event(2, "chat", "多少钱"), _event(3, "chat", "有货吗")]))
        second = json.loads(socket.recv(timeout=30))
    assert first["type"] == second["type"] == "ack"
    assert (len(first["accepted"]), first["refused"]) == (1, [])
    assert (len(second["accepted"]), second["refused"]) == (2, [])
    stored = server.call("GET", f"/api/sessions/{session_id}/events")
    assert [e["event_id"] for e in stored] == ["ws-1", "ws-2", "ws-3"]
    assert all(e["ledger_seq"] is not None for e in stored)


def test_a_websocket_without_a_token_is_closed_before_any_event_is_taken(server: Server) -> None:
    session_id = _new_session(server)
    url = server.base_url.replace("http://", "ws://") + f"/api/sessions/{session_id}/events/ws"
    with pytest.raises(WebSocketException), connect(url, open_timeout=10) as s:
        s.send(json.dumps(_event(9, "chat", "你好")))
        s.recv(timeout=10)
    assert server.call("GET", f"/api/sessions/{session_id}/events") == []
