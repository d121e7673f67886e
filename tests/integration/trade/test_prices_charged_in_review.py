"""Listing review reads the prices buyers actually paid (orders) as well as the prices in
force: art. 16's reference is the lowest deal price of the 7 days before."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.trade.conftest import AIRCON


def on_sale(client, sale) -> None:
    """The fixture's listing lacks the producer's address; with it, it may go on sale."""
    label = {**AIRCON["label"], "producer_address": "广东省珠海市香洲区前山路1号"}
    fixed = client.patch(
        f"/api/listings/{sale.listing_id}", json={"label": label}, headers=sale.shop_headers
    )
    assert fixed.json()["status"] == "approved", fixed.text
    published = client.post(f"/api/listings/{sale.listing_id}/publish", headers=sale.shop_headers)
    assert published.json()["status"] == "on_sale", published.text


def test_an_original_price_above_what_buyers_paid_last_week_is_refused(
    client, auth, clock, sale, make_buyer
):
    on_sale(client, sale)
    # a live-room coupon: one buyer paid 1,599 yuan for the 1,999 yuan air conditioner
    order = sale.order(make_buyer(), unit_price_fen=159900, amount_paid_fen=159900)
    order["paid_at"] = (clock.at - timedelta(minutes=1)).isoformat()
    assert client.post("/api/orders", json=order, headers=auth()).status_code == 201

    clock.at += timedelta(days=3)
    sale_price = {"price_fen": 179900, "original_price_fen": 199900}
    changed = client.patch(
        f"/api/listings/{sale.listing_id}", json=sale_price, headers=sale.shop_headers
    ).json()
    found = {p["check"]: p for p in changed["review"]["problems"]}
    assert found["price.fake_original"]["evidence"]["lowest_fen"] == 159900


def test_without_cheaper_sales_the_price_in_force_is_a_fair_original(
    client, auth, clock, sale, make_buyer
):
    on_sale(client, sale)
    order = sale.order(make_buyer())  # paid the list price
    order["paid_at"] = (clock.at - timedelta(minutes=1)).isoformat()
    assert client.post("/api/orders", json=order, headers=auth()).status_code == 201
    clock.at += timedelta(days=3)
    sale_price = {"price_fen": 179900, "original_price_fen": 199900}
    changed = client.patch(
        f"/api/listings/{sale.listing_id}", json=sale_price, headers=sale.shop_headers
    ).json()
    assert "price.fake_original" not in {p["check"] for p in changed["review"]["problems"]}
