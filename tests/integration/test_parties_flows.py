"""Onboarding a merchant end to end: registration, documents, review, selling, re-verification."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories

PDF = b"%PDF-1.4\n% a scanned licence\n"


@pytest.fixture
def platform_id(client, auth) -> int:
    return client.post("/api/platforms", json=factories.platform(), headers=auth("admin")).json()[
        "id"
    ]


def register(client, auth, platform_id, **overrides) -> dict:
    response = client.post(
        "/api/merchants", json=factories.merchant(platform_id, **overrides), headers=auth()
    )
    assert response.status_code == 201, response.text
    return response.json()


def upload(client, headers, merchant_id, **fields):
    data = {
        "owner_kind": "merchant",
        "owner_id": str(merchant_id),
        "doc_type": "food_business_licence",
        "number": "JY13301060012345",
        "issuer": "Hangzhou Market Regulation Bureau",
        "valid_from": "2025-01-01",
        "valid_to": "2030-01-01",
        **fields,
    }
    return client.post(
        "/api/documents",
        data=data,
        files={"file": ("licence.pdf", PDF, "application/pdf")},
        headers=headers,
    )


def decide(client, auth, url, decision, reason=None, role="compliance"):
    return client.post(url, json={"decision": decision, "reason": reason}, headers=auth(role))


def test_a_food_merchant_sells_only_after_its_food_licence_is_approved(client, auth, platform_id):
    merchant = register(client, auth, platform_id, categories=["food"])
    mid = merchant["id"]
    assert merchant["status"] == "pending"
    assert merchant["contact_phone_masked"].count("*") == 4

    check = client.get(f"/api/merchants/{mid}/selling/food", headers=auth()).json()
    assert check["may_sell"] is False
    assert any("pending" in r for r in check["reasons"])
    assert any("食品经营许可证" in r for r in check["reasons"])

    queue = client.get("/api/reviews", headers=auth()).json()
    assert [m["id"] for m in queue["merchants"]] == [mid]

    document = upload(client, auth(), mid)
    assert document.status_code == 201, document.text
    doc = document.json()
    assert doc["status"] == "pending"
    assert len(doc["file_sha256"]) == 64
    stored = client.get(f"/api/documents/{doc['id']}/file", headers=auth())
    assert stored.content == PDF

    assert decide(client, auth, f"/api/documents/{doc['id']}/review", "approve").status_code == 200
    assert decide(client, auth, f"/api/merchants/{mid}/review", "approve").status_code == 200
    check = client.get(f"/api/merchants/{mid}/selling/food", headers=auth()).json()
    assert check == {"merchant_id": mid, "category": "food", "may_sell": True, "reasons": []}

    queue = client.get("/api/reviews", headers=auth()).json()
    assert queue == {"merchants": [], "anchors": [], "documents": []}
    decisions = client.get(f"/api/merchants/{mid}/decisions", headers=auth()).json()
    assert [d["decision"] for d in decisions] == ["approve"]

    public = client.get(f"/api/public/merchants/{mid}").json()
    assert public["credit_code"] == merchant["credit_code"]
    assert [p["number"] for p in public["permits"]] == ["JY13301060012345"]
    assert "contact_phone_masked" not in public


def test_an_expired_food_licence_blocks_food_but_not_the_merchant(client, auth, platform_id, clock):
    mid = register(
        client, auth, platform_id, categories=["food", "apparel"], licence_valid_to=None
    )["id"]
    doc = upload(client, auth(), mid, valid_to="2027-03-01").json()
    decide(client, auth, f"/api/documents/{doc['id']}/review", "approve")
    decide(client, auth, f"/api/merchants/{mid}/review", "approve")
    assert client.get(f"/api/merchants/{mid}/selling/food", headers=auth()).json()["may_sell"]
    clock.at += timedelta(days=120)
    report = client.post("/api/reverification", headers=auth()).json()
    assert report["documents_expired"] == [doc["id"]]
    assert report["suspended"] == []
    food = client.get(f"/api/merchants/{mid}/selling/food", headers=auth()).json()
    assert food["may_sell"] is False
    assert food["reasons"] == ["no approved, unexpired 食品经营许可证 or 仅销售预包装食品备案"]
    assert client.get(f"/api/merchants/{mid}/selling/apparel", headers=auth()).json()["may_sell"]


def test_prepackaged_food_filing_is_an_accepted_alternative(client, auth, platform_id):
    mid = register(client, auth, platform_id, categories=["food"])["id"]
    doc = upload(
        client, auth(), mid, doc_type="prepackaged_food_filing", number="YB13301060012345"
    ).json()
    decide(client, auth, f"/api/documents/{doc['id']}/review", "approve")
    decide(client, auth, f"/api/merchants/{mid}/review", "approve")
    assert client.get(f"/api/merchants/{mid}/selling/food", headers=auth()).json()["may_sell"]


def test_a_document_with_a_malformed_number_or_a_past_expiry_is_refused(client, auth, platform_id):
    mid = register(client, auth, platform_id, categories=["food"])["id"]
    bad_number = upload(client, auth(), mid, number="12345")
    assert bad_number.status_code == 422
    assert bad_number.json()["errors"][0]["field"] == "number"
    assert "JY followed by 14 digits" in bad_number.json()["detail"]
    expired = upload(client, auth(), mid, valid_to="2026-01-01")
    assert expired.status_code == 422
    assert expired.json()["errors"][0]["field"] == "valid_to"
    unknown = upload(client, auth(), mid, doc_type="licence_to_kill")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "doc_type"
    text = client.post(
        "/api/documents",
        data={
            "owner_kind": "merchant",
            "owner_id": str(mid),
            "doc_type": "alcohol_filing",
            "number": "ABC-123456",
            "issuer": "x",
            "valid_from": "2025-01-01",
        },
        files={"file": ("notes.txt", b"hello", "text/plain")},
        headers=auth(),
    )
    assert text.status_code == 422
    assert text.json()["errors"][0]["field"] == "file"


def test_a_document_is_typed_by_its_bytes_and_a_false_claim_refused(client, auth, platform_id):
    mid = register(client, auth, platform_id)["id"]
    meta = {
        "owner_kind": "merchant",
        "owner_id": str(mid),
        "doc_type": "alcohol_filing",
        "number": "ABC-123456",
        "issuer": "x",
        "valid_from": "2025-01-01",
    }

    def send(name: str, content: bytes, declared: str):
        files = {"file": (name, content, declared)}
        return client.post("/api/documents", data=meta, files=files, headers=auth())

    disguised = send("scan.png", b"<svg onload='alert(1)'></svg>", "image/png")
    assert disguised.status_code == 422
    assert "but its contents are" in disguised.json()["errors"][0]["message"]
    renamed = send("scan.png", PDF, "image/png")
    assert renamed.status_code == 422 and "application/pdf" in renamed.text
    stored = send("scan", PDF, "application/octet-stream")
    assert stored.status_code == 201, stored.text
    assert stored.json()["content_type"] == "application/pdf"


def test_rejecting_or_asking_for_more_needs_a_reason_the_merchant_can_read(
    client, auth, platform_id
):
    mid = register(client, auth, platform_id)["id"]
    response = decide(client, auth, f"/api/merchants/{mid}/review", "reject")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    more = decide(
        client,
        auth,
        f"/api/merchants/{mid}/review",
        "request_more",
        "the licence scan is cut off at the bottom",
    )
    assert more.json()["status"] == "more_requested"
    assert more.json()["status_reason"] == "the licence scan is cut off at the bottom"
    again = decide(client, auth, f"/api/merchants/{mid}/review", "request_more", "again")
    assert again.status_code == 409


def test_a_merchant_uploads_its_own_documents_but_cannot_approve_them(client, auth, platform_id):
    mid = register(client, auth, platform_id, categories=["food"])["id"]
    other = register(client, auth, platform_id)["id"]
    token = client.post(
        "/api/auth/tokens",
        json={"principal_kind": "merchant", "principal_id": mid, "label": "shop"},
        headers=auth("admin"),
    ).json()["token"]
    shop = {"Authorization": f"Bearer {token}"}
    doc = upload(client, shop, mid)
    assert doc.status_code == 201
    assert upload(client, shop, other).status_code == 403
    review = client.post(
        f"/api/documents/{doc.json()['id']}/review", json={"decision": "approve"}, headers=shop
    )
    assert review.status_code == 403


def test_reverification_suspends_a_lapsed_licence_and_lifts_it_on_renewal(
    client, auth, platform_id, clock
):
    mid = register(client, auth, platform_id, licence_valid_to="2026-12-31")["id"]
    decide(client, auth, f"/api/merchants/{mid}/review", "approve")
    listing = {
        "merchant_id": mid,
        "title": "Down jacket",
        "category": "apparel",
        "price_fen": 66900,
    }
    assert client.post("/api/listings", json=listing, headers=auth()).status_code == 201

    clock.at += timedelta(days=40)  # 2027-01-02
    report = client.post("/api/reverification", headers=auth()).json()
    assert report["suspended"] == [mid]
    merchant = client.get(f"/api/merchants/{mid}", headers=auth()).json()
    assert merchant["status"] == "suspended"
    assert "expired on 2026-12-31" in merchant["status_reason"]
    refused = client.post("/api/listings", json=listing, headers=auth())
    assert refused.status_code == 422
    assert "business licence expired" in refused.json()["detail"]

    renewed = client.put(
        f"/api/merchants/{mid}/licence",
        json={"licence_valid_from": "2027-01-01", "licence_valid_to": None},
        headers=auth(),
    )
    assert renewed.status_code == 200
    report = client.post("/api/reverification", headers=auth()).json()
    assert report["reinstated"] == [mid]
    assert client.post("/api/listings", json=listing, headers=auth()).status_code == 201
    decisions = client.get(f"/api/merchants/{mid}/decisions", headers=auth()).json()
    assert [(d["decision"], d["decided_by"]) for d in decisions][-2:] == [
        ("suspend", "reverification"),
        ("reinstate", "reverification"),
    ]


def test_a_suspension_by_staff_is_not_lifted_by_reverification(client, auth, platform_id):
    mid = register(client, auth, platform_id)["id"]
    decide(client, auth, f"/api/merchants/{mid}/review", "approve")
    suspended = decide(
        client,
        auth,
        f"/api/merchants/{mid}/review",
        "suspend",
        "counterfeit goods found in sampling",
    )
    assert suspended.json()["status"] == "suspended"
    report = client.post("/api/reverification", headers=auth()).json()
    assert report["reinstated"] == []
    merchant = client.get(f"/api/merchants/{mid}", headers=auth()).json()
    assert merchant["status"] == "suspended"


def test_an_anchor_is_registered_by_real_name_and_shown_masked(client, auth, platform_id, engine):
    body = factories.anchor(platform_id, real_name="张晓暖", id_number="11010519491231002X")
    anchor = client.post("/api/anchors", json=body, headers=auth())
    assert anchor.status_code == 201, anchor.text
    read = anchor.json()
    assert read["id_number_masked"] == "110***********002X"
    assert read["real_name_masked"] == "张**"
    assert "11010519491231002X" not in anchor.text

    from sqlalchemy import text

    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM anchors")).mappings().one()
    assert "11010519491231002X" not in str(dict(row))
    assert "张晓暖" not in str(dict(row))

    duplicate = client.post("/api/anchors", json={**body, "nickname": "other"}, headers=auth())
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["field"] == "id_number"

    wrong = client.post(
        "/api/anchors",
        headers=auth(),
        json=factories.anchor(platform_id, id_number="110105194912310021"),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "id_number"


def test_revealing_an_anchors_identity_needs_a_purpose_and_is_recorded(
    client, auth, platform_id, engine
):
    aid = client.post(
        "/api/anchors",
        headers=auth(),
        json=factories.anchor(platform_id, real_name="张晓暖", id_number="11010519491231002X"),
    ).json()["id"]
    url = f"/api/anchors/{aid}/identity"
    assert (
        client.post(url, json={"purpose": "case 2026-118"}, headers=auth("regulator")).status_code
        == 403
    )
    assert client.post(url, json={}, headers=auth("case_handler")).status_code == 422
    shown = client.post(
        url,
        json={"purpose": "case 2026-118: consumer asked under 消费者权益保护法实施条例 art. 14"},
        headers=auth("case_handler"),
    )
    assert shown.json() == {
        "anchor_id": aid,
        "real_name": "张晓暖",
        "id_number": "11010519491231002X",
    }
    from sqlalchemy import text

    with engine.connect() as connection:
        log = connection.execute(
            text("SELECT accessed_by, fields, purpose FROM personal_data_access")
        ).all()
    assert len(log) == 1
    assert log[0][0].startswith("case_handler")
    assert log[0][1] == "real_name,id_number"
    assert "case 2026-118" in log[0][2]


def test_anchor_mcn_merchant_relations_need_the_right_ends(client, auth, platform_id):
    mid = register(client, auth, platform_id)["id"]
    aid = client.post("/api/anchors", json=factories.anchor(platform_id), headers=auth()).json()[
        "id"
    ]
    mcn = client.post(
        "/api/mcns",
        json={"name": "Starlight MCN", "credit_code": factories.credit_code()},
        headers=auth(),
    ).json()
    ok = client.post(
        "/api/relations",
        headers=auth(),
        json={
            "kind": "signed_with_mcn",
            "anchor_id": aid,
            "mcn_id": mcn["id"],
            "starts_on": "2026-01-01",
        },
    )
    assert ok.status_code == 201
    wrong = client.post(
        "/api/relations",
        headers=auth(),
        json={
            "kind": "sells_for_merchant",
            "anchor_id": aid,
            "mcn_id": mcn["id"],
            "starts_on": "2026-01-01",
            "ends_on": "2025-01-01",
        },
    )
    assert wrong.status_code == 422
    assert {e["field"] for e in wrong.json()["errors"]} == {"merchant_id", "mcn_id", "ends_on"}
    missing = client.post(
        "/api/relations",
        headers=auth(),
        json={
            "kind": "sells_for_merchant",
            "anchor_id": aid,
            "merchant_id": mid + 1000,
            "starts_on": "2026-01-01",
        },
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "merchant_id"
    assert [
        r["mcn_id"] for r in client.get(f"/api/relations?anchor_id={aid}", headers=auth()).json()
    ] == [mcn["id"]]


def test_a_consumer_sees_only_their_own_record_with_the_phone_masked(client, auth):
    consumer = client.post(
        "/api/consumers", json={"nickname": "Wang", "phone": "136 0431 0001"}, headers=auth()
    ).json()
    assert consumer["phone_masked"] == "136****0001"
    duplicate = client.post(
        "/api/consumers", json={"nickname": "W2", "phone": "13604310001"}, headers=auth()
    )
    assert duplicate.status_code == 409
    token = client.post(
        "/api/auth/tokens",
        headers=auth("admin"),
        json={"principal_kind": "consumer", "principal_id": consumer["id"], "label": "app"},
    ).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get(f"/api/consumers/{consumer['id']}", headers=headers).status_code == 200
    assert client.get(f"/api/consumers/{consumer['id'] + 1}", headers=headers).status_code == 403
