"""The demo carries S7 and S11: red envelopes unpaid and short, a refused price
protection owed 200 yuan, and the star's room whose audience was bought, each a finding
a person can see on the shop's or the room's page."""

from __future__ import annotations

from liveguard.cli import demo_data
from liveguard.cli.demo_s7_s11 import S11_TITLE


def test_the_demo_shows_s7_and_s11(app, client, clock, auth):
    assert demo_data.load(app.state.settings, clock=clock)
    orders = {o["order_no"]: o for o in client.get("/api/orders", headers=auth()).json()}
    shop_id = orders["HB0701-0001"]["merchant_id"]
    found = client.get(f"/api/merchants/{shop_id}/benefit-findings", headers=auth()).json()
    kinds = {(f["order_id"], f["kind"]) for f in found}
    assert (orders["HB0701-0001"]["id"], "payout_short") in kinds
    assert (orders["HB0701-0002"]["id"], "payout_missing") in kinds
    [refused] = [f for f in found if f["kind"] == "price_protection_refused"]
    assert refused["owed_fen"] == 20000 and refused["case_id"] is not None
    case = client.get(f"/api/cases/{refused['case_id']}", headers=auth()).json()
    assert {r["kind"]: r["amount_fen"] for r in case["resolution"]["remedies"]}[
        "price_protection"
    ] == 20000
    page = client.get(f"/console/merchants/{shop_id}", headers=auth())
    assert "HB0701-0002" in page.text and "商家拒绝按承诺保价退差价" in page.text

    [room] = [
        s for s in client.get("/api/sessions", headers=auth()).json() if s["title"] == S11_TITLE
    ]
    shown = client.get(f"/api/sessions/{room['id']}/picture", headers=auth()).json()
    assert shown["findings"] >= 3
    assert shown["controllers"]["named"][0]["name"] == "北京星光传媒有限公司"
    picture = client.get(f"/console/live/{room['id']}/picture", headers=auth())
    assert "<polyline" in picture.text and "北京星光传媒有限公司" in picture.text
    room_page = client.get(f"/console/live/{room['id']}", headers=auth())
    count = f'data-testid="traffic-findings">{shown["findings"]}<'
    assert count in room_page.text and f"/console/live/{room['id']}/picture" in room_page.text
    nest_shop = client.get(f"/console/merchants/{room['merchant_id']}", headers=auth())
    assert f"共 <b>{shown['findings']}</b> 条" in nest_shop.text
