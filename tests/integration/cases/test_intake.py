"""Filing a complaint: linked to what LiveGuard recorded, facts derived from the records
with their sources, the complaint in the evidence ledger with her words sealed."""

from __future__ import annotations

from datetime import timedelta

from liveguard.enforcement import service as enforcement_service
from liveguard.enforcement.schemas import ActionCreate
from liveguard.evidence import service as ledger
from liveguard.live import service as live_service
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import McnCreate, RelationCreate
from tests import factories
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
    assert {"session", "utterance", "chat", "frame", "finding", "warning"} <= kinds
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


def test_an_evidence_file_is_typed_by_its_bytes_not_by_its_claim(client, world):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer())
    url = f"/api/cases/{case.json()['id']}/files"
    page = b"<html><script>document.location='//evil'</script></html>"
    disguised = client.post(
        url, files={"file": ("photo.png", page, "image/png")}, headers=world.as_consumer()
    )
    assert disguised.status_code == 422
    problem = disguised.json()["errors"][0]
    assert problem["field"] == "file" and "its contents are text/html" in problem["message"]
    undeclared = client.post(
        url,
        files={"file": ("page.bin", page, "application/octet-stream")},
        headers=world.as_consumer(),
    )
    assert undeclared.status_code == 422 and "not accepted" in undeclared.text
    photo = b"\x89PNG\r\n\x1a\n stained jacket"
    unnamed = client.post(
        url, files={"file": ("x", photo, "application/octet-stream")}, headers=world.as_consumer()
    )
    assert unnamed.status_code == 201 and unnamed.json()["content_type"] == "image/png"
    chat = "买家：衣服有污渍\n主播：七天无理由".encode()
    log = client.post(
        url, files={"file": ("chat.csv", chat, "text/csv")}, headers=world.as_consumer()
    )
    assert log.status_code == 201 and log.json()["content_type"] == "text/plain"


def _links(case: dict, kind: str) -> list[dict]:
    return [link for link in case["links"] if link["kind"] == kind]


def test_the_complaint_cites_the_findings_the_monitor_recorded_not_a_new_reading(client, world, db):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    with db() as s:
        stored = {
            f.id: f
            for f in live_service.get_findings(db_session=s, session_id=world.jacket_session)
        }
        found = _links(case, "finding")
        assert found and all(link["data"]["finding_id"] in stored for link in found)
        for link in found:
            finding = stored[link["data"]["finding_id"]]
            # the exact recorded finding: its own ledger item, rule, span, quote and basis
            assert link["ledger_seq"] == finding.ledger_seq is not None
            assert link["ref"] == f"session:{world.jacket_session}/finding:{finding.id}"
            assert link["data"]["rule"] == finding.rule
            assert link["data"]["span"] == [finding.start, finding.end]
            assert link["data"]["quote"] == finding.quote
            assert link["data"]["legal_basis"] == finding.legal_basis
            assert link["data"]["listing_id"] == world.jacket_listing
        # the ledger items cited are the monitor's own, not copies made for the complaint
        for link in found:
            item = ledger.get_item(db_session=s, seq=link["ledger_seq"])
            assert item.kind == "finding" and "case_id" not in item.data
    # the warning the room showed, with its ledger item, tied to a linked finding
    [warning] = _links(case, "warning")
    assert warning["ledger_seq"] is not None
    assert warning["data"]["finding_id"] in {link["data"]["finding_id"] for link in found}
    assert warning["summary"]


def test_the_qr_frame_in_the_window_and_its_finding_are_linked(client, world):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    [shown] = _links(case, "frame")
    assert shown["ledger_seq"] is not None
    assert shown["data"]["qr"] == [
        {"kind": "wechat_pay", "payload": "wxp://f2f0Ht4b7E8cQzX0pLmN3aK9vQ2rT5yW"}
    ]
    assert len(shown["data"]["blob"]) == 64
    [qr] = [link for link in _links(case, "finding") if link["data"]["on"] == shown["ref"]]
    assert (qr["data"]["rule"], qr["data"]["source"]) == ("qr.wechat_pay", "qr")


def test_who_ran_the_room_comes_from_the_parties_relations_with_its_source(client, world):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    # 小暖穿搭 promotes the shop's goods in her own name: her own room
    assert case["facts"]["room_operator"] == "anchor"
    assert case["fact_sources"]["room_operator"]["source"] == "parties"
    assert case["fact_sources"]["room_operator"]["ref"].startswith("relation:")
    assert "room_operator" not in {q["field"] for q in case["resolution"]["questions"]}


def test_the_stores_own_staff_on_camera_make_it_the_stores_room(client, world, db):
    with db() as s:
        for relation in parties_service.get_relations(db_session=s, anchor_id=world.xiaonuan):
            s.delete(relation)
        parties_service.create_relation(
            db_session=s,
            relation_in=RelationCreate(
                kind="staff_of_merchant",
                anchor_id=world.xiaonuan,
                merchant_id=world.jacket_shop,
                starts_on=factories.TODAY - timedelta(days=400),
            ),
        )
        s.commit()
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    assert case["facts"]["room_operator"] == "merchant"
    assert case["facts"]["anchor_role"] == "staff"
    assert case["fact_sources"]["room_operator"]["source"] == "parties"


def test_when_the_relations_are_silent_she_is_asked_whose_room_it_was(client, world, db):
    with db() as s:
        for relation in parties_service.get_relations(db_session=s, anchor_id=world.xiaonuan):
            relation.ends_on = relation.starts_on  # ended long before the session
        s.commit()
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    assert "room_operator" not in case["facts"]
    assert "room_operator" in {q["field"] for q in case["resolution"]["questions"]}


def test_words_the_monitor_never_saw_are_read_at_intake_and_put_in_the_ledger(client, world, db):
    with db() as s:
        for event in live_service.get_events(db_session=s, session_id=world.jacket_session):
            event.event_id = None  # as stored before the monitor existed (migration 0009)
        s.commit()
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    read = [link for link in _links(case, "finding") if link["data"]["source"] == "detect"]
    assert any(link["data"]["rule"].startswith("diversion.") for link in read)
    assert all(link["ledger_seq"] is not None for link in read)  # recorded with the complaint
    with db() as s:
        item = ledger.get_item(db_session=s, seq=read[0]["ledger_seq"])
        assert item.kind == "finding" and str(case["id"]) in item.data
    assert case["facts"]["diverted_by"] == "anchor"


def test_an_anchor_signed_to_an_mcn_the_shop_contracted_is_in_the_mcns_room(client, world, db):
    with db() as s:
        mcn = parties_service.create_mcn(
            db_session=s,
            mcn_in=McnCreate(name="星光传媒", credit_code=factories.credit_code()),
        )
        since = factories.TODAY - timedelta(days=90)
        for kind, ends in (
            ("signed_with_mcn", {"anchor_id": world.yanjie}),
            ("mcn_serves_merchant", {"merchant_id": world.nest_shop}),
        ):
            parties_service.create_relation(
                db_session=s,
                relation_in=RelationCreate(kind=kind, mcn_id=mcn.id, starts_on=since, **ends),
            )
        s.commit()
    complaint = {
        "summary": "燕窝其实是风味饮料。",
        "session_id": world.nest_session,
        "occurred_at": (world.nest_started + timedelta(seconds=60)).isoformat(),
        "price_paid_fen": 29900,
        "facts": {"channel": "platform"},
    }
    case = client.post("/api/cases", json=complaint, headers=world.as_consumer()).json()
    facts = case["facts"]
    assert (facts["room_operator"], facts["mcn_runs_anchor"]) == ("mcn", True)
    assert facts["anchor_role"] == "endorser"  # still promoting the shop in her own name
    assert facts["names"]["mcn"] == facts["names"]["room_operator"] == "星光传媒"
    assert case["fact_sources"]["room_operator"]["source"] == "parties"


def test_a_finding_staff_dismissed_is_linked_as_dismissed_and_settles_nothing(client, world, db):
    with db() as s:
        anchor_said = {
            e.id
            for e in live_service.get_events(db_session=s, session_id=world.jacket_session)
            if e.speaker_role is not None and e.speaker_role.value == "anchor"
        }
        for finding in live_service.get_findings(db_session=s, session_id=world.jacket_session):
            if finding.event_pk in anchor_said and finding.category == "diversion":
                enforcement_service.dismiss(
                    db_session=s,
                    finding_id=finding.id,
                    reason="staff judged it wrong",
                    actor="compliance",
                    now=world.jacket_started + timedelta(minutes=91),
                )
        s.commit()
    complaint = s1_complaint(world)
    complaint.pop("paid_off_platform")
    complaint.pop("payment_channel")
    case = client.post("/api/cases", json=complaint, headers=world.as_consumer()).json()
    statuses = {link["data"]["status"] for link in _links(case, "finding")}
    assert statuses == {"open", "dismissed"}
    assert "diverted_by" not in case["facts"]  # only the anchor's words said who
    # the payment QR code on screen still shows how she was asked to pay
    [shown] = _links(case, "frame")
    assert case["facts"]["off_platform_payment"] == "wechat_qr"
    assert case["fact_sources"]["off_platform_payment"]["ref"] == shown["ref"]
    dismissals = [link for link in _links(case, "action") if link["data"]["action"] == "dismiss"]
    assert dismissals and all(link["ledger_seq"] is not None for link in dismissals)


def test_a_warning_staff_gave_viewers_by_hand_in_the_window_is_linked(client, world, db):
    with db() as s:
        room = live_service.get(db_session=s, session_id=world.jacket_session)
        enforcement_service.act(
            db_session=s,
            live_session=room,
            action_in=ActionCreate(
                kind="viewer_warning", reason="seen on the stream", text="请勿扫码私下付款"
            ),
            actor="compliance",
            now=world.jacket_started + timedelta(seconds=200),
        )
        s.commit()
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    by_hand = [link for link in _links(case, "warning") if link["data"]["actor"] == "compliance"]
    assert [link["summary"] for link in by_hand] == ["请勿扫码私下付款"]
    assert by_hand[0]["ledger_seq"] is not None
