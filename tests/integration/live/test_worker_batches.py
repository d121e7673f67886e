"""A worker's handling of one fetched batch, without a NATS server: messages are
acknowledged after the commit, unreadable ones are refused and counted, and a batch that
storage refuses is retried event by event instead of redelivered for ever."""

from __future__ import annotations

import json

from liveguard.errors import InvalidInput
from liveguard.live import ingest
from liveguard.live.worker import Worker
from tests.aio import run
from tests.integration.live.conftest import speech


class Message:
    def __init__(self, body: object) -> None:
        self.data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.acked = self.naked = False

    async def ack(self) -> None:
        self.acked = True

    async def nak(self, delay: float = 0) -> None:
        self.naked = True


class Client:
    def __init__(self) -> None:
        self.published: list[tuple[str, bytes]] = []

    async def publish(self, subject: str, data: bytes) -> None:
        self.published.append((subject, data))


def handle(app, messages):
    worker = Worker(session_factory=app.state.session_factory, blobs=app.state.blobs)
    client = Client()
    run(worker.handle(client, messages))
    return worker.stats, client


def test_a_batch_is_stored_then_acknowledged_and_unreadable_messages_are_counted(
    app, client, auth, room, event
):
    good = Message({"session_id": room.session_id, "events": [speech(event, "加我微信 abc12345")]})
    junk = Message(b"{not json")
    nowhere = Message({"session_id": 999_999, "events": [speech(event, "大家好")]})
    stats, bus = handle(app, [good, junk, nowhere])
    assert good.acked and junk.acked and nowhere.acked and not good.naked
    assert stats.accepted == 1 and stats.refused == 2
    assert bus.published == [("liveguard.live.notify", str(room.session_id).encode())]
    counts = client.get("/api/live/refusals", headers=auth()).json()
    assert {c["reason"]: c["count"] for c in counts} == {
        "unknown_session": 1,
        "unreadable_message": 1,
    }


def test_a_batch_storage_refuses_is_stored_event_by_event(
    app, client, auth, room, event, monkeypatch
):
    store = ingest.ingest_batch
    bad = speech(event, "this one storage refuses")

    def refuse_the_bad_one(**kwargs):
        if any(e["event_id"] == bad["event_id"] for g in kwargs["groups"].values() for e in g):
            raise InvalidInput("records.0", "a value the ledger cannot encode")
        return store(**kwargs)

    monkeypatch.setattr(ingest, "ingest_batch", refuse_the_bad_one)
    lines = [speech(event, "大家好"), bad, speech(event, "加我微信 abc12345")]
    message = Message({"session_id": room.session_id, "events": lines})
    stats, _ = handle(app, [message])
    assert message.acked and not message.naked
    assert stats.accepted == 2 and stats.refused == 1
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    stored = [e["event_id"] for e in timeline["events"]]
    assert stored == [lines[0]["event_id"], lines[2]["event_id"]]
    counts = client.get(f"/api/sessions/{room.session_id}/refusals", headers=auth()).json()
    assert counts == [{"reason": "unstorable", "count": 1}]
