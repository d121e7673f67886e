"""What the public sees of a case: the staff decision, never the engine's draft it departs
from; texts scrubbed of personal data, previewed and confirmed by staff before they go
out; and free text with personal data sealed in its ledger leaf, never in clear."""

from __future__ import annotations

import json

from liveguard.evidence import service as ledger
from tests.integration.cases.conftest import s1_complaint

PHONE = "13912345678"
OUTCOME = f"退款至王女士 {PHONE}，寄回地址阳光小区3栋2单元502"


def _decided(client, world, auth, **decision) -> dict:
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    moved = client.post(
        f"/api/cases/{case['id']}/transition",
        json={"to_state": "accepted"},
        headers=auth("case_handler"),
    )
    assert moved.status_code == 200, moved.text
    decided = client.post(
        f"/api/cases/{case['id']}/decision", json=decision, headers=auth("case_handler")
    )
    assert decided.status_code == 200, decided.text
    return decided.json()


def _publish(client, auth, case_id: int) -> dict:
    preview = client.get(f"/api/cases/{case_id}/publication", headers=auth("case_handler"))
    assert preview.status_code == 200, preview.text
    published = client.post(
        f"/api/cases/{case_id}/publish",
        json={"confirm": preview.json()["digest"]},
        headers=auth("case_handler"),
    )
    assert published.status_code == 200, published.text
    return published.json()


def test_the_public_record_shows_whom_staff_found_liable_and_what_was_owed(client, world, auth):
    # the engine's answer for S1 holds the account holder liable; staff decided otherwise
    case = _decided(
        client, world, auth, outcome="平台先行赔付", amount_fen=120000, liable=["platform"]
    )
    assert "account_holder" in {p["role"] for p in case["resolution"]["parties"]}
    _publish(client, auth, case["id"])
    record = client.get(f"/api/public/cases/{case['id']}").json()
    assert record["liable_roles"] == ["platform"]
    assert record["owed_fen"] == 120000
    page = client.get(f"/complaints/{case['id']}").text
    assert "account_holder" not in page and "¥1,200.00" in page  # the yuan filter, never a float


def test_public_texts_are_scrubbed_and_published_only_as_previewed(client, world, auth):
    case = _decided(client, world, auth, outcome=OUTCOME, amount_fen=1000)
    url = f"/api/cases/{case['id']}"
    preview = client.get(f"{url}/publication", headers=auth("case_handler")).json()
    assert PHONE not in preview["record"]["outcome"]
    assert "139****5678" in preview["record"]["outcome"]
    # which personal-data rule names the number (a mobile, a buyer's own for a lookup) is the
    # detector's business; that the outcome's number was masked as personal data is this one's
    assert any(m.startswith("outcome: personal_info.") for m in preview["masked"])
    assert "outcome: personal_info.address" in preview["masked"]
    unconfirmed = client.post(f"{url}/publish", json={}, headers=auth("case_handler"))
    assert unconfirmed.status_code == 422
    other = client.post(f"{url}/publish", json={"confirm": "0" * 64}, headers=auth("case_handler"))
    assert other.status_code == 409 and "预览" in other.json()["errors"][0]["fix"]
    assert client.get(f"/api/public/cases/{case['id']}").status_code == 404
    published = _publish(client, auth, case["id"])
    assert published == preview["record"]
    shown = [
        json.dumps(client.get(f"/api/public/cases/{case['id']}").json(), ensure_ascii=False),
        json.dumps(client.get("/api/public/cases").json(), ensure_ascii=False),
        client.get(f"/complaints/{case['id']}").text,
    ]
    for text in shown:
        assert PHONE not in text and "3栋2单元502" not in text
        assert "139****5678" in text


def test_free_text_with_personal_data_is_sealed_in_its_ledger_leaf(client, world, auth, db):
    case = _decided(client, world, auth, outcome=OUTCOME, amount_fen=1000)
    [decision] = [e for e in case["events"] if e["kind"] == "decision"]
    # the step is stored and shown masked; the words as written need a role and a purpose
    assert PHONE not in decision["text"] and "139****5678" in decision["text"]
    typed = client.post(
        f"/api/privacy/cases/{case['id']}/text",
        json={"purpose": "handle_case"},
        headers=auth("case_handler"),
    ).json()["texts"]
    assert f"case_event:{decision['id']}" in {t["source"] for t in typed}
    assert OUTCOME in {t["text"] for t in typed}
    with db() as s:
        leaf = ledger.get_item(db_session=s, seq=decision["ledger_seq"]).data
    assert PHONE not in leaf and "阳光小区" not in leaf
    assert "139****5678" in leaf and "ciphertext" in leaf
    assert f"consumer:{world.buyer}" in leaf  # sealed under her own key
