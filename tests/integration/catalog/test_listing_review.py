"""Listing review through the API: refused before going live, with the reason and rule."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.catalog.conftest import FOOD_LICENCE, checks, listing, s3_listing


def test_s3_one_cent_with_999_yuan_shipping_is_refused_before_it_goes_live(client, shop):
    # SCENARIOS.md S3: a "1 cent fan benefit" item that asks 999 yuan for shipping, on a
    # page that says what you get only in the live room.
    s3 = s3_listing(shop)
    response = client.post("/api/listings", json=s3, headers=shop.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "rejected"
    assert body["review"]["verdict"] == "reject"
    assert body["review"]["reviewer_kind"] == "automatic"
    found = {p["check"]: p for p in body["review"]["problems"]}
    assert set(found) == {"shipping.excessive", "placeholder_link"}
    shipping = found["shipping.excessive"]
    assert shipping["field"] == "shipping_fee_fen"
    assert "999.00" in shipping["message"]
    assert shipping["evidence"]["fee_fen"] == 99900
    assert shipping["legal_basis"][0]["law"] == "明码标价和禁止价格欺诈规定"
    assert shipping["legal_basis"][0]["article"] == 19
    assert found["placeholder_link"]["evidence"]["quote"] == "具体看直播"

    refused = client.post(f"/api/listings/{body['id']}/publish", headers=shop.headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "不能上架" in refused.json()["detail"]
    assert "999.00" in refused.json()["detail"]
    assert client.get(f"/api/public/listings/{body['id']}").status_code == 404


def test_a_listing_without_the_producer_address_is_refused(client, shop):
    body = client.post(
        "/api/listings", json=listing(shop, label={"producer_address": None}), headers=shop.headers
    ).json()
    assert body["status"] == "rejected"
    [problem] = body["review"]["problems"]
    assert problem["check"] == "three_no.missing_field"
    assert problem["field"] == "label.producer_address"
    assert problem["legal_basis"][0]["law"] == "食品安全法"


def test_a_listing_whose_sc_licence_expired_is_refused(client, shop, clock):
    expired = str((clock.at - timedelta(days=3)).date())
    body = client.post(
        "/api/listings",
        json=listing(shop, label={"licence_valid_to": expired}),
        headers=shop.headers,
    ).json()
    assert body["status"] == "rejected"
    [problem] = body["review"]["problems"]
    assert problem["check"] == "three_no.licence_expired"
    assert problem["field"] == "label.licence_valid_to"
    assert "SC11834020300567" in problem["message"] and expired in problem["message"]
    assert {(b["law"], b["article"]) for b in problem["legal_basis"]} == {
        ("电子商务法", 12),
        ("食品安全法", 35),
    }
    refused = client.post(f"/api/listings/{body['id']}/publish", headers=shop.headers)
    assert refused.status_code == 409 and "过期" in refused.json()["detail"]
    renewed = client.patch(
        f"/api/listings/{body['id']}",
        json={"label": {**listing(shop)["label"], "licence_valid_to": "2031-06-30"}},
        headers=shop.headers,
    ).json()
    assert renewed["status"] == "approved"


def test_food_past_its_shelf_life_is_refused(client, shop):
    stale = listing(shop, label={"production_date": "2025-01-10", "shelf_life": "180天"})
    body = client.post("/api/listings", json=stale, headers=shop.headers).json()
    assert body["status"] == "rejected"
    assert checks(body) == ["three_no.expired"]
    assert body["review"]["problems"][0]["evidence"]["expiry_date"] == "2025-07-09"


def test_a_merchant_whose_food_licence_expired_cannot_list_food(client, make_shop, clock):
    shop = make_shop(licence_valid_to=str((clock.at + timedelta(days=1)).date()))
    assert client.post("/api/listings", json=listing(shop), headers=shop.headers).status_code == 201
    clock.at += timedelta(days=2)
    refused = client.post("/api/listings", json=listing(shop), headers=shop.headers)
    assert refused.status_code == 422
    problem = refused.json()["errors"][0]
    assert problem["field"] == "category"
    assert "食品经营许可证" in problem["message"]


def test_a_fake_original_price_is_caught_against_the_prices_in_force(client, shop, clock):
    created = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()
    lid = created["id"]
    assert created["status"] == "approved"
    assert client.post(f"/api/listings/{lid}/publish", headers=shop.headers).json()["status"] == (
        "on_sale"
    )
    clock.at += timedelta(hours=4)
    raised = client.patch(f"/api/listings/{lid}", json={"price_fen": 19900}, headers=shop.headers)
    assert raised.json()["status"] == "on_sale", raised.text  # a clean change stays on sale
    clock.at += timedelta(days=1)
    discount = {"price_fen": 14900, "original_price_fen": 29900}
    faked = client.patch(f"/api/listings/{lid}", json=discount, headers=shop.headers).json()
    assert faked["status"] == "rejected"
    found = {p["check"]: p for p in faked["review"]["problems"]}
    assert found["price.fake_original"]["evidence"]["lowest_fen"] == 9900
    assert found["price.fake_original"]["field"] == "original_price_fen"
    assert "price.raised_before_discount" in found
    assert client.get(f"/api/public/listings/{lid}").status_code == 404  # off sale


def test_every_change_is_a_version_with_its_ledger_item(client, shop, auth):
    lid = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()["id"]
    client.patch(f"/api/listings/{lid}", json={"stock": 20}, headers=shop.headers)
    client.patch(f"/api/listings/{lid}", json={"shipping_fee_fen": 99900}, headers=auth())
    unchanged = client.patch(f"/api/listings/{lid}", json={"stock": 20}, headers=shop.headers)
    assert unchanged.json()["version"] == 3

    versions = client.get(f"/api/listings/{lid}/versions", headers=shop.headers).json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["stock"] for v in versions] == [500, 20, 20]
    assert versions[0]["created_by"] == f"merchant:{shop.id}"
    assert versions[2]["created_by"].startswith("compliance")
    assert len({v["ledger_seq"] for v in versions}) == 3
    for version in versions:
        item = client.get(f"/api/evidence/items/{version['ledger_seq']}", headers=auth()).json()
        assert item["kind"] == "listing_version"
        assert item["intact"] is True
        data = item["record"]["data"]
        assert (data["listing_id"], data["version"]) == (lid, version["version"])
        assert data["shipping_fee_fen"] == version["shipping_fee_fen"]
    last = client.get(f"/api/evidence/items/{versions[2]['ledger_seq']}", headers=auth()).json()
    assert last["record"]["data"]["review"] == {
        "verdict": "reject",
        "checks": ["shipping.excessive"],
    }

    reviews = client.get(f"/api/listings/{lid}/reviews", headers=shop.headers).json()
    assert [(r["version"], r["verdict"]) for r in reviews] == [
        (1, "approve"),
        (2, "approve"),
        (3, "reject"),
    ]


def test_changes_are_checked_and_limited_to_the_owner(client, shop, make_shop):
    lid = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()["id"]
    below = client.patch(
        f"/api/listings/{lid}", json={"original_price_fen": 100}, headers=shop.headers
    )
    assert below.status_code == 422
    assert below.json()["errors"][0]["field"] == "original_price_fen"
    nulled = client.patch(f"/api/listings/{lid}", json={"title": None}, headers=shop.headers)
    assert nulled.status_code == 422
    assert "title" in nulled.json()["detail"]
    other = make_shop()
    stranger = client.patch(f"/api/listings/{lid}", json={"stock": 1}, headers=other.headers)
    assert stranger.status_code == 403
    assert client.get(f"/api/listings/{lid}/versions").status_code == 401


def test_a_merchant_appeals_and_staff_decide_with_reasons_it_can_read(client, shop, auth):
    refused = client.post(
        "/api/listings", json=listing(shop, label={"producer_address": None}), headers=shop.headers
    ).json()
    lid = refused["id"]
    assert client.get("/api/listings/review-queue", headers=auth()).json() == []

    statement = {"statement": "生产者地址印在外箱上，已补充照片，请复核。"}
    assert (
        client.post(f"/api/listings/{lid}/appeal", json=statement, headers=auth()).status_code
        == 403
    )
    appealed = client.post(f"/api/listings/{lid}/appeal", json=statement, headers=shop.headers)
    assert appealed.status_code == 201, appealed.text
    assert client.get(f"/api/listings/{lid}", headers=shop.headers).json()["status"] == "appealed"
    again = client.post(f"/api/listings/{lid}/appeal", json=statement, headers=shop.headers)
    assert again.status_code == 409

    [queued] = client.get("/api/listings/review-queue", headers=auth()).json()
    assert queued["listing"]["id"] == lid
    assert queued["appeal"]["statement"] == statement["statement"]
    assert queued["review"]["problems"][0]["check"] == "three_no.missing_field"

    url = f"/api/listings/{lid}/decision"
    no_reason = client.post(url, json={"decision": "reject"}, headers=auth())
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert client.post(url, json={"decision": "approve"}, headers=shop.headers).status_code == 403
    stale = client.post(url, json={"decision": "approve", "version": 7}, headers=auth())
    assert stale.status_code == 409
    reason = "商品页必须写明生产者地址，外箱照片不能代替页面标注。"
    decided = client.post(url, json={"decision": "reject", "reason": reason}, headers=auth())
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "rejected"
    assert decided.json()["review"]["reason"] == reason
    assert client.get("/api/listings/review-queue", headers=auth()).json() == []

    reviews = client.get(f"/api/listings/{lid}/reviews", headers=shop.headers).json()
    assert [(r["reviewer_kind"], r["verdict"]) for r in reviews] == [
        ("automatic", "reject"),
        ("staff", "reject"),
    ]
    assert reviews[1]["reason"] == reason

    fixed = client.patch(
        f"/api/listings/{lid}",
        json={"label": {**listing(shop)["label"]}},
        headers=shop.headers,
    ).json()
    assert fixed["status"] == "approved"
    assert client.post(f"/api/listings/{lid}/publish", headers=shop.headers).status_code == 200


def test_a_review_that_asks_for_changes_waits_for_staff_who_may_approve(client, shop, auth):
    # an "original" price with no sale behind it: a form defect (medium), not a refusal
    body = client.post(
        "/api/listings", json=listing(shop, original_price_fen=12900), headers=shop.headers
    ).json()
    assert body["status"] == "changes_requested"
    assert checks(body) == ["price.original_unproven"]
    [queued] = client.get("/api/listings/review-queue", headers=auth()).json()
    assert queued["appeal"] is None
    approved = client.post(
        f"/api/listings/{body['id']}/decision",
        json={"decision": "approve", "version": 1},
        headers=auth(),
    ).json()
    assert approved["status"] == "approved"
    assert approved["awaiting_decision"] is False
    assert client.get("/api/listings/review-queue", headers=auth()).json() == []


def test_the_public_page_shows_the_listing_with_the_sellers_licence(client, shop):
    lid = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()["id"]
    assert client.get(f"/api/public/listings/{lid}").status_code == 404  # not on sale yet
    client.post(f"/api/listings/{lid}/publish", headers=shop.headers)
    page = client.get(f"/api/public/listings/{lid}")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["price_fen"] == 9900
    assert body["label"]["licence_number"] == "SC11834020300567"
    seller = body["merchant"]
    assert seller["id"] == shop.id
    assert len(seller["credit_code"]) == 18
    assert seller["licence_valid_to"]
    assert [(p["doc_type"], p["number"]) for p in seller["permits"]] == [
        ("food_business_licence", FOOD_LICENCE)
    ]
    assert "contact_phone_masked" not in seller
