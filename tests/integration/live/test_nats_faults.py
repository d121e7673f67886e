"""NATS away: the HTTP ingest path keeps working without it, and a monitor worker waits
for the server, reconnects after it went away, and resumes from its durable consumers:
every event published before and after the outage is stored exactly once.

The test runs a NATS server of its own (the Debian package's ``nats-server``) on a free
port with its own JetStream store, so stopping it disturbs no other test.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from liveguard.live.worker import Bus
from tests.aio import run
from tests.conftest import port_open, service_missing
from tests.integration.live.conftest import speech
from tests.integration.live.test_nats_worker import _counts, _publish, _wait, _worker

pytestmark = pytest.mark.faults


class NatsServer:
    def __init__(self, store: Path) -> None:
        binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
        if not Path(binary).exists():
            service_missing("nats-server is not installed (apt-get install nats-server)")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.command = [binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(store)]
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert _wait(lambda: port_open("127.0.0.1", self.port), 10), "nats-server did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        assert _wait(lambda: not port_open("127.0.0.1", self.port), 10)


@pytest.fixture
def nats_server(tmp_path: Path):
    server = NatsServer(tmp_path / "jetstream")
    yield server
    server.stop()


def _batches(event, tag: str, n: int) -> list[list[dict]]:
    return [[speech(event, f"{tag} 第{i}句 今天的羽绒服")] for i in range(n)]


async def _all_acked(bus: Bus, url: str) -> bool:
    """No message of the stream is waiting for a consumer's acknowledgement."""
    import nats

    client = await nats.connect(url)
    try:
        infos = await client.jetstream().consumers_info(bus.stream)
        return all(info.num_ack_pending == 0 for info in infos)
    finally:
        await client.close()


def test_a_worker_waits_for_nats_reconnects_and_resumes_while_http_ingest_goes_on(
    app, client, auth, room, event, nats_server
):
    bus = Bus(stream="FAULTS", prefix="faults.events", durable="monitor", ack_wait=5, batch=20)
    url = nats_server.url
    worker = _worker(app, bus, url)  # before the server is up: it waits for it
    try:
        assert not _wait(lambda: worker.poll() is not None, 2), "the worker gave up at once"
        nats_server.start()
        run(_publish(bus, room.session_id, _batches(event, "before", 5), url))
        assert _wait(lambda: _counts(app, room.session_id)[0] == 5, 60)
        # stored is not yet acknowledged: stopping NATS between the two would have the 5
        # redelivered (and rightly counted as duplicates), so wait for the acks to arrive
        assert _wait(lambda: run(_all_acked(bus, url)), 20), "the acks never reached NATS"

        nats_server.stop()
        during = [speech(event, "停机时 HTTP 照常")]
        answer = client.post(room.events_url(), json=during, headers=auth())
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["accepted"]) == 1
        assert not _wait(lambda: worker.poll() is not None, 2), "the worker gave up on NATS"

        nats_server.start()  # the same store: the stream and its durable consumers are back
        run(_publish(bus, room.session_id, _batches(event, "after", 5), url))
        assert _wait(lambda: _counts(app, room.session_id)[0] == 11, 60)
        assert worker.poll() is None
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "10 events stored, 0 duplicates" in output, output
