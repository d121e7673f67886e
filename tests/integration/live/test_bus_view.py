"""Staff see the bus: each partition's backlog, unacknowledged and redelivered messages,
the worker that holds it and an alert over the lag limit, read from the real NATS
JetStream (``GET /api/live/bus``, ``/console/live/bus``); without NATS the page says so."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
import uuid

import pytest

from liveguard.live import bus_view
from liveguard.live import service as live_service
from liveguard.live import worker as worker_module
from liveguard.live.worker import Bus, Worker, publish
from tests.aio import run
from tests.conftest import port_open, service_missing
from tests.integration.live.conftest import speech
from tests.integration.live.test_nats_worker import NATS_URL, _delete


def _sign_in(client, token_for, role: str) -> None:
    username = f"{role}-{uuid.uuid4().hex[:6]}"
    token_for(role, username=username)
    signed = client.post(
        "/console/login", data={"username": username, "password": "correct horse battery"}
    )
    assert signed.status_code in (200, 303), signed.text


@pytest.fixture
def nats_bus():
    if not port_open("127.0.0.1", int(NATS_URL.rsplit(":", 1)[1])):
        service_missing(f"no NATS answers at {NATS_URL}")
    pytest.importorskip("nats")
    name = uuid.uuid4().hex[:10]
    bus = Bus(stream=f"TEST_{name}", prefix=f"test.{name}", ack_wait=5, partitions=4, batch=50)
    yield bus
    run(_delete(bus))


async def _publish(bus: Bus, messages: list[tuple[int, list[dict]]]) -> None:
    import nats

    client = await nats.connect(NATS_URL)
    js = client.jetstream()
    await bus.ensure(js)
    for session_id, events in messages:
        await publish(js, platform="xinghe", session_id=session_id, events=events, bus=bus)
    await client.close()


def _partitions(client, auth) -> tuple[dict, dict[int, dict]]:
    body = client.get("/api/live/bus", headers=auth("regulator")).json()
    return body, {p["partition"]: p for p in body["partitions"]}


def test_without_nats_the_bus_page_says_so_in_chinese(app, client, auth, token_for):
    assert app.state.settings.nats_url is None
    found = client.get("/api/live/bus", headers=auth("case_handler"))
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["nats_configured"] is False
    assert body["in_process_queue"] == 0
    assert body["partitions"] == [] and body["alerts"] == []
    _sign_in(client, token_for, "regulator")
    page = client.get("/console/live/bus")
    assert page.status_code == 200
    assert "未配置 NATS" in page.text and "没有消息队列" in page.text
    rooms = client.get("/console/live")
    assert 'href="/console/live/bus"' in rooms.text  # the tab beside the room list


def test_the_bus_shows_each_partitions_backlog_its_worker_and_an_alert_over_the_limit(
    app, client, auth, token_for, room, event, nats_bus, clock, monkeypatch
):
    _sign_in(client, token_for, "case_handler")
    monkeypatch.setattr(app.state.settings, "nats_url", NATS_URL)
    monkeypatch.setattr(worker_module, "BUS", nats_bus)  # the view reads the default bus
    monkeypatch.setattr(
        bus_view,
        "bus_settings",
        lambda: bus_view.BusSettings(lag_alert_messages=2, idle_alert_seconds=60),
    )
    busy = nats_bus.partition(room.session_id)
    quiet = (busy + 1) % nats_bus.partitions
    stranger = room.session_id + 1  # no such session: refused when stored, still a message
    lines = [[speech(event, f"今天的第{n}款")] for n in range(3)]
    run(_publish(nats_bus, [(room.session_id, m) for m in lines] + [(stranger, lines[0])]))

    body, parts = _partitions(client, auth)
    assert body["nats_configured"] and body["reachable"] and body["error"] is None
    assert body["stream"] == nats_bus.stream and body["messages"] == 4
    assert sorted(parts) == [0, 1, 2, 3]
    assert (parts[busy]["backlog"], parts[busy]["unacked"], parts[busy]["lag"]) == (3, 0, 3)
    assert parts[busy]["holder"] is None and parts[busy]["working"] is False
    assert "超过告警阈值 2" in parts[busy]["alert"]  # 3 > 2
    assert parts[quiet]["lag"] == 1 and "没有 worker 处理" in parts[quiet]["alert"]  # 1 <= 2
    assert all(parts[k]["alert"] is None for k in parts if k not in (busy, quiet))
    assert len(body["alerts"]) == 2

    page = client.get("/console/live/bus")
    assert page.status_code == 200
    assert page.text.count('data-testid="partition-alert"') == 2
    assert "超过告警阈值 2 条" in page.text

    # a worker takes the partitions: the backlog goes, the worker holds them, no alert
    worker = Worker(
        session_factory=app.state.session_factory,
        blobs=app.state.blobs,
        clock=clock,
        bus=nats_bus,
        name="monitor-bus-view@test",
    )
    stop = threading.Event()

    async def work() -> None:
        halt = asyncio.Event()

        async def watch() -> None:
            while not stop.is_set():
                await asyncio.sleep(0.05)
            halt.set()

        watcher = asyncio.create_task(watch())
        await worker.run(NATS_URL, halt)
        await watcher

    thread = threading.Thread(target=run, args=(work(),))
    thread.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            body, parts = _partitions(client, auth)
            if parts[busy]["holder"] and parts[quiet]["holder"] and not parts[busy]["lag"]:
                break
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(30)
    assert parts[busy]["holder"] == "monitor-bus-view@test" and parts[busy]["working"]
    assert parts[quiet]["holder"] == "monitor-bus-view@test"
    assert all(p["lag"] == 0 and p["alert"] is None for p in parts.values())
    assert body["alerts"] == []
    page = client.get("/console/live/bus")
    assert "monitor-bus-view@test" in page.text and "bus-alert" not in page.text


def test_a_nats_that_does_not_answer_is_an_alert_not_an_error_page(
    app, client, auth, token_for, monkeypatch
):
    _sign_in(client, token_for, "admin")
    monkeypatch.setattr(app.state.settings, "nats_url", "nats://127.0.0.1:9")  # discard port
    # the same answer as after the production timeout, sooner
    quick = functools.partial(live_service.bus_status, timeout=0.2)
    monkeypatch.setattr(live_service, "bus_status", quick)
    body = client.get("/api/live/bus", headers=auth("regulator")).json()
    assert body["nats_configured"] is True and body["reachable"] is False
    assert body["alerts"][0].startswith("NATS 无法连接")
    page = client.get("/console/live/bus")
    assert page.status_code == 200 and "NATS 无法连接" in page.text
