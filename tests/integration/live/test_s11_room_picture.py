"""S11 through the API on each database: a merchant pays a star's agency for a joint
session; the room shows a huge audience and sells almost nothing (seed 001).

The room's events are generated with bought viewers, likes and orders; the merchant sees
its own room's picture (not another shop's), staff store the signs as findings in the
ledger, and each finding names the agency and the anchor who ran the room.
"""

from __future__ import annotations

import random
from datetime import timedelta

from liveguard.live import room_samples
from tests import factories


def test_s11_the_merchant_sees_its_rooms_real_picture_and_the_finding_names_the_agency(
    client, auth, clock, room, make_shop
):
    session = client.get(f"/api/sessions/{room.session_id}", headers=auth()).json()
    mcn = client.post(
        "/api/mcns",
        json={"name": "星光传媒有限公司", "credit_code": factories.credit_code()},
        headers=auth(),
    )
    assert mcn.status_code == 201, mcn.text
    signed = client.post(
        "/api/relations",
        json={
            "kind": "signed_with_mcn",
            "anchor_id": session["anchor_id"],
            "mcn_id": mcn.json()["id"],
            "starts_on": (clock.now() - timedelta(days=90)).date().isoformat(),
        },
        headers=auth(),
    )
    assert signed.status_code == 201, signed.text

    start = clock.now() + timedelta(minutes=1)
    bought = room_samples.make_room(
        random.Random(1),
        "s11",
        start=start,
        bought=["likes", "orders", "viewers"],
        category="beauty",
        listing_id=room.listing_id,
    )
    clock.at = start + timedelta(minutes=31)
    stored = client.post(room.events_url(), json=bought.events, headers=auth())
    assert stored.status_code == 200, stored.text
    assert stored.json()["refused"] == [], stored.text

    # the merchant who paid for the room sees its picture, minute by minute
    seen = client.get(f"/api/sessions/{room.session_id}/picture", headers=room.shop_headers)
    assert seen.status_code == 200, seen.text
    shown = seen.json()
    assert len(shown["minutes"]) >= 30
    assert shown["peak_viewers"] > 10 * min(m["viewers"] for m in shown["minutes"])
    assert shown["orders"] == sum(m["orders"] for m in shown["minutes"]) > 0
    assert {s["rule"] for s in shown["signals"]} >= {
        "traffic.viewer_jump",
        "traffic.idle_likers",
        "traffic.fresh_buyers",
    }
    assert [p["role"] for p in shown["controllers"]["named"]] == ["mcn", "anchor"]
    assert shown["controllers"]["named"][0]["name"] == "星光传媒有限公司"
    # but no other session route, and not another shop's room
    assert client.get(room.events_url(), headers=room.shop_headers).status_code == 403
    other = make_shop()
    refused = client.get(f"/api/sessions/{room.session_id}/picture", headers=other.headers)
    assert refused.status_code == 403

    found = client.post(f"/api/sessions/{room.session_id}/picture/check", headers=auth())
    assert found.status_code == 200, found.text
    findings = found.json()
    assert {f["rule"] for f in findings} >= {"traffic.viewer_jump", "traffic.fresh_buyers"}
    assert all(f["ledger_seq"] is not None and f["category"] == "fake_traffic" for f in findings)
    jump = next(f for f in findings if f["rule"] == "traffic.viewer_jump")
    named = jump["evidence"]["controlled_by"]["named"]
    assert [p["role"] for p in named] == ["mcn", "anchor"]
    assert {(b["law"], b["article"]) for b in jump["legal_basis"]} >= {("电子商务法", 17)}
    again = client.post(f"/api/sessions/{room.session_id}/picture/check", headers=auth())
    assert again.json() == []  # each sign stored once

    # the signs count against the shop's credit at once, as bought traffic (not twice)
    shop_id = seen.json()["merchant_id"]
    history = client.get(f"/api/credit/scores/merchant/{shop_id}/history", headers=auth()).json()
    assert f"live_finding:{findings[-1]['id']}" in {h["cause"] for h in history}
    score = client.get(f"/api/credit/scores/merchant/{shop_id}", headers=auth()).json()
    factors = {f["id"]: f for f in score["factors"]}
    stored = {f"live_finding:{f['id']}" for f in findings}
    assert stored <= {r["ref"] for r in factors["bought_traffic"]["records"]}
    assert not stored & {r["ref"] for r in factors["live_findings"]["records"]}
    assert all(r["link"].endswith("/picture") for r in factors["bought_traffic"]["records"])

    item = client.get(f"/api/evidence/items/{jump['ledger_seq']}", headers=auth()).json()
    assert item["record"]["data"]["rule"] == "traffic.viewer_jump"
    counted = client.get(f"/api/sessions/{room.session_id}/picture", headers=room.shop_headers)
    # with the live monitor's own traffic findings (traffic.inflated_audience) beside them
    assert counted.json()["findings"] > len(findings)

    page = client.get(f"/console/live/{room.session_id}/picture", headers=room.shop_headers)
    assert page.status_code == 200, page.text
    assert "<svg" in page.text and "星光传媒有限公司" in page.text
    assert "观看人数" in page.text and "traffic.viewer_jump" not in page.text
