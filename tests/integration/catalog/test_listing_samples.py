"""Sampling and mystery-shopping results: recorded by compliance or a regulator, in the
ledger, and a failed one takes the listing off sale at once with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from liveguard.catalog import service as catalog_service
from liveguard.cli import demo_data
from tests.integration.catalog.conftest import listing

FAILED: dict[str, Any] = {
    "kind": "mystery_shopping",
    "batch": "20261020A",
    "production_date": "2026-10-20",
    "bought_at": "2026-11-20T20:30:00+08:00",
    "bought_by": "某省消费者权益保护委员会",
    "tested_by": "某省产品质量监督检验研究院",
    "report_number": "WT2026-1120-07",
    "test": "理化指标检验",
    "standard": "GB 19300-2014",
    "outcome": "failed",
    "failed_items": [
        {"item": "酸价（以脂肪计）", "measured": "5.6 mg/g", "required": "≤ 3 mg/g"},
        {"item": "过氧化值", "measured": "0.82 g/100g", "required": "≤ 0.50 g/100g"},
    ],
}


def on_sale(client, shop) -> int:
    lid = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()["id"]
    assert client.post(f"/api/listings/{lid}/publish", headers=shop.headers).status_code == 200
    return lid


def test_a_failed_sample_takes_the_listing_off_sale_at_once_with_the_reason(
    client, shop, auth, clock
):
    lid = on_sale(client, shop)
    recorded = client.post("/api/samples", json={**FAILED, "listing_id": lid}, headers=auth())
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["listing_status"] == "pulled"
    assert body["sample"]["merchant_id"] == shop.id
    [problem] = body["pulled"]["problems"]
    assert problem["check"] == "sampling.failed"
    assert "酸价（以脂肪计）实测 5.6 mg/g，标准要求 ≤ 3 mg/g" in problem["message"]
    assert "GB 19300-2014" in problem["message"] and "20261020A" in problem["message"]
    laws = {(b["law"], b["article"]) for b in problem["legal_basis"]}
    assert ("消费者权益保护法", 19) in laws and ("食品安全法", 63) in laws  # food: recall duty

    # off sale: the merchant cannot put it back or change it, only appeal
    seen = client.get(f"/api/listings/{lid}", headers=shop.headers).json()
    assert seen["status"] == "pulled"
    assert seen["review"]["reviewer_kind"] == "sampling"
    assert client.post(f"/api/listings/{lid}/publish", headers=shop.headers).status_code == 409
    assert (
        client.patch(f"/api/listings/{lid}", json={"stock": 1}, headers=shop.headers).status_code
        == 409
    )
    appeal = {"statement": "已召回该批次，新批次检验合格，报告见附件。"}
    assert (
        client.post(f"/api/listings/{lid}/appeal", json=appeal, headers=shop.headers).status_code
        == 201
    )

    # the result and the pull are each a ledger item a dispute can cite
    sample = client.get(
        f"/api/evidence/items/{body['sample']['ledger_seq']}", headers=auth()
    ).json()
    assert sample["kind"] == "sample_result" and sample["intact"] is True
    assert sample["record"]["data"]["failed_items"][1]["item"] == "过氧化值"
    assert sample["record"]["data"]["batch"] == "20261020A"
    pull = client.get(f"/api/evidence/items/{body['pulled']['ledger_seq']}", headers=auth()).json()
    assert pull["kind"] == "listing_decision"
    assert pull["record"]["data"]["decision"] == "pull"
    assert pull["record"]["data"]["sample_id"] == body["sample"]["id"]
    assert pull["record"]["data"]["status"] == "pulled"

    # while the appeal waits, buyers still see why it is off sale
    public = client.get(f"/api/public/listings/{lid}").json()
    assert public["status"] == "appealed" and "过氧化值" in public["status_reason"]


def test_the_public_page_of_a_pulled_listing_shows_why_and_the_result(client, shop, auth):
    lid = on_sale(client, shop)
    client.post("/api/samples", json={**FAILED, "listing_id": lid}, headers=auth())
    public = client.get(f"/api/public/listings/{lid}")
    assert public.status_code == 200, public.text
    body = public.json()
    assert body["status"] == "pulled"
    assert "过氧化值" in body["status_reason"]
    [sample] = body["samples"]
    assert sample["outcome"] == "failed" and sample["standard"] == "GB 19300-2014"
    html = client.get(f"/listings/{lid}")
    assert html.status_code == 200 and "已下架" in html.text and "过氧化值" in html.text


def test_a_passed_sample_changes_nothing_but_is_kept(client, shop, auth):
    lid = on_sale(client, shop)
    passed = {**FAILED, "listing_id": lid, "outcome": "passed", "failed_items": []}
    body = client.post("/api/samples", json=passed, headers=auth("regulator")).json()
    assert body["listing_status"] == "on_sale" and body["pulled"] is None
    assert body["sample"]["recorded_by"].startswith("regulator")
    assert client.get(f"/api/public/listings/{lid}").json()["samples"][0]["outcome"] == "passed"


def test_it_refuses_a_result_that_does_not_add_up(client, shop, auth, clock):
    lid = on_sale(client, shop)
    url = "/api/samples"
    no_items = client.post(
        url, json={**FAILED, "listing_id": lid, "failed_items": []}, headers=auth()
    )
    assert no_items.status_code == 422 and "failed_items" in no_items.text
    future = (clock.now() + timedelta(days=1)).isoformat()
    later = client.post(
        url, json={**FAILED, "listing_id": lid, "bought_at": future}, headers=auth()
    )
    assert later.status_code == 422 and later.json()["errors"][0]["field"] == "bought_at"
    made_after = {**FAILED, "listing_id": lid, "production_date": "2026-11-22"}
    assert client.post(url, json=made_after, headers=auth()).status_code == 422
    no_room = client.post(
        url, json={**FAILED, "listing_id": lid, "live_session_id": 999}, headers=auth()
    )
    assert no_room.status_code == 422
    assert client.post(url, json={**FAILED, "listing_id": 999}, headers=auth()).status_code == 404
    # nothing refused was stored, and the listing is still on sale
    assert client.get("/api/samples", headers=auth()).json() == []
    assert client.get(f"/api/listings/{lid}", headers=shop.headers).json()["status"] == "on_sale"


def test_only_compliance_and_regulators_record_results(client, shop, auth):
    lid = on_sale(client, shop)
    body = {**FAILED, "listing_id": lid}
    assert client.post("/api/samples", json=body).status_code == 401
    assert client.post("/api/samples", json=body, headers=shop.headers).status_code == 403
    assert client.post("/api/samples", json=body, headers=auth("case_handler")).status_code == 403
    assert client.get(f"/api/listings/{lid}", headers=shop.headers).json()["status"] == "on_sale"


def test_the_merchant_reads_its_own_results_and_others_learn_of_failed_ones(
    client, shop, make_shop, auth, app, clock
):
    lid = on_sale(client, shop)
    other = make_shop()
    before = clock.now()
    sample = client.post("/api/samples", json={**FAILED, "listing_id": lid}, headers=auth()).json()
    sid = sample["sample"]["id"]
    assert client.get(f"/api/listings/{lid}/samples", headers=shop.headers).json()[0]["id"] == sid
    assert client.get(f"/api/samples/{sid}", headers=shop.headers).status_code == 200
    assert client.get(f"/api/samples/{sid}", headers=other.headers).status_code == 403

    [failed] = client.get("/api/samples/failed", headers=auth("regulator")).json()
    assert (failed["listing_id"], failed["merchant_id"], failed["batch"]) == (
        lid,
        shop.id,
        "20261020A",
    )
    later = (before + timedelta(minutes=1)).isoformat()
    assert client.get("/api/samples/failed", params={"since": later}, headers=auth()).json() == []

    with app.state.session_factory() as db_session:
        [found] = catalog_service.failed_samples(db_session=db_session, since=before)
    assert (found.sample_id, found.listing_id, found.batch) == (sid, lid, "20261020A")
    assert found.ledger_seq == sample["sample"]["ledger_seq"]


def test_a_result_names_the_live_room_the_item_was_bought_in(app, client, auth, clock):
    demo_data.load(app.state.settings, clock=clock)
    rooms = client.get("/api/sessions", headers=auth()).json()
    room = next(item for item in rooms if "羽绒服" in item["title"])  # S1's room
    jacket = next(
        item
        for item in client.get("/api/listings", headers=auth()).json()
        if item["merchant_id"] == room["merchant_id"]
    )
    other = next(
        item
        for item in client.get("/api/listings", headers=auth()).json()
        if item["merchant_id"] != room["merchant_id"]
    )
    body = {**FAILED, "standard": "GB/T 14272-2021", "live_session_id": room["id"]}
    wrong = client.post("/api/samples", json={**body, "listing_id": other["id"]}, headers=auth())
    assert wrong.status_code == 422 and "live_session_id" in wrong.text
    recorded = client.post(
        "/api/samples", json={**body, "listing_id": jacket["id"]}, headers=auth()
    )
    assert recorded.status_code == 201, recorded.text
    item = client.get(
        f"/api/evidence/items/{recorded.json()['sample']['ledger_seq']}", headers=auth()
    ).json()
    assert item["record"]["where"]["session_id"] == room["id"]
