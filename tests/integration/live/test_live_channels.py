"""The other ways in and out: the WebSocket per session, the Server-Sent-Event streams."""

from __future__ import annotations

import json

import pytest
from starlette.websockets import WebSocketDisconnect

from liveguard.labels import label
from liveguard.vocab import StaffRole
from tests.integration.live.conftest import speech


def test_events_over_the_websocket_are_acknowledged_once_stored(
    client, auth, room, event, token_for
):
    token = token_for("compliance")
    url = f"/api/sessions/{room.session_id}/events/ws"
    spoken = speech(event, "加我微信 abc12345 私聊下单")
    with client.websocket_connect(url, headers={"Authorization": f"Bearer {token}"}) as socket:
        socket.send_text(json.dumps(spoken))
        ack = socket.receive_json()
        assert ack["type"] == "ack" and ack["refused"] == []
        assert ack["accepted"][0]["findings"] >= 1
        # stored before the ack: it is on the timeline already
        timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth())
        assert timeline.json()["events"][0]["event_id"] == spoken["event_id"]
        socket.send_text(json.dumps([spoken, {"kind": "chat"}]))
        again = socket.receive_json()
        assert again["accepted"][0]["duplicate"] is True
        assert again["refused"][0]["reason"] == "missing_event_id"
        socket.send_text("{not json")
        assert socket.receive_json()["refused"][0]["reason"] == "not_an_object"


def test_the_websocket_turns_away_a_caller_without_a_staff_token(client, room):
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(
            f"/api/sessions/{room.session_id}/events/ws", headers={"Authorization": "Bearer nope"}
        ) as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 4401


@pytest.mark.parametrize("role", ["regulator", "case_handler"])
def test_the_websocket_admits_only_the_roles_the_http_batch_route_admits(
    client, auth, room, event, token_for, role
):
    url = f"/api/sessions/{room.session_id}/events/ws"
    headers = {"Authorization": f"Bearer {token_for(role)}"}
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(url, headers=headers) as socket,
    ):
        socket.send_text(json.dumps(speech(event, "加我微信 abc12345 私聊下单")))
        socket.receive_json()
    assert closed.value.code == 1008  # policy violation: signed in, but not allowed to write
    assert label(StaffRole(role)) in closed.value.reason  # the role in Chinese
    assert len(closed.value.reason.encode()) <= 123  # what a close frame can carry
    over_http = client.post(room.events_url(), json=[], headers=auth(role))
    assert over_http.status_code == 403
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth())
    assert timeline.json()["events"] == []


def test_a_browser_sends_its_token_as_a_subprotocol_which_is_not_echoed(client, room, token_for):
    offered = ["liveguard", f"bearer.{token_for('compliance')}"]
    url = f"/api/sessions/{room.session_id}/events/ws"
    with client.websocket_connect(url, subprotocols=offered) as socket:
        assert socket.accepted_subprotocol == "liveguard"
        socket.send_text("{not json")
        assert socket.receive_json()["type"] == "ack"


def test_a_token_in_the_websocket_url_is_not_read(client, room, token_for):
    url = f"/api/sessions/{room.session_id}/events/ws?token={token_for('compliance')}"
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as ws:
        ws.send_text("{not json")
        ws.receive_json()  # a socket that took the token would answer here, and not raise
    assert closed.value.code == 4401


def _first_sse_event(client, url: str, headers=None) -> tuple[str, dict]:
    with client.stream("GET", url, headers=headers or {}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: ") and name:
                return name, json.loads(line[6:])
    raise AssertionError("the stream ended without an event")


def test_a_viewer_warning_reaches_the_public_stream_without_sign_in(client, auth, room, event):
    client.post(room.events_url(), json=[speech(event, "加V 私下转账更便宜")], headers=auth())
    name, warning = _first_sse_event(client, f"/api/public/live/{room.session_id}/warnings/stream")
    assert name == "warning" and "Do not pay outside the platform" in warning["text"]


def test_the_staff_stream_carries_the_timeline(client, auth, room, event):
    client.post(room.events_url(), json=[speech(event, "加我微信 abc12345")], headers=auth())
    name, body = _first_sse_event(client, f"/api/sessions/{room.session_id}/stream", headers=auth())
    assert name == "timeline"
    assert body["events"][0]["findings"] and body["actions"]


@pytest.mark.parametrize("last_event_id", ["abc", "-1", str(2**70)])
@pytest.mark.parametrize(
    "stream", ["/api/public/live/{}/warnings/stream", "/api/sessions/{}/stream"]
)
def test_a_last_event_id_that_is_not_a_sequence_number_is_a_400_before_the_stream(
    client, auth, room, stream, last_event_id
):
    url = stream.format(room.session_id)
    response = client.get(url, headers={**auth(), "Last-Event-ID": last_event_id})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "last-event-id"


def test_one_out_of_range_number_refuses_its_event_not_the_batch(client, auth, room, event):
    huge = 2**63
    batch = [
        speech(event, "大家好，今天上新"),
        event("listing_shown", data={"listing_id": huge}),
        event("counters", data={"viewers": huge}),
        event("order", data={"order_id": "o-1", "amount_fen": huge}),
        event("listing_changed", data={"listing_id": 1, "changes": {"price_fen": huge}}),
        event("utterance", speaker_role="anchor", text="hi", data={"start_ms": huge, "end_ms": 1}),
        speech(event, "下单链接在购物车一号"),
    ]
    response = client.post(room.events_url(), json=batch, headers=auth())
    assert response.status_code == 200, response.text
    body = response.json()
    assert [a["index"] for a in body["accepted"]] == [0, 6]
    refused = {r["index"]: r for r in body["refused"]}
    assert sorted(refused) == [1, 2, 3, 4, 5]
    assert "less than or equal to 2147483647" in refused[1]["detail"]
    assert "less than or equal to 1000000000" in refused[3]["detail"]
