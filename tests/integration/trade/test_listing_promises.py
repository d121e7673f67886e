"""A shop moving a listing's date for all its open orders at once (S4's "moved to 30 May")."""

from __future__ import annotations

from tests.integration.trade.conftest import at

PROMISE = {
    "kind": "ship_by",
    "due_on": "2026-05-28",
    "source": "listing",
    "said_at": at("2026-05-01 20:15").isoformat(),
}


def test_the_new_date_replaces_the_promise_in_force_on_every_open_order(
    client, auth, clock, sale, make_buyer, make_shop
):
    def place(n: int, **changes) -> dict:
        buyer = make_buyer()
        response = client.post(
            "/api/orders", json=sale.order(buyer, n=n, **changes), headers=auth()
        )
        assert response.status_code == 201, response.text
        return response.json()

    promised = place(1, promises=[PROMISE])
    unpromised = place(2)
    shipped = place(3, promises=[PROMISE])
    clock.at = at("2026-05-20 10:00")
    ship = {"status": "shipped", "occurred_at": at("2026-05-20 09:00").isoformat()}
    assert (
        client.post(f"/api/orders/{shipped['id']}/status", json=ship, headers=auth()).status_code
        == 200
    )
    clock.at = at("2026-05-28 17:10")  # the 16:00 announcement is reported at 17:10
    later = place(4, paid_at=at("2026-05-28 17:00").isoformat())
    change = {
        "kind": "ship_by",
        "due_on": "2026-05-30",
        "quote": "因厂家排产，预售订单发货时间调整为5月30日前",
        "said_at": at("2026-05-28 16:00").isoformat(),
        "reason": "厂家排产",
    }
    url = f"/api/listings/{sale.listing_id}/promises"
    assert client.post(url, json=change, headers=make_shop().headers).status_code == 403
    assert client.post(url, json=change, headers=auth("regulator")).status_code == 403
    assert (
        client.post(url, json={**change, "reason": ""}, headers=sale.shop_headers).status_code
        == 422
    )
    moved = client.post(url, json=change, headers=sale.shop_headers)
    assert moved.status_code == 201, moved.text
    by_order = {p["order_id"]: p for p in moved.json()}
    assert set(by_order) == {promised["id"], unpromised["id"]}  # not shipped, not paid later
    assert by_order[promised["id"]]["replaces_id"] == promised["promises"][0]["id"]
    assert by_order[unpromised["id"]]["replaces_id"] is None
    assert {p["source"] for p in by_order.values()} == {"merchant_notice"}
    assert later["id"] not in by_order

    again = client.post(url, json={**change, "due_on": "2026-06-05"}, headers=sale.shop_headers)
    assert [p["replaces_id"] for p in again.json()] == [
        by_order[promised["id"]]["id"],
        by_order[unpromised["id"]]["id"],
    ]
