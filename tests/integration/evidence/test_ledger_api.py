"""The ledger over HTTP, checked the way an outsider would: public key and JSON only."""

from __future__ import annotations

from liveguard.evidence import merkle
from liveguard.evidence.signing import CheckpointBody, verify_signature


def record(n: int) -> dict:
    return {
        "kind": "chat_message",
        "occurred_at": "2026-02-16T20:02:52+08:00",
        "where": {"platform": "xinghe", "room": "XH-880231"},
        "who": {"viewer": f"pseudonym-{n}"},
        "data": {"text": f"vx 一三八 1234 五六七八 私我 #{n}"},
    }


def append(client, auth, count: int) -> list[dict]:
    response = client.post(
        "/api/evidence/items",
        json={"records": [record(i) for i in range(count)]},
        headers=auth(),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_items_are_appended_proved_and_checked_against_the_signed_checkpoint(client, auth):
    assert [a["seq"] for a in append(client, auth, 7)] == list(range(7))
    assert client.get("/api/evidence/checkpoints/latest").status_code == 404

    issued = client.post("/api/evidence/checkpoints", headers=auth()).json()
    assert issued["tree_size"] == 7
    checkpoint = client.get("/api/evidence/checkpoints/latest").json()  # no sign-in needed
    key = client.get("/api/evidence/public-key").json()
    assert key["key_id"] == checkpoint["key_id"]
    body = CheckpointBody.parse(checkpoint["note"].encode())
    assert body.tree_size == 7 and body.root_hash.hex() == checkpoint["root_hash"]
    assert verify_signature(
        bytes.fromhex(key["public_key"]), body, bytes.fromhex(checkpoint["signature"])
    )
    forged = CheckpointBody(body.origin, 8, body.root_hash, body.issued_at)
    assert not verify_signature(
        bytes.fromhex(key["public_key"]), forged, bytes.fromhex(checkpoint["signature"])
    )

    item = client.get("/api/evidence/items/3", headers=auth("regulator")).json()
    assert item["intact"] is True
    assert item["record"]["data"]["text"].endswith("#3")
    proof = client.get("/api/evidence/items/3/inclusion", headers=auth("regulator")).json()
    merkle.verify_inclusion(
        3,
        proof["tree_size"],
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(p) for p in proof["path"]],
        body.root_hash,
    )


def test_an_old_checkpoint_is_consistent_with_the_grown_log(client, auth):
    append(client, auth, 3)
    old = client.post("/api/evidence/checkpoints", headers=auth()).json()
    append(client, auth, 10)
    new = client.post("/api/evidence/checkpoints", headers=auth()).json()
    proof = client.get(
        f"/api/evidence/consistency?first={old['tree_size']}&second={new['tree_size']}"
    ).json()
    merkle.verify_consistency(
        3,
        13,
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(new["root_hash"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )


def test_a_record_with_a_float_or_a_bad_blob_hash_is_refused_naming_the_field(client, auth):
    bad_blob = {**record(0), "blobs": {"frame": "not-a-hash"}}
    response = client.post(
        "/api/evidence/items", json={"records": [record(1), bad_blob]}, headers=auth()
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "records.1.blobs.frame"
    floaty = {**record(0), "data": {"price_yuan": 669.0}}
    response = client.post("/api/evidence/items", json={"records": [floaty]}, headers=auth())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "records.0"
    assert "floats" in response.json()["detail"]
    assert client.get("/api/evidence/items/0", headers=auth()).status_code == 404


def test_a_checkpoint_is_scheduled_only_when_the_log_grew(app, client, auth):
    from liveguard.db import transaction
    from liveguard.evidence import service as ledger

    def scheduled():
        with transaction(app.state.session_factory) as session:
            return ledger.checkpoint_if_grown(db_session=session, signer=app.state.signer)

    assert scheduled() is None  # empty log
    append(client, auth, 1)
    assert scheduled().tree_size == 1
    assert scheduled() is None
