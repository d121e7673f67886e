"""A failed sample reaches the buyers of its batch: each gets a case opened unasked."""

from __future__ import annotations

from tests.integration.trade.conftest import at

FAILED = {
    "kind": "sampling",
    "batch": "2026-04-B7",
    "production_date": "2026-04-10",
    "bought_at": "2026-05-03T10:00:00+08:00",
    "bought_by": "某市市场监督管理局",
    "tested_by": "某市产品质量监督检验所",
    "report_number": "CJ2026-0503-11",
    "test": "能效等级检验",
    "standard": "GB 21455-2019",
    "outcome": "failed",
    "failed_items": [{"item": "全年能源消耗效率", "measured": "4.10", "required": "≥ 5.00"}],
}


def test_a_failed_sample_opens_a_case_for_every_buyer_of_the_batch_and_no_other(
    client, auth, clock, sale, make_buyer
):
    first, second, other_batch = make_buyer(), make_buyer(), make_buyer()
    orders = {}
    for buyer, batch in ((first, "2026-04-B7"), (second, "2026-04-B7"), (other_batch, "B9")):
        placed = client.post("/api/orders", json=sale.order(buyer, batch=batch), headers=auth())
        assert placed.status_code == 201, placed.text
        orders[buyer.id] = placed.json()["id"]
    clock.at = at("2026-05-05 09:00")

    recorded = client.post(
        "/api/samples", json={**FAILED, "listing_id": sale.listing_id}, headers=auth()
    )
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["listing_status"] == "pulled"
    assert len(body["case_ids"]) == 2

    for buyer in (first, second):
        [case] = client.get("/api/cases", headers=buyer.headers).json()
        assert case["order_id"] == orders[buyer.id]
        assert case["id"] in body["case_ids"]
        detail = client.get(f"/api/cases/{case['id']}", headers=buyer.headers).json()
        text = str(detail)
        assert "GB 21455-2019" in text and "全年能源消耗效率" in text
        assert f"第 {body['sample']['ledger_seq']} 项" in text
    assert client.get("/api/cases", headers=other_batch.headers).json() == []

    # recording the same failure again opens nothing twice
    again = client.post(
        "/api/samples", json={**FAILED, "listing_id": sale.listing_id}, headers=auth()
    )
    # a second test result is its own record (201) and names the cases already open
    assert again.status_code == 201, again.text
    assert sorted(again.json()["case_ids"]) == sorted(body["case_ids"])
    for buyer in (first, second):
        assert len(client.get("/api/cases", headers=buyer.headers).json()) == 1
