"""SCENARIOS.md S2: "instant bird's nest" that is in fact a flavoured drink. The claims in
the listing and in the anchor's speech are compared with the product's own label; each
contradiction is a finding with its legal basis, linked to the product on show."""

from __future__ import annotations

from tests.integration.catalog.conftest import GOOD_FOOD
from tests.integration.live.conftest import speech

S2_LABEL = {
    **GOOD_FOOD["label"],
    "product_name": "即食燕窝饮品",
    "product_type": "风味饮品",
    "ingredients": "水、白砂糖、银耳、燕窝风味香精",
    "standard_number": "GB/T 10792",
}


def s2_listing(client, auth, room) -> dict:
    merchant_id = client.get(f"/api/sessions/{room.session_id}", headers=auth()).json()[
        "merchant_id"
    ]
    body = {
        **GOOD_FOOD,
        "merchant_id": merchant_id,
        "title": "正宗即食燕窝 一瓶一盏 孕妇可食",
        "description": "每天一瓶，增强抵抗力。",
        "label": S2_LABEL,
    }
    created = client.post("/api/listings", json=body, headers=room.shop_headers)
    assert created.status_code == 201, created.text
    return created.json()


def test_listing_review_finds_claims_its_own_label_contradicts(client, auth, room):
    listing = s2_listing(client, auth, room)
    problems = {p["check"]: p for p in listing["review"]["problems"]}
    nest = problems["label_claims.bird_nest"]
    assert "风味饮品" in nest["message"] and nest["field"] == "title"
    assert {(b["law"], b["article"]) for b in nest["legal_basis"]} >= {("广告法", 28)}
    # the health claim for an ordinary food, reported once (by detect's rule or the label's)
    [health] = [p for p in problems.values() if p["evidence"].get("quote") == "增强抵抗力"]
    assert health["check"] in ("claims.medical_claims", "label_claims.health_function")
    assert health["legal_basis"]
    assert listing["review"]["verdict"] == "reject"


def test_the_anchors_claims_are_checked_against_the_label_of_the_product_on_show(
    client, auth, room, event
):
    listing = s2_listing(client, auth, room)
    events = [
        event("listing_shown", data={"listing_id": listing["id"]}),
        speech(event, "家人们，这是正宗燕窝，一瓶一盏，天天喝增强抵抗力"),
        speech(event, "这个是燕窝风味的饮品，口感清甜"),
    ]
    posted = client.post(room.events_url(), json=events, headers=auth())
    assert posted.status_code in (200, 201, 202), posted.text
    rows = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    said = {f["rule"]: f for f in rows["events"][1]["findings"]}
    nest = said["label_claims.bird_nest"]
    assert nest["quote"] == "燕窝" and "风味饮品" in nest["message"]
    assert nest["legal_basis"] and nest["evidence"]["listing_id"] == listing["id"]
    assert "label_claims.health_function" in said
    honest = [f["rule"] for f in rows["events"][2]["findings"]]
    assert not [rule for rule in honest if rule.startswith("label_claims.")]


def test_an_after_sales_refusal_said_aloud_is_an_unfair_term_of_the_listing_on_show(
    client, auth, room, event
):
    events = [
        event("listing_shown", data={"listing_id": room.listing_id}),
        speech(event, "这是直播间专属价，不支持退货哦"),
        speech(event, "支持七天无理由退货，大家放心拍"),
    ]
    client.post(room.events_url(), json=events, headers=auth())
    rows = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    [term] = [f for f in rows["events"][1]["findings"] if f["rule"].startswith("terms.")]
    assert term["quote"] == "不支持退货" and term["listing_id"] == room.listing_id
    assert ("消费者权益保护法", 26) in {(b["law"], b["article"]) for b in term["legal_basis"]}
    assert not [f for f in rows["events"][2]["findings"] if f["rule"].startswith("terms.")]
