"""One event schema for every channel: what is accepted, what is refused and why."""

from __future__ import annotations

import asyncio
import base64
import threading

import pytest

from liveguard.live import ingest, notify
from liveguard.live.schemas import FrameIn, UtteranceIn
from liveguard.live.worker import read_envelope
from tests.aio import run

AT = "2026-02-16T20:02:30+08:00"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_an_utterance_needs_its_speaker_and_times():
    event, problem = ingest.parse(
        {
            "event_id": "u1",
            "kind": "utterance",
            "occurred_at": AT,
            "speaker_role": "anchor",
            "text": "加V",
            "data": {"start_ms": 1000, "end_ms": 2000},
        }
    )
    assert problem is None and isinstance(event, UtteranceIn)
    _, problem = ingest.parse(
        {"event_id": "u2", "kind": "utterance", "occurred_at": AT, "text": "加V", "data": {}}
    )
    assert problem[0] == "malformed" and "speaker_role" in problem[1]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("text", "not_an_object"),
        ({"event_id": "x", "kind": "teleport", "occurred_at": AT}, "unknown_kind"),
        ({"kind": "chat", "occurred_at": AT, "text": "hi"}, "missing_event_id"),
        (
            {"event_id": "x", "kind": "chat", "occurred_at": "2026-02-16T20:02:30", "text": "hi"},
            "malformed",
        ),
        (
            {"event_id": "x", "kind": "chat", "occurred_at": AT, "text": "hi", "extra": 1},
            "malformed",
        ),
        ({"event_id": "x", "kind": "counters", "occurred_at": AT, "data": {}}, "malformed"),
        (
            {
                "event_id": "x",
                "kind": "listing_changed",
                "occurred_at": AT,
                "data": {"listing_id": 1, "changes": {}},
            },
            "malformed",
        ),
    ],
)
def test_it_refuses_with_a_reason_code(raw, reason):
    event, problem = ingest.parse(raw)
    assert event is None and problem[0] == reason and problem[1]


def test_a_frame_must_be_the_image_it_says_it_is():
    good = {"image_base64": base64.b64encode(PNG).decode(), "mime": "image/png"}
    event, problem = ingest.parse(
        {"event_id": "f", "kind": "frame", "occurred_at": AT, "data": good}
    )
    assert problem is None and isinstance(event, FrameIn) and event.data.image() == PNG
    wrong = {**good, "mime": "image/jpeg"}
    _, problem = ingest.parse({"event_id": "f", "kind": "frame", "occurred_at": AT, "data": wrong})
    assert problem[0] == "malformed" and "not a image/jpeg image" in problem[1]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"{", "not JSON"),
        (b"[]", "a message is a JSON object"),
        (b'{"session_id": "7", "events": [{}]}', "session_id"),
        (b'{"session_id": 7, "events": []}', "events"),
    ],
)
def test_a_nats_message_that_cannot_be_read_says_why(data, problem):
    assert problem in read_envelope(data)


def test_a_nats_message_gives_its_session_and_events():
    assert read_envelope(b'{"session_id": 7, "events": [{"kind": "chat"}]}') == (
        7,
        [{"kind": "chat"}],
    )


def test_the_broadcaster_wakes_a_waiter_from_another_thread():
    broadcaster = notify.Broadcaster()

    async def wait() -> tuple[bool, bool]:
        loop = asyncio.get_running_loop()
        loop.call_later(
            0.05, lambda: threading.Thread(target=broadcaster.notify, args=(7,)).start()
        )
        woken = await broadcaster.wait(7, timeout=2)
        quiet = await broadcaster.wait(8, timeout=0.05)  # another room: only the timeout
        return woken, quiet

    assert run(wait()) == (True, False)
