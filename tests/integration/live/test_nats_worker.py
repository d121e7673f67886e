"""The NATS path: events published on the stream, monitor workers as real processes; a
worker killed mid-stream loses no event and duplicates no finding."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from liveguard.live import service as live_service
from liveguard.live.models import LiveEvent, LiveFinding
from liveguard.live.worker import Bus, publish
from tests.aio import run
from tests.conftest import port_open, service_missing
from tests.integration.live.conftest import another_session, speech

NATS_URL = os.environ.get("LIVEGUARD_TEST_NATS_URL", "nats://127.0.0.1:4222")
EVENTS = 1500
PER_MESSAGE = 5


@pytest.fixture
def bus():
    if not port_open("127.0.0.1", int(NATS_URL.rsplit(":", 1)[1])):
        service_missing(f"no NATS answers at {NATS_URL}")
    pytest.importorskip("nats")
    name = uuid.uuid4().hex[:10]
    bus = Bus(stream=f"TEST_{name}", prefix=f"test.{name}", durable="monitor", ack_wait=2, batch=50)
    yield bus
    run(_delete(bus))


async def _delete(bus: Bus) -> None:
    import nats
    from nats.js.errors import NotFoundError

    client = await nats.connect(NATS_URL)
    try:
        await client.jetstream().delete_stream(bus.stream)
        with contextlib.suppress(NotFoundError):  # the workers' holders bucket (live/bus.py)
            await client.jetstream().delete_key_value(f"{bus.stream}_HOLDERS")
    finally:
        await client.close()


async def _publish(
    bus: Bus, session_id: int, batches: list[list[dict]], url: str = NATS_URL
) -> None:
    await _publish_rooms(bus, [(session_id, events) for events in batches], url)


async def _publish_rooms(
    bus: Bus, messages: list[tuple[int, list[dict]]], url: str = NATS_URL
) -> None:
    import nats

    client = await nats.connect(url)
    js = client.jetstream()
    await bus.ensure(js)
    for session_id, events in messages:
        await publish(js, platform="xinghe", session_id=session_id, events=events, bus=bus)
    await client.close()


def _worker(app, bus: Bus, url: str = NATS_URL) -> subprocess.Popen:
    settings = app.state.settings
    env = {
        **os.environ,
        "LIVEGUARD_DATABASE_URL": settings.database_url,
        "LIVEGUARD_DATA_DIR": str(settings.data_dir),
    }
    command = [sys.executable, "-m", "liveguard.cli.main", "monitor", "--nats-url", url]
    command += ["--stream", bus.stream, "--prefix", bus.prefix, "--durable", bus.durable]
    command += ["--ack-wait", str(bus.ack_wait), "--batch", str(bus.batch)]
    command += ["--partitions", str(bus.partitions)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _counts(app, session_id: int) -> tuple[int, int, int]:
    with app.state.session_factory() as db_session:
        events = db_session.scalar(select(func.count()).where(LiveEvent.session_id == session_id))
        findings = db_session.scalar(
            select(func.count()).where(LiveFinding.session_id == session_id)
        )
        with_findings = db_session.scalar(
            select(func.count(func.distinct(LiveFinding.event_pk))).where(
                LiveFinding.session_id == session_id
            )
        )
    return int(events or 0), int(findings or 0), int(with_findings or 0)


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_mid_stream_loses_no_event_and_duplicates_no_finding(
    app, client, auth, room, event, bus
):
    # one finding per line, so the expected total is known without running the detector
    lines = [speech(event, f"加我微信 abc{n:05d} 私聊下单") for n in range(EVENTS)]
    expected = client.post(room.events_url(), json=[lines[0]], headers=auth()).json()
    per_line = expected["accepted"][0]["findings"]
    assert per_line >= 1
    batches = [lines[i : i + PER_MESSAGE] for i in range(0, EVENTS, PER_MESSAGE)]
    run(_publish(bus, room.session_id, batches))

    first = _worker(app, bus)
    try:
        assert _wait(lambda: _counts(app, room.session_id)[0] > EVENTS // 4, 120)
        first.send_signal(signal.SIGKILL)  # no goodbye: whatever it had not acknowledged
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    stored_at_kill = _counts(app, room.session_id)[0]
    assert stored_at_kill < EVENTS, "the worker finished before it could be killed"

    second = _worker(app, bus)
    try:
        assert _wait(lambda: _counts(app, room.session_id)[0] == EVENTS, 180), _counts(
            app, room.session_id
        )
        time.sleep(bus.ack_wait + 1)  # any redelivery of what the first had stored lands now
    finally:
        second.send_signal(signal.SIGTERM)
        output = second.communicate(timeout=20)[0].decode()
    events, findings, with_findings = _counts(app, room.session_id)
    assert events == EVENTS  # none lost, none stored twice
    assert with_findings == EVENTS and findings == EVENTS * per_line, output
    assert "stopped:" in output


def test_two_workers_on_the_partitions_store_each_message_once_in_each_rooms_order(
    app, client, auth, room, event, bus
):
    bus = replace(bus, ack_wait=60)  # a worker's first batch loads the rules: no redelivery
    rooms = [room.session_id] + [another_session(client, auth, room) for _ in range(3)]
    assert len({bus.partition(r) for r in rooms}) == len(rooms), "rooms share a partition"
    per_room = 400
    lines = {r: [speech(event, f"第{n}句 大家好") for n in range(per_room)] for r in rooms}
    messages = [
        (r, lines[r][i : i + PER_MESSAGE]) for i in range(0, per_room, PER_MESSAGE) for r in rooms
    ]
    run(_publish_rooms(bus, messages))
    workers = [_worker(app, bus), _worker(app, bus)]
    try:
        assert _wait(lambda: all(_counts(app, r)[0] == per_room for r in rooms), 180)
    finally:
        outputs = []
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            outputs.append(worker.communicate(timeout=20)[0].decode())
    stored = [int(o.split("stopped: ")[1].split(" messages")[0]) for o in outputs]
    # each message taken once between them (how they shared depends on which warmed first)
    assert sum(stored) == len(messages), outputs
    with app.state.session_factory() as db_session:
        for r in rooms:
            ids = db_session.scalars(
                select(LiveEvent.event_id).where(LiveEvent.session_id == r).order_by(LiveEvent.seq)
            ).all()
            assert ids == [line["event_id"] for line in lines[r]]  # stored as published


def test_a_message_without_a_partition_is_refused_by_the_stream(bus):
    async def publish_unpartitioned() -> None:
        import nats
        from nats.js.errors import NoStreamResponseError

        client = await nats.connect(NATS_URL)
        try:
            js = client.jetstream()
            await bus.ensure(js)
            with pytest.raises(NoStreamResponseError):  # the publisher is told, not ignored
                await js.publish(f"{bus.prefix}.xinghe", b'{"session_id": 1, "events": []}')
        finally:
            await client.close()

    run(publish_unpartitioned())


def test_the_bus_status_shows_each_partitions_backlog_and_the_worker_that_stored_it(
    app, client, auth, room, event, bus
):
    run(_publish(bus, room.session_id, [[speech(event, f"第{n}句 羽绒服")] for n in range(6)]))
    before = run(live_service.bus_status(nats_url=NATS_URL, bus=bus))
    mine = bus.partition(room.session_id)
    assert before.reachable and [p.partition for p in before.partitions] == list(range(8))
    assert before.partitions[mine].backlog == 6 and before.partitions[mine].holder is None
    assert before.partitions[mine].consumer == f"monitor-{mine}"
    assert before.partitions[mine].subject == f"{bus.prefix}.*.{mine}"

    worker = _worker(app, bus)
    try:
        assert _wait(lambda: _counts(app, room.session_id)[0] == 6, 120)
        after = run(live_service.bus_status(nats_url=NATS_URL, bus=bus))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=20)
    held = after.partitions[mine]
    assert held.backlog == 0 and held.unacked == 0 and after.lag == 0
    assert held.holder == f"monitor-{worker.pid}" and held.held_at is not None
    assert after.messages == 6
    assert all(p.holder is None for p in after.partitions if p.partition != mine)


def test_the_bus_status_says_nats_is_away_instead_of_failing():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    status = run(live_service.bus_status(nats_url=f"nats://127.0.0.1:{port}", timeout=0.5))
    assert not status.reachable and status.error and status.partitions == []
