"""Crypto-shredding: erasing a person makes their fields unreadable, and proofs still hold."""

from __future__ import annotations

from typer.testing import CliRunner

from liveguard.cli.main import app as cli
from liveguard.evidence import merkle

COMPLAINT = {
    "kind": "complaint",
    "occurred_at": "2026-02-25T09:00:00+08:00",
    "data": {"paid_fen": 66900, "channel": "wechat_qr"},
    "subject": "consumer:1",
    "personal": {"phone": "13604310001", "address": "吉林省长春市朝阳区某街1号"},
}


def test_personal_fields_are_sealed_and_erasure_keeps_every_proof(client, auth, engine, tmp_path):
    from sqlalchemy import text

    appended = client.post(
        "/api/evidence/items", json={"records": [COMPLAINT]}, headers=auth()
    ).json()
    seq = appended[0]["seq"]
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT data FROM evidence_leaves")).scalar_one()
    assert "13604310001" not in stored and "长春" not in stored
    assert "consumer:1" not in stored  # the leaf names only a random key id

    item = client.get(f"/api/evidence/items/{seq}", headers=auth()).json()
    assert item["personal"] == COMPLAINT["personal"]
    bundle = client.post("/api/evidence/bundles", json={"seqs": [seq]}, headers=auth())
    before = tmp_path / "before.zip"
    before.write_bytes(bundle.content)
    checkpoint = client.get("/api/evidence/checkpoints/latest").json()

    no_reason = client.post(
        "/api/evidence/subjects/consumer:1/erase", json={}, headers=auth("admin")
    )
    assert no_reason.status_code == 422
    assert (
        client.post(
            "/api/evidence/subjects/consumer:1/erase",
            json={"reason": "PIPL art. 47 request R-1"},
            headers=auth("compliance"),
        ).status_code
        == 403
    )
    erased = client.post(
        "/api/evidence/subjects/consumer:1/erase",
        json={"reason": "PIPL art. 47 request R-1"},
        headers=auth("admin"),
    )
    assert erased.status_code == 200, erased.text

    item = client.get(f"/api/evidence/items/{seq}", headers=auth()).json()
    assert item["personal"] is None and item["personal_erased"] is True
    assert item["intact"] is True
    assert item["record"]["data"]["paid_fen"] == 66900  # the non-personal facts remain
    proof = client.get(f"/api/evidence/items/{seq}/inclusion", headers=auth()).json()
    merkle.verify_inclusion(
        seq,
        proof["tree_size"],
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(checkpoint["root_hash"]),
    )
    published = client.get("/api/evidence/public-key").json()["public_key"]
    assert (
        CliRunner().invoke(cli, ["verify", "--public-key", published, str(before)]).exit_code == 0
    )

    again = client.post("/api/evidence/items", json={"records": [COMPLAINT]}, headers=auth())
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "subject"


def test_personal_fields_without_a_subject_are_refused(client, auth):
    record = {**COMPLAINT, "subject": None}
    response = client.post("/api/evidence/items", json={"records": [record]}, headers=auth())
    assert response.status_code == 422
    assert "need a subject" in response.json()["detail"]
