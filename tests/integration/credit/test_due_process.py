"""The rest of due process through the API on each database: a dismissed finding leaves
the score (and the history says so), an upheld complaint counts against the shop, an
appeal granted withdraws the listing from the public at once, and a clean shop's red
listing is decided at once and puts its listings first in the review queue."""

from __future__ import annotations

from tests.integration.catalog.conftest import Shop, listing
from tests.integration.credit.test_s9_lists import LINES, proceedings_of, say
from tests.integration.trade.conftest import at
from tests.integration.trade.test_s4_promises import check, paid_with_promise


def timeline_findings(client, auth, session_id: int) -> list[int]:
    timeline = client.get(f"/api/sessions/{session_id}/timeline", headers=auth()).json()
    return [f["id"] for e in timeline["events"] for f in e["findings"]]


def score_of(client, auth, shop_id: int) -> dict:
    return client.get(f"/api/credit/scores/merchant/{shop_id}", headers=auth()).json()


def test_a_dismissed_finding_stops_counting_and_the_history_says_why(client, auth, clock, sale):
    clock.at = at("2026-06-01 20:00")
    say(client, auth, clock, sale, LINES[0])
    assert score_of(client, auth, sale.shop_id)["score"] == 91.0  # 1.5 x high (6)
    [finding_id] = timeline_findings(client, auth, sale.session_id)
    dismissed = client.post(
        f"/api/live/findings/{finding_id}/dismiss",
        json={"reason": "主播念的是平台公告，误报"},
        headers=auth(),
    )
    assert dismissed.status_code == 200, dismissed.text
    assert score_of(client, auth, sale.shop_id)["score"] == 100.0
    history = client.get(
        f"/api/credit/scores/merchant/{sale.shop_id}/history", headers=auth()
    ).json()
    assert [(h["score"], h["cause"]) for h in history] == [
        (100.0, f"dismissed:live_finding:{finding_id}"),
        (91.0, f"live_finding:{finding_id}"),
    ]


def test_an_upheld_complaint_counts_against_the_shop_held_liable(
    client, auth, clock, sale, make_buyer
):
    paid_with_promise(client, auth, sale, make_buyer())
    [breach] = check(client, auth, clock, "2026-05-29 00:05")["breaches"]
    case_url = f"/api/cases/{breach['case_id']}"
    moved = client.post(
        f"{case_url}/transition", json={"to_state": "accepted"}, headers=auth("case_handler")
    )
    assert moved.status_code == 200, moved.text
    decided = client.post(
        f"{case_url}/decision",
        json={"outcome": "商家未按承诺发货，退款并赔偿", "amount_fen": 10000, "liable": ["seller"]},
        headers=auth("case_handler"),
    )
    assert decided.status_code == 200, decided.text
    factors = {f["id"]: f for f in score_of(client, auth, sale.shop_id)["factors"]}
    [upheld] = factors["upheld_complaints"]["records"]
    assert upheld["ref"] == f"case:{breach['case_id']}"
    assert upheld["link"] == f"/console/cases/{breach['case_id']}"
    assert factors["delivery_breaches"]["deduction"] == 3
    anchor = client.get(f"/api/credit/scores/anchor/{sale.anchor_id}", headers=auth()).json()
    assert {f["id"]: f["records"] for f in anchor["factors"]}["upheld_complaints"] == []


def test_an_appeal_granted_lifts_the_listing_and_withdraws_it_from_the_public(
    client, auth, clock, sale
):
    clock.at = at("2026-06-01 20:00")
    for line in LINES:
        say(client, auth, clock, sale, line)
    [proposal] = proceedings_of(client, auth, "merchant", sale.shop_id)
    url = f"/api/credit/proceedings/{proposal['id']}"
    clock.at = at("2026-06-16 10:00")  # the objection period (to 15 June) has passed
    late = client.post(f"{url}/objection", json={"text": "异议"}, headers=sale.shop_headers)
    assert late.status_code == 409, late.text
    listed = client.post(
        f"{url}/decision", json={"decision": "list", "reason": "逾期未提出异议"}, headers=auth()
    )
    assert listed.json()["state"] == "listed", listed.text
    code = client.get(f"/api/merchants/{sale.shop_id}", headers=auth()).json()["credit_code"]
    assert len(client.get("/api/public/credit", params={"q": code}).json()) == 1
    other = client.post(f"{url}/appeal", json={"text": "这不是我的店"}, headers=auth("regulator"))
    assert other.status_code == 403, other.text
    appealed = client.post(
        f"{url}/appeal",
        json={"text": "三条发言来自被盗用的账号，附报案回执"},
        headers=sale.shop_headers,
    )
    assert appealed.json()["state"] == "appealed", appealed.text
    granted = client.post(
        f"{url}/decision", json={"decision": "reject", "reason": "核实账号被盗用"}, headers=auth()
    )
    assert granted.status_code == 200, granted.text
    assert (granted.json()["state"], granted.json()["repaired"]) == ("lifted", False)
    assert client.get("/api/public/credit", params={"q": code}).json() == []
    steps = [s["kind"] for s in granted.json()["steps"]]
    assert steps == ["proposed", "notified", "decided", "appealed", "appeal_decided"]


def test_a_clean_shop_is_red_listed_at_once_and_its_listings_are_reviewed_first(
    client, auth, make_shop
):
    busy, clean = make_shop(), make_shop()
    waiting = []
    for shop in (busy, clean):
        created = client.post(
            "/api/listings",
            json=listing(Shop(shop.id, shop.headers), original_price_fen=99900),
            headers=shop.headers,
        )
        assert created.status_code == 201, created.text
        waiting.append(created.json()["id"])
    queue = [
        i["listing"]["id"] for i in client.get("/api/listings/review-queue", headers=auth()).json()
    ]
    assert queue == waiting  # oldest first while nobody is listed
    proposed = client.post(
        "/api/credit/proposals",
        json={"subject_kind": "merchant", "subject_id": clean.id, "list_kind": "red"},
        headers=auth(),
    )
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["reasons_zh"][0].startswith("信用分 100.0 分")
    decided = client.post(
        f"/api/credit/proceedings/{proposed.json()['id']}/decision",
        json={"decision": "list", "reason": "记录良好"},
        headers=auth(),
    )
    assert decided.json()["state"] == "listed", decided.text
    queue = [
        i["listing"]["id"] for i in client.get("/api/listings/review-queue", headers=auth()).json()
    ]
    assert queue == list(reversed(waiting))
    again = client.post(
        "/api/credit/proposals",
        json={"subject_kind": "merchant", "subject_id": clean.id, "list_kind": "red"},
        headers=auth(),
    )
    assert again.status_code == 409
    black = client.post(
        "/api/credit/proposals",
        json={"subject_kind": "merchant", "subject_id": busy.id, "list_kind": "black"},
        headers=auth(),
    )
    assert black.status_code == 409  # nothing recorded: no criterion is met
