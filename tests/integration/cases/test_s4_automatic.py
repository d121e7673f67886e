"""S4: the air conditioner that never shipped. The broken delivery promise opens the
buyer's case without being asked; it gets its answer and enters the same workflow."""

from __future__ import annotations

from tests.integration.catalog.conftest import make_shop  # noqa: F401  (a fixture)
from tests.integration.trade.conftest import at, make_buyer, sale  # noqa: F401  (fixtures)
from tests.integration.trade.test_s4_promises import check, move_to_30_may, paid_with_promise


def _opened(client, auth, clock, sale, buyer) -> dict:  # noqa: F811
    order = paid_with_promise(client, auth, sale, buyer)
    clock.at = at("2026-05-28 16:00")
    move_to_30_may(client, sale, order, "2026-05-28 16:00")
    [breach] = check(client, auth, clock, "2026-05-31 00:05")["breaches"]
    case = client.get(f"/api/cases/{breach['case_id']}", headers=buyer.headers)
    assert case.status_code == 200, case.text
    return case.json()


def test_s4_the_buyer_is_told_the_shop_owes_her_the_price_and_by_when(
    client,
    auth,
    clock,
    sale,  # noqa: F811
    make_buyer,  # noqa: F811
):
    buyer = make_buyer()
    case = _opened(client, auth, clock, sale, buyer)
    assert (case["origin"], case["state"]) == ("automatic", "filed")
    assert case["listing_id"] == sale.listing_id and case["session_id"] == sale.session_id
    assert {"order", "listing_version", "session"} <= {link["kind"] for link in case["links"]}
    answer = case["resolution"]
    roles = {p["role"]: p for p in answer["parties"]}
    assert roles["seller"]["liability"] == "sole"
    assert answer["contact_first"]["role"] == "seller"
    refunds = [r for r in answer["remedies"] if r["amount_fen"] == 199900]
    assert refunds and "seller" in refunds[0]["owed_by"]
    assert case["fact_sources"]["price_paid_fen"]["source"] == "order"
    assert case["due_on"] == "2026-06-09"  # acceptance: 7 working days after 31 May
    assert [e["kind"] for e in case["events"]] == ["filed"]


def test_s4_the_automatic_case_goes_through_the_same_workflow(
    client,
    auth,
    clock,
    sale,  # noqa: F811
    make_buyer,  # noqa: F811
):
    case = _opened(client, auth, clock, sale, make_buyer())
    for to_state in ("accepted", "with_merchant"):
        moved = client.post(
            f"/api/cases/{case['id']}/transition",
            json={"to_state": to_state},
            headers=auth("case_handler"),
        )
        assert moved.status_code == 200, moved.text
    # the shop answers in its own name, and sees only its own cases
    answered = client.post(
        f"/api/cases/{case['id']}/answers",
        json={"text": "缺货，已全额退款。"},
        headers=sale.shop_headers,
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["party_role"] == "merchant"
    listed = client.get("/api/cases", headers=sale.shop_headers).json()
    assert [c["id"] for c in listed] == [case["id"]]
    cannot = client.post(
        f"/api/cases/{case['id']}/transition",
        json={"to_state": "closed"},
        headers=sale.shop_headers,
    )
    assert cannot.status_code == 403
    page = client.get(f"/console/cases/{case['id']}", headers=auth("case_handler"))
    assert page.status_code == 200
    assert "with_merchant" in page.text and "缺货，已全额退款。" in page.text


def test_a_buyer_complains_about_her_order_and_the_order_settles_the_deal(
    client,
    auth,
    clock,
    sale,  # noqa: F811
    make_buyer,  # noqa: F811
):
    buyer, other = make_buyer(), make_buyer()
    order = paid_with_promise(client, auth, sale, buyer)
    clock.at = at("2026-05-10 10:00")
    complaint = {
        "summary": "空调外机有裂纹，要求退货。",
        "order_id": order["id"],
        "facts": {"defect": "quality", "delivered_on": "2026-05-08", "wants_return": True},
    }
    theirs = client.post("/api/cases", json=complaint, headers=other.headers)
    assert theirs.status_code == 422 and theirs.json()["errors"][0]["field"] == "order_id"
    case = client.post("/api/cases", json=complaint, headers=buyer.headers)
    assert case.status_code == 201, case.text
    case = case.json()
    assert (case["merchant_id"], case["listing_id"]) == (sale.shop_id, sale.listing_id)
    assert case["payment_channel"] == "platform"
    facts, sources = case["facts"], case["fact_sources"]
    assert (facts["channel"], facts["price_paid_fen"], facts["bought_on"]) == (
        "platform",
        199900,
        "2026-05-01",
    )
    assert sources["bought_on"]["source"] == "order"
    assert "order" in {link["kind"] for link in case["links"]}
    roles = {p["role"] for p in case["resolution"]["parties"]}
    assert "seller" in roles
    off = client.post(
        "/api/cases",
        json={**complaint, "paid_off_platform": True},
        headers=buyer.headers,
    )
    assert off.status_code == 422  # an off-platform payment has no platform order


def test_s4_an_anchor_recorded_as_promoting_the_shop_runs_the_room_and_the_shop_still_owes(
    client,
    auth,
    clock,
    sale,  # noqa: F811
    make_buyer,  # noqa: F811
):
    relation = {
        "kind": "sells_for_merchant",
        "anchor_id": sale.anchor_id,
        "merchant_id": sale.shop_id,
        "starts_on": "2026-03-01",
    }
    assert client.post("/api/relations", json=relation, headers=auth()).status_code == 201
    case = _opened(client, auth, clock, sale, make_buyer())
    assert case["facts"]["room_operator"] == "anchor"
    assert case["fact_sources"]["room_operator"]["source"] == "parties"
    roles = {p["role"]: p["liability"] for p in case["resolution"]["parties"]}
    # the shop sold it and owes the price; the anchor is the seller only if the room hid
    # who sold (SPC online art. 12): that is asked, not assumed
    assert roles["seller"] == "sole" and roles["platform"] == "disclose_identity"
    assert "anchor_operator" not in roles
    asked = {q["field"] for q in case["resolution"]["questions"]}
    assert "seller_marked_in_room" in asked and "room_operator" not in asked
