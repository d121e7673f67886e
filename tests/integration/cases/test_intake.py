"""Filing a complaint: linked to what LiveGuard recorded, facts derived from the records
with their sources, the complaint in the evidence ledger with her words sealed."""

from __future__ import annotations

from datetime import timedelta

from liveguard.evidence import service as ledger
from tests.integration.cases.conftest import s1_complaint


def test_a_consumer_files_the_s1_complaint_and_it_is_linked_to_the_recorded_room(client, world):
    response = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer())
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["state"] == "filed"
    assert case["consumer_id"] == world.buyer
    assert case["origin"] == "consumer"
    assert (case["merchant_id"], case["anchor_id"]) == (world.jacket_shop, world.xiaonuan)
    kinds = {link["kind"] for link in case["links"]}
    assert {"session", "utterance", "chat", "finding"} <= kinds
    spoken = [link["summary"] for link in case["links"] if link["kind"] == "utterance"]
    assert any("二维码" in text for text in spoken)
    rules = {link["data"].get("rule") for link in case["links"] if link["kind"] == "finding"}
    assert any(rule and rule.startswith("diversion.") for rule in rules)
    # every linked word and finding is a ledger item the bundle can prove
    assert all(
        link["ledger_seq"] is not None for link in case["links"] if link["kind"] != "session"
    )


def test_facts_the_recording_settles_are_derived_with_their_source(client, world):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    facts, sources = case["facts"], case["fact_sources"]
    # the anchor, on camera, asked viewers to scan the QR code and pay privately
    assert facts["diverted_by"] == "anchor"
    assert sources["diverted_by"]["source"] == "recorded"
    assert sources["diverted_by"]["ref"].startswith(f"session:{world.jacket_session}/event:")
    assert facts["channel"] == "off_platform"
    assert facts["off_platform_payment"] == "wechat_qr"
    assert facts["price_paid_fen"] == 66900
    assert sources["price_paid_fen"]["source"] == "consumer"
    assert facts["names"]["seller"] == "暖冬服饰"
    assert facts["platform_can_identify_seller"] is True


def test_the_complaint_is_in_the_ledger_with_her_words_sealed(client, world, app, db):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    with db() as s:
        leaf = ledger.get_item(db_session=s, seq=case["ledger_seq"])
        assert leaf.kind == "complaint"
        assert "拉黑" not in leaf.data  # her words are sealed under her own key
        assert f"consumer:{world.buyer}" in leaf.data
    item = client.get(f"/api/evidence/items/{case['ledger_seq']}", headers=world.as_consumer())
    assert item.status_code == 403  # the raw ledger is for staff; she gets her bundle


def test_promises_in_the_room_and_the_listing_are_found_and_cited(client, world):
    complaint = {
        "summary": "燕窝其实是风味饮料。",
        "session_id": world.nest_session,
        "listing_id": world.nest_listing,
        "occurred_at": (world.nest_started + timedelta(seconds=60)).isoformat(),
        "price_paid_fen": 29900,
        "facts": {"channel": "platform"},
    }
    case = client.post("/api/cases", json=complaint, headers=world.as_consumer()).json()
    promises = case["facts"]["promises"]
    sources = {p["recorded"]["source"] for p in promises}
    assert {"utterance", "listing_version"} <= sources
    assert all(p["kind"] == "fake_multiple" and p["multiple"] == 10 for p in promises)
    assert all(p["text"] == "假一赔十" for p in promises)
    assert case["facts"]["category"] == "food"
    assert case["facts"]["anchor_role"] == "endorser"


def test_staff_file_on_a_consumers_behalf_and_must_say_whose(client, world, auth):
    without = client.post("/api/cases", json=s1_complaint(world), headers=auth("case_handler"))
    assert without.status_code == 422
    assert without.json()["errors"][0]["field"] == "consumer_id"
    filed = client.post(
        "/api/cases",
        json=s1_complaint(world, consumer_id=world.buyer),
        headers=auth("case_handler"),
    )
    assert filed.status_code == 201
    assert filed.json()["origin"] == "staff"


def test_a_consumer_cannot_file_for_another_or_read_anothers_case(client, world):
    other = client.post(
        "/api/cases",
        json=s1_complaint(world, consumer_id=world.buyer),
        headers=world.as_consumer("other_buyer"),
    )
    assert other.status_code == 403
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    assert client.get(f"/api/cases/{case['id']}", headers=world.as_consumer()).status_code == 200
    hidden = client.get(f"/api/cases/{case['id']}", headers=world.as_consumer("other_buyer"))
    assert hidden.status_code == 404
    mine = client.get("/api/cases", headers=world.as_consumer("other_buyer")).json()
    assert mine == []


def test_a_complaint_that_names_nothing_is_refused_before_it_is_stored(client, world):
    response = client.post(
        "/api/cases", json={"summary": "东西有问题"}, headers=world.as_consumer()
    )
    assert response.status_code == 422
    assert client.get("/api/cases", headers=world.as_consumer()).json() == []


def test_an_unknown_fact_name_is_refused_with_the_fix(client, world):
    response = client.post(
        "/api/cases",
        json=s1_complaint(world, facts={"was_angry": True}),
        headers=world.as_consumer(),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "facts.was_angry"


def test_evidence_files_are_stored_by_hash_and_recorded(client, world, app):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    photo = b"\x89PNG\r\n\x1a\n stained jacket"
    response = client.post(
        f"/api/cases/{case['id']}/files",
        files={"file": ("污渍.png", photo, "image/png")},
        headers=world.as_consumer(),
    )
    assert response.status_code == 201, response.text
    stored = response.json()
    assert app.state.blobs.get(stored["sha256"]) == photo
    assert stored["ledger_seq"] > case["ledger_seq"]
