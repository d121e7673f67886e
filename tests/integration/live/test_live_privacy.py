"""Personal data said or typed in a live room: masked in the stored event and in every
finding's quote, the words as sent sealed in the event's ledger leaf; a seller's own
number in an invitation stays as said (it is diversion evidence, not someone's data)."""

from __future__ import annotations

import json

from tests.integration.live.conftest import speech

PHONE = "13912345678"


def test_a_viewers_phone_number_is_sealed_and_quoted_masked(client, auth, room, event):
    chat = event(
        "chat",
        text=f"我中奖了，我电话{PHONE}，快联系我",
        speaker_role="viewer",
        data={"user": "u1"},
    )
    answer = client.post(room.events_url(), json=[chat], headers=auth())
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"][0]["findings"] >= 1
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    [stored] = timeline["events"]
    assert stored["text"] == "我中奖了，我电话139****5678，快联系我"
    assert stored["findings"]
    for finding in stored["findings"]:
        assert PHONE not in json.dumps(finding, ensure_ascii=False)
    assert any("139****5678" in f["quote"] for f in stored["findings"])
    seqs = [stored["ledger_seq"]] + [f["ledger_seq"] for f in stored["findings"]]
    items = [client.get(f"/api/evidence/items/{s}", headers=auth()).json() for s in seqs]
    for item in items:  # the leaf as hashed: no phone number in clear
        assert PHONE not in json.dumps(item["record"], ensure_ascii=False)
    assert "ciphertext" in items[0]["record"]["personal"]  # sealed under the viewer's key
    assert PHONE in items[0]["personal"]["text"]  # opened for staff who may read it
    page = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).text
    assert PHONE not in page


def test_a_sellers_own_number_in_an_invitation_stays_as_said(client, auth, room, event):
    said = f"想要的加V {PHONE} 私聊"
    answer = client.post(room.events_url(), json=[speech(event, said)], headers=auth())
    assert answer.status_code == 200, answer.text
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    [stored] = timeline["events"]
    assert stored["text"] == said
    assert {f["category"] for f in stored["findings"]} >= {"diversion"}
