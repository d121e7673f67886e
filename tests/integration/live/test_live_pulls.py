"""A listing the monitor pulls stays pulled: a decision with its reason, shown on its
public page; the merchant cannot put it back by publishing it or changing it, she can
appeal; staff put it back after review."""

from __future__ import annotations

from tests.integration.live.test_live_scenarios import send


def _pulled_by_the_monitor(client, auth, room, event) -> None:
    shown = event("listing_shown", data={"listing_id": room.listing_id})
    changed = event(
        "listing_changed",
        data={
            "listing_id": room.listing_id,
            "changes": {"price_fen": 1, "shipping_fee_fen": 99900},
        },
    )
    send(client, auth, room, [shown, changed])
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    assert "pull_listing" in [a["kind"] for a in timeline["actions"]]


def test_a_listing_the_monitor_pulls_is_pulled_with_its_reason_in_public(client, auth, room, event):
    _pulled_by_the_monitor(client, auth, room, event)
    url = f"/api/listings/{room.listing_id}"
    assert client.get(url, headers=auth()).json()["status"] == "pulled"
    [review] = [
        r
        for r in client.get(f"{url}/reviews", headers=auth()).json()
        if r["reviewer_kind"] == "monitor"
    ]
    assert review["verdict"] == "reject" and review["reason"] and review["ledger_seq"]
    public = client.get(f"/api/public/listings/{room.listing_id}")
    assert public.status_code == 200
    assert public.json()["status"] == "pulled"
    assert public.json()["status_reason"] == review["reason"]
    page = client.get(f"/listings/{room.listing_id}")
    assert page.status_code == 200 and f"已下架 Not on sale：{review['reason']}" in page.text


def test_only_staff_put_a_pulled_listing_back_on_sale_and_the_merchant_may_appeal(
    client, auth, room, event
):
    _pulled_by_the_monitor(client, auth, room, event)
    url = f"/api/listings/{room.listing_id}"
    shop = room.shop_headers
    again = client.post(f"{url}/publish", headers=shop)
    assert again.status_code == 409
    edited = client.patch(url, json={"title": "羽绒服 新款"}, headers=shop)
    assert edited.status_code == 409
    assert client.get(url, headers=auth()).json()["status"] == "pulled"
    appealed = client.post(
        f"{url}/appeal", json={"statement": "运费已改回包邮，请复核。"}, headers=shop
    )
    assert appealed.status_code == 201, appealed.text
    assert client.post(f"{url}/publish", headers=shop).status_code == 409
    decided = client.post(f"{url}/decision", json={"decision": "approve"}, headers=auth())
    assert decided.status_code == 200, decided.text
    assert client.post(f"{url}/publish", headers=shop).status_code == 200
