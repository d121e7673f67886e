"""S4, the air conditioner that never shipped, through the API on each database.

The seed: paid on 1 May under four anchors' promotion, marked to ship on 28 May; the
buyer waited until 28 May, when the date was moved to 30 May; two days later still
nothing, customer service said "please be patient"; on the evening of 16 June the shop
cancelled the order and refunded it. The change came on 28 May itself, before that day
ran out, so 28 May is not a broken date: the broken one is 30 May, flagged on 31 May.
(Had the change come on 29 May, both dates would be broken: see the second test.)
"""

from __future__ import annotations

from tests.integration.trade.conftest import at


def check(client, auth, clock, when: str) -> dict:
    clock.at = at(when)
    response = client.post("/api/trade/check-promises", headers=auth())
    assert response.status_code == 200, response.text
    return response.json()


def paid_with_promise(client, auth, sale, buyer) -> dict:
    order = client.post(
        "/api/orders",
        json=sale.order(
            buyer,
            recipient={
                "name": "李晓红",
                "phone": "13912345678",
                "address": "杭州市西湖区文三路1号",
            },
            promises=[
                {
                    "kind": "ship_by",
                    "due_on": "2026-05-28",
                    "source": "listing",
                    "quote": "预售：5月28日前发货",
                    "said_at": at("2026-05-01 20:15").isoformat(),
                }
            ],
        ),
        headers=auth("case_handler"),
    )
    assert order.status_code == 201, order.text
    return order.json()


def move_to_30_may(client, sale, order: dict, when: str) -> dict:
    moved = client.post(
        f"/api/orders/{order['id']}/promises",
        json={
            "kind": "ship_by",
            "due_on": "2026-05-30",
            "source": "merchant_notice",
            "quote": "发货时间调整为5月30日",
            "said_at": at(when).isoformat(),
            "replaces_id": order["promises"][0]["id"],
            "reason": "none given",
        },
        headers=sale.shop_headers,
    )
    assert moved.status_code == 201, moved.text
    return moved.json()


def test_s4_the_moved_date_is_flagged_the_day_after_and_a_case_opens_unasked(
    client, auth, clock, sale, make_buyer
):
    buyer = make_buyer()
    order = paid_with_promise(client, auth, sale, buyer)
    assert order["anchor_id"] == sale.anchor_id  # the session's anchor sold it
    assert order["recipient_masked"] == "李** 139****5678"

    assert check(client, auth, clock, "2026-05-28 09:00")["breaches"] == []
    clock.at = at("2026-05-28 16:00")
    move_to_30_may(client, sale, order, "2026-05-28 16:00")
    assert check(client, auth, clock, "2026-05-29 00:05")["breaches"] == []
    assert check(client, auth, clock, "2026-05-30 12:00")["breaches"] == []

    report = check(client, auth, clock, "2026-05-31 00:05")
    [breach] = report["breaches"]
    assert (breach["due_on"], breach["breached_on"]) == ("2026-05-30", "2026-05-31")
    assert breach["order_id"] == order["id"] and breach["merchant_id"] == sale.shop_id
    assert breach["case_id"] is not None
    assert check(client, auth, clock, "2026-05-31 12:00")["breaches"] == []  # not twice

    case = client.get(f"/api/cases/{breach['case_id']}", headers=auth())
    assert case.status_code == 200, case.text
    opened = case.json()
    assert (opened["origin"], opened["kind"]) == ("automatic", "delivery_promise_broken")
    assert (opened["order_id"], opened["consumer_id"]) == (order["id"], buyer.id)
    assert opened["facts"]["defect"] == "not_delivered"
    assert opened["facts"]["price_paid_fen"] == 199900
    assert opened["facts"]["knew_of_harm_on"] == "2026-05-31"
    assert client.get(f"/api/cases/{breach['case_id']}", headers=buyer.headers).status_code == 200

    clock.at = at("2026-06-16 21:10")
    for change in (
        {
            "status": "cancelled",
            "occurred_at": at("2026-06-16 21:00").isoformat(),
            "reason": "缺货",
        },
        {
            "status": "refunded",
            "occurred_at": at("2026-06-16 21:05").isoformat(),
            "refund_fen": 199900,
        },
    ):
        changed = client.post(
            f"/api/orders/{order['id']}/status", json=change, headers=sale.shop_headers
        )
        assert changed.status_code == 200, changed.text
    shown = changed.json()
    assert shown["status"] == "refunded"
    [settled] = shown["breaches"]
    assert settled["resolution"] == "cancelled"  # the cancellation after the breach, kept
    assert settled["resolved_at"].startswith("2026-06-16T13:00")
    assert settled["case_id"] == breach["case_id"]  # the case stays: more may be owed

    # cancelled and refunded, the order still holds its case and its breach counts
    assert check(client, auth, clock, "2026-06-17 00:05")["breaches"] == []
    counted = client.get(f"/api/merchants/{sale.shop_id}/breaches", headers=sale.shop_headers)
    assert [b["id"] for b in counted.json()] == [breach["id"]]
    again = client.get(f"/api/cases/{breach['case_id']}", headers=auth())
    assert again.json()["closed_at"] is None

    page = client.get(f"/console/merchants/{sale.shop_id}", headers=auth())
    assert page.status_code == 200, page.text
    assert "共 <b>1</b> 次，近一年 <b>1</b> 次" in page.text
    assert order["order_no"] in page.text and f"/console/cases/{breach['case_id']}" in page.text


def test_s4_moved_only_after_the_date_passed_both_dates_are_broken_in_one_case(
    client, auth, clock, sale, make_buyer
):
    order = paid_with_promise(client, auth, sale, make_buyer())
    [first] = check(client, auth, clock, "2026-05-29 08:00")["breaches"]
    assert (first["due_on"], first["breached_on"]) == ("2026-05-28", "2026-05-29")
    clock.at = at("2026-05-29 10:00")
    move_to_30_may(client, sale, order, "2026-05-29 10:00")
    [second] = check(client, auth, clock, "2026-05-31 08:00")["breaches"]
    assert (second["due_on"], second["breached_on"]) == ("2026-05-30", "2026-05-31")
    assert second["case_id"] == first["case_id"]
    url = f"/api/merchants/{sale.shop_id}/breaches"
    assert [b["due_on"] for b in client.get(url, headers=auth()).json()] == [
        "2026-05-30",
        "2026-05-28",
    ]
    assert len(client.get(f"{url}?since=2026-05-30", headers=auth()).json()) == 1  # found 31 May
    assert client.get(f"{url}?since=2026-06-01", headers=auth()).json() == []


def test_a_check_run_late_dates_the_breach_to_its_day_and_records_the_late_shipment(
    client, auth, clock, sale, make_buyer
):
    order = paid_with_promise(client, auth, sale, make_buyer())
    clock.at = at("2026-06-01 09:00")
    shipped = client.post(
        f"/api/orders/{order['id']}/status",
        json={
            "status": "shipped",
            "occurred_at": at("2026-06-01 08:30").isoformat(),
            "carrier": "顺丰",
            "tracking_no": "SF1234567890",
        },
        headers=sale.shop_headers,
    )
    assert shipped.status_code == 200, shipped.text
    [breach] = check(client, auth, clock, "2026-06-02 10:00")["breaches"]
    assert breach["breached_on"] == "2026-05-29"
    assert breach["resolution"] == "shipped_late"


def test_the_check_can_be_asked_for_a_given_day_and_needs_compliance(
    client, auth, clock, sale, make_buyer
):
    paid_with_promise(client, auth, sale, make_buyer())
    clock.at = at("2026-06-20 10:00")
    assert client.post("/api/trade/check-promises", headers=auth("regulator")).status_code == 403
    early = client.post("/api/trade/check-promises?day=2026-05-28", headers=auth())
    assert early.json()["breaches"] == []
    late = client.post("/api/trade/check-promises?day=2026-05-29", headers=auth())
    assert [b["breached_on"] for b in late.json()["breaches"]] == ["2026-05-29"]
