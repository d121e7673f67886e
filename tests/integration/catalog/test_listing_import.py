"""Bulk import: valid rows are stored and reviewed; each bad row is named with its field."""

from __future__ import annotations

from tests.integration.catalog.conftest import GOOD_FOOD


def test_a_json_import_stores_the_valid_rows_and_reports_the_rest(client, shop, auth):
    rows = [
        {**GOOD_FOOD, "merchant_id": shop.id},
        {**GOOD_FOOD, "merchant_id": shop.id, "price_fen": 12.5},
        {**GOOD_FOOD, "merchant_id": shop.id, "category": "cosmetics"},
        {**GOOD_FOOD, "merchant_id": shop.id, "price_fen": 1, "shipping_fee_fen": 99900},
        {"merchant_id": shop.id, "category": "food", "price_fen": 100},
        "not a listing",
    ]
    response = client.post("/api/listings/import", json=rows, headers=auth())
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(c["row"], c["status"]) for c in result["created"]] == [
        (1, "approved"),
        (4, "rejected"),
    ]
    errors = {(e["row"], e["field"]) for e in result["errors"]}
    assert errors == {(2, "price_fen"), (3, "category"), (5, "title"), (6, "row")}
    cosmetics = next(e for e in result["errors"] if e["row"] == 3)
    assert "cosmetics" in cosmetics["message"]
    stored = client.get("/api/listings", params={"merchant_id": shop.id}, headers=auth()).json()
    assert sorted(listing["id"] for listing in stored) == sorted(c["id"] for c in result["created"])


def test_a_merchant_imports_a_csv_of_its_own_listings(client, shop, make_shop):
    other = make_shop()
    label = GOOD_FOOD["label"]
    header = "title,category,price_fen,shipping_fee_fen,merchant_id," + ",".join(
        f"label.{name}" for name in label
    )
    values = ",".join(label.values())
    csv = "\n".join(
        [
            header,
            f"每日坚果混合果仁 礼盒装,food,9900,0,,{values}",
            f"每日坚果混合果仁 礼盒装,food,9900,0,{other.id},{values}",
            f"每日坚果 缺地址,food,9900,0,,{values.replace(label['producer_address'], '')}",
            f"每日坚果 运费,food,abc,0,,{values}",
        ]
    )
    response = client.post(
        "/api/listings/import",
        content=csv.encode("utf-8"),
        headers={**shop.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(c["row"], c["status"]) for c in result["created"]] == [
        (1, "approved"),
        (3, "rejected"),
    ]
    assert [(e["row"], e["field"]) for e in result["errors"]] == [
        (2, "merchant_id"),
        (4, "price_fen"),
    ]
    mine = client.get(f"/api/listings/{result['created'][1]['id']}", headers=shop.headers).json()
    assert mine["review"]["problems"][0]["field"] == "label.producer_address"


def test_an_import_with_no_rows_or_bad_json_is_refused_whole(client, auth):
    empty = client.post("/api/listings/import", json=[], headers=auth())
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "body"
    bad = client.post(
        "/api/listings/import",
        content=b"[{",
        headers={**auth(), "Content-Type": "application/json"},
    )
    assert bad.status_code == 422
    assert "JSON" in bad.json()["detail"]
    assert (
        client.post("/api/listings/import", json=[{}], headers=auth("regulator")).status_code == 403
    )
