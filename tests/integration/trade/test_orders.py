"""Orders through the API: who may write and read them, what is refused, what the ledger
holds, and the reads other capabilities build on."""

from __future__ import annotations

import json
from datetime import timedelta

from liveguard.trade import service as trade_service
from tests.integration.trade.conftest import at


def place(client, auth, sale, buyer, **changes) -> dict:
    response = client.post("/api/orders", json=sale.order(buyer, **changes), headers=auth())
    assert response.status_code == 201, response.text
    return response.json()


def test_a_buyer_sees_their_own_orders_and_nobody_elses(client, auth, sale, make_buyer):
    mine, theirs = make_buyer(), make_buyer()
    own = place(client, auth, sale, mine)
    other = place(client, auth, sale, theirs)
    listed = client.get("/api/orders", headers=mine.headers)
    assert [o["id"] for o in listed.json()] == [own["id"]]
    assert client.get(f"/api/orders/{own['id']}", headers=mine.headers).status_code == 200
    assert client.get(f"/api/orders/{other['id']}", headers=mine.headers).status_code == 403
    asked = client.get(f"/api/orders?consumer_id={theirs.id}", headers=mine.headers)
    assert asked.status_code == 403
    assert client.get(f"/api/orders/{own['id']}").status_code == 401


def test_a_shop_sees_and_ships_its_own_orders_but_cannot_create_them(
    client, auth, clock, sale, make_buyer, make_shop
):
    order = place(client, auth, sale, make_buyer())
    listed = client.get("/api/orders", headers=sale.shop_headers)
    assert [o["id"] for o in listed.json()] == [order["id"]]
    stranger = make_shop()
    assert client.get(f"/api/orders/{order['id']}", headers=stranger.headers).status_code == 403
    assert client.get("/api/orders", headers=stranger.headers).json() == []
    refused = client.post("/api/orders", json={}, headers=sale.shop_headers)
    assert refused.status_code == 403
    ship = {"status": "shipped", "occurred_at": at("2026-05-01 20:18").isoformat()}
    assert (
        client.post(f"/api/orders/{order['id']}/status", json=ship, headers=stranger.headers)
    ).status_code == 403
    shipped = client.post(f"/api/orders/{order['id']}/status", json=ship, headers=sale.shop_headers)
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["events"][0]["actor"] == f"merchant:{sale.shop_id}"


def test_a_buyer_and_a_regulator_cannot_change_an_order(client, auth, sale, make_buyer):
    buyer = make_buyer()
    order = place(client, auth, sale, buyer)
    cancel = {"status": "cancelled", "occurred_at": at("2026-05-01 20:18").isoformat()}
    for headers in (buyer.headers, auth("regulator")):
        response = client.post(f"/api/orders/{order['id']}/status", json=cancel, headers=headers)
        assert response.status_code == 403
    assert client.post("/api/orders", json={}, headers=auth("regulator")).status_code == 403


def test_it_refuses_wrong_orders_before_storing_them(client, auth, sale, make_buyer, make_shop):
    buyer = make_buyer()
    cases = [
        ({"amount_paid_fen": 299900}, "amount_paid_fen"),
        ({"paid_at": at("2026-05-02 09:00").isoformat()}, "paid_at"),  # after the clock
        ({"paid_at": at("2026-05-01 18:00").isoformat()}, "paid_at"),  # before the session
        ({"listing_version": 7}, "listing_version"),
        ({"quantity": 0}, "quantity"),
    ]
    for changes, field in cases:
        response = client.post("/api/orders", json=sale.order(buyer, **changes), headers=auth())
        assert response.status_code == 422, (changes, response.text)
        assert field in response.text
    other = make_shop()
    foreign = client.post(
        "/api/orders", json=sale.order(buyer, merchant_id=other.id), headers=auth()
    )
    assert foreign.status_code == 422 and "listing_id" in foreign.text
    place(client, auth, sale, buyer)
    again = client.post("/api/orders", json=sale.order(buyer), headers=auth())
    assert again.status_code == 409
    assert client.get("/api/orders", headers=auth()).json()[0]["order_no"] == f"S4-{buyer.id}-1"


def test_status_changes_follow_the_order_of_things(client, auth, clock, sale, make_buyer):
    order = place(client, auth, sale, make_buyer())
    url = f"/api/orders/{order['id']}/status"
    clock.at = at("2026-05-03 10:00")

    def change(**body):
        return client.post(url, json=body, headers=auth())

    assert (
        change(status="delivered", occurred_at=at("2026-05-04 10:00").isoformat()).status_code
        == 422
    )
    assert (
        change(status="shipped", occurred_at=at("2026-04-30 10:00").isoformat()).status_code == 422
    )
    assert (
        change(status="shipped", occurred_at=at("2026-05-02 10:00").isoformat()).status_code == 200
    )
    assert change(status="paid", occurred_at=at("2026-05-02 11:00").isoformat()).status_code == 409
    too_much = change(
        status="refunded", occurred_at=at("2026-05-03 09:00").isoformat(), refund_fen=200000
    )
    assert too_much.status_code == 422 and "refund_fen" in too_much.text
    part = change(
        status="refunded", occurred_at=at("2026-05-03 09:00").isoformat(), refund_fen=50000
    )
    assert part.status_code == 200
    rest = change(
        status="refunded", occurred_at=at("2026-05-03 09:30").isoformat(), refund_fen=149900
    )
    assert rest.status_code == 200
    assert [e["to_status"] for e in rest.json()["events"]] == ["shipped", "refunded", "refunded"]
    nothing_left = change(
        status="refunded", occurred_at=at("2026-05-03 09:40").isoformat(), refund_fen=1
    )
    assert nothing_left.status_code == 422


def test_a_change_of_promise_names_what_it_replaces_and_why(client, auth, clock, sale, make_buyer):
    promise = {
        "kind": "ship_by",
        "due_on": "2026-05-28",
        "source": "live_room",
        "quote": "28号之前一定发货",
        "said_at": at("2026-05-01 20:10").isoformat(),
    }
    order = place(client, auth, sale, make_buyer(), promises=[promise])
    [first] = order["promises"]
    url = f"/api/orders/{order['id']}/promises"
    moved = {
        **promise,
        "due_on": "2026-05-30",
        "source": "customer_service",
        "replaces_id": first["id"],
    }
    clock.at = at("2026-05-27 10:00")
    moved["said_at"] = clock.at.isoformat()
    assert client.post(url, json=moved, headers=auth()).status_code == 422  # no reason
    moved["reason"] = "厂家排产延迟"
    assert client.post(url, json={**moved, "kind": "deliver_by"}, headers=auth()).status_code == 422
    made = client.post(url, json=moved, headers=auth())
    assert made.status_code == 201, made.text
    twice = client.post(url, json={**moved, "due_on": "2026-06-02"}, headers=auth())
    assert twice.status_code == 409 and str(made.json()["id"]) in twice.text
    past = {**promise, "due_on": "2026-05-20", "said_at": clock.at.isoformat()}
    assert client.post(url, json=past, headers=auth()).status_code == 422


def test_each_order_fact_is_in_the_ledger_with_the_recipient_sealed(
    client, auth, clock, sale, make_buyer
):
    buyer = make_buyer()
    recipient = {"name": "李晓红", "phone": "13912345678", "address": "杭州市西湖区文三路1号"}
    order = place(client, auth, sale, buyer, recipient=recipient)
    item = client.get(f"/api/evidence/items/{order['ledger_seq']}", headers=auth("admin"))
    assert item.status_code == 200, item.text
    record = item.json()["record"]
    assert record["data"]["event"] == "order_paid"
    assert record["data"]["amount_paid_fen"] == 199900
    assert record["who"]["anchor_id"] == sale.anchor_id
    assert "13912345678" not in json.dumps(record, ensure_ascii=False)
    assert "李晓红" not in json.dumps(record, ensure_ascii=False)
    assert item.json()["personal"] == {"recipient": recipient}


def test_other_capabilities_read_orders_by_buyer_listing_batch_and_prices(
    db, client, auth, clock, sale, make_buyer
):
    a, b = make_buyer(), make_buyer()
    first = place(client, auth, sale, a)
    clock.at = at("2026-05-02 12:00")
    second = place(
        client,
        auth,
        sale,
        b,
        batch="2026-05-C1",
        unit_price_fen=179900,
        amount_paid_fen=179900,
        paid_at=at("2026-05-02 11:00").isoformat(),
    )
    with db() as session:
        assert [
            o.id for o in trade_service.orders_of_consumer(db_session=session, consumer_id=a.id)
        ] == [first["id"]]
        listing = trade_service.orders_of_listing(db_session=session, listing_id=sale.listing_id)
        assert [o.id for o in listing] == [second["id"], first["id"]]
        batch = trade_service.orders_of_batch(
            db_session=session, listing_id=sale.listing_id, batch="2026-04-B7"
        )
        assert [o.id for o in batch] == [first["id"]]
        since = at("2026-05-01 00:00")
        prices = trade_service.prices_charged(
            db_session=session,
            listing_id=sale.listing_id,
            since=since,
            until=since + timedelta(days=2),
        )
        assert [(p.order_id, p.unit_price_fen) for p in prices] == [
            (first["id"], 199900),
            (second["id"], 179900),
        ]
        assert trade_service.get_order(db_session=session, order_id=first["id"]).status == "paid"
