"""The demo carries S4: the air conditioner's moved date broken, the order cancelled and
refunded after it, the buyer's case opened unasked, and the shop's page counting it."""

from __future__ import annotations

from datetime import date

from liveguard.cli import demo_data


def test_the_demo_shows_s4_from_payment_to_the_case(app, client, clock, auth):
    assert demo_data.load(app.state.settings, clock=clock)
    orders = client.get("/api/orders", headers=auth()).json()
    [order] = [o for o in orders if o["order_no"] == "YX0501-88231"]
    shown = client.get(f"/api/orders/{order['id']}", headers=auth()).json()
    assert shown["status"] == "refunded"
    first, moved = shown["promises"]
    assert moved["replaces_id"] == first["id"] and moved["reason"] == "商家未说明原因"
    [breach] = shown["breaches"]
    today = clock.today()
    assert breach["promise_id"] == moved["id"]
    assert date.fromisoformat(breach["breached_on"]) == today.fromordinal(today.toordinal() - 16)
    assert breach["resolution"] == "cancelled" and breach["case_id"] is not None
    case = client.get(f"/api/cases/{breach['case_id']}", headers=auth()).json()
    assert case["origin"] == "automatic" and case["order_id"] == order["id"]
    page = client.get(f"/console/merchants/{order['merchant_id']}", headers=auth())
    assert "共 <b>1</b> 次" in page.text and "YX0501-88231" in page.text
