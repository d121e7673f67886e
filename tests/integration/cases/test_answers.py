"""The answer a complaint gets (S1, S2, S8): who is liable, in which role, under which
rule (quoted), what is owed in fen with the law's arithmetic, who to contact first, by
when, where to escalate; and a missing fact asked for, never assumed."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.cases.conftest import s1_complaint


def _roles(case: dict) -> dict[str, dict]:
    return {party["role"]: party for party in case["resolution"]["parties"]}


def _amounts(case: dict) -> dict[str, int]:
    return {r["kind"]: r["amount_fen"] for r in case["resolution"]["remedies"]}


def test_s1_the_person_behind_the_wechat_account_is_liable_not_the_shop(client, world):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer())
    case = case.json()
    roles = _roles(case)
    assert roles["account_holder"]["liability"] == "sole"
    # the shop the room showed and the platform are not the contract party, and say so
    assert "seller" not in roles and "platform_seller" not in roles
    cleared = {p["role"] for p in case["resolution"]["not_liable"]}
    assert {"seller", "platform"} <= cleared
    assert not any(
        p["liability"] in ("sole", "joint", "supplementary")
        for p in case["resolution"]["parties"]
        if p["role"] == "platform"
    )
    # fraud: refund plus three times the price: 669 + 2,007 yuan
    amounts = _amounts(case)
    assert amounts["return_refund"] == 66900
    assert amounts["fraud_damages"] == 200700
    assert case["resolution"]["total_fen"] == 66900 + 200700
    rule = next(r for r in case["resolution"]["remedies"] if r["kind"] == "fraud_damages")
    assert "三倍" in rule["rule"]["legal_basis"][0]["quote"]
    assert case["listing_id"] == world.jacket_listing  # the product on show at 20:03


def test_s1_the_records_say_whose_room_it_was_so_the_platform_must_hand_over_the_anchor(
    client, world
):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    asked = {q["field"] for q in case["resolution"]["questions"]}
    assert "room_operator" not in asked  # the parties' relations settle it
    assert case["fact_sources"]["room_operator"]["source"] == "parties"
    duties = [p for p in case["resolution"]["parties"] if p["liability"] == "disclose_identity"]
    assert duties and duties[0]["role"] == "platform"
    laws = {(b["law"], b["article"]) for r in duties[0]["rules"] for b in r["legal_basis"]}
    assert ("消费者权益保护法实施条例", 14) in laws
    # a consumer cannot overwrite what the records settle; staff can correct it
    refused = client.post(
        f"/api/cases/{case['id']}/facts",
        json={"facts": {"room_operator": "merchant"}},
        headers=world.as_consumer(),
    )
    assert refused.status_code == 422
    handed = client.post(f"/api/cases/{case['id']}/anchor-identity", headers=world.as_consumer())
    assert handed.status_code == 200, handed.text
    identity = handed.json()
    assert identity["nickname"] == "小暖穿搭"
    assert identity["real_name"] == "Wang Xiaoming"
    assert identity["verified_at"]


def test_s1_a_small_price_gets_the_500_yuan_floor(client, world):
    complaint = s1_complaint(world, price_paid_fen=9900)
    case = client.post("/api/cases", json=complaint, headers=world.as_consumer()).json()
    assert _amounts(case)["fraud_damages"] == 50000  # 99 x 3 = 297 < 500 yuan


def _s2(world, **facts) -> dict:
    return {
        "summary": "直播间买的“即食燕窝”，其实是燕窝风味饮料，几乎没有燕窝。",
        "session_id": world.nest_session,
        "occurred_at": (world.nest_started + timedelta(seconds=60)).isoformat(),
        "price_paid_fen": 29900,
        "facts": {
            "channel": "platform",
            "defect": "not_as_described",
            "false_advertising": True,
            "endorser_knew_false": True,
            **facts,
        },
    }


def test_s2_the_seller_and_the_anchor_as_endorser_are_jointly_liable(client, world):
    case = client.post("/api/cases", json=_s2(world), headers=world.as_consumer()).json()
    assert case["listing_id"] == world.nest_listing
    roles = _roles(case)
    assert "seller" in roles and "anchor_endorser" in roles
    endorser = roles["anchor_endorser"]
    assert endorser["liability"] == "joint"
    assert "seller" in endorser["with_roles"]
    laws = {(b["law"], b["article"]) for r in endorser["rules"] for b in r["legal_basis"]}
    assert ("广告法", 56) in laws
    # the anchor promotes the shop's goods in her own name: her own room, as endorser
    assert (case["facts"]["room_operator"], case["facts"]["anchor_role"]) == ("anchor", "endorser")
    assert case["fact_sources"]["room_operator"]["source"] == "parties"
    assert roles["platform"]["liability"] == "disclose_identity"
    assert "anchor_operator" not in roles  # as seller only if the room hid who sold: asked
    assert "seller_marked_in_room" in {q["field"] for q in case["resolution"]["questions"]}
    assert case["facts"]["category"] == "food"
    assert case["fact_sources"]["category"]["source"] == "listing"


def test_s2_food_below_standard_sold_knowingly_owes_ten_times_the_price(client, world):
    complaint = _s2(
        world, food_below_standard=True, seller_knew_below_standard=True, label_flaw_only=False
    )
    case = client.post("/api/cases", json=complaint, headers=world.as_consumer()).json()
    amounts = _amounts(case)
    assert amounts["food_damages"] == 299000  # 299 yuan x 10


def test_s2_the_jia_yi_pei_shi_said_on_camera_binds_the_seller_citing_the_recording(client, world):
    case = client.post(
        "/api/cases", json=_s2(world, defect="counterfeit"), headers=world.as_consumer()
    ).json()
    [promised] = [r for r in case["resolution"]["remedies"] if r["kind"] == "promised_compensation"]
    assert promised["amount_fen"] == 299000  # 假一赔十: ten times the 299 yuan
    assert promised["promise_text"] == "假一赔十"
    spoken = next(
        link
        for link in case["links"]
        if link["kind"] == "utterance" and "假一赔十" in link["summary"]
    )
    assert promised["recorded"]["source"] == "utterance"
    assert promised["recorded"]["ledger_seq"] == spoken["ledger_seq"]


def test_s2_a_cheap_food_gets_the_1000_yuan_floor(client, world):
    complaint = _s2(
        world, food_below_standard=True, seller_knew_below_standard=True, label_flaw_only=False
    )
    complaint["price_paid_fen"] = 1990
    case = client.post("/api/cases", json=complaint, headers=world.as_consumer()).json()
    assert _amounts(case)["food_damages"] == 100000  # 19.9 x 10 = 199 < 1,000 yuan


def test_s8_one_answer_names_who_to_call_by_when_and_where_to_go_next(client, world):
    case = client.post("/api/cases", json=_s2(world), headers=world.as_consumer()).json()
    answer = case["resolution"]
    assert answer["contact_first"]["role"] in _roles(case)
    assert answer["contact_first"]["why_zh"]
    bodies = [step["body"] for step in answer["escalation"]]
    for body in ("platform", "consumer_association", "market_regulator", "court"):
        assert body in bodies
    regulator = next(s for s in answer["escalation"] if s["body"] == "market_regulator")
    acceptance = regulator["deadlines"][0]
    assert acceptance["working_days"] and acceptance["due_on"] == "2026-12-02"  # 7 working days
    assert answer["text_zh"]
    for party in answer["parties"]:
        assert party["rules"] and all(r["legal_basis"] for r in party["rules"])
    # the case carries its own next step and deadline, in working days
    assert case["due_step"] and case["due_on"] > "2026-11-23"
    assert answer["facts_relied_on"]


def test_a_case_with_missing_facts_asks_for_them_and_answering_resolves_again(client, world):
    bare = {
        "summary": "买的东西有问题，商家不理我。",
        "merchant_id": world.jacket_shop,
    }
    case = client.post("/api/cases", json=bare, headers=world.as_consumer()).json()
    questions = {q["field"]: q for q in case["resolution"]["questions"]}
    assert "channel" in questions and questions["channel"]["question_zh"]
    assert case["resolution"]["remedies"] == [] or case["resolution"]["total_fen"] == 0
    answered = client.post(
        f"/api/cases/{case['id']}/facts",
        json={"facts": {"channel": "platform", "price_paid_fen": 20000, "defect": "quality"}},
        headers=world.as_consumer(),
    ).json()
    still = {q["field"] for q in answered["resolution"]["questions"]}
    assert "channel" not in still
    assert answered["resolution"]["parties"]
    assert [e["kind"] for e in answered["events"]] == ["filed", "facts"]


def test_a_consumer_cannot_overwrite_a_fact_the_records_settle(client, world, auth):
    case = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer()).json()
    refused = client.post(
        f"/api/cases/{case['id']}/facts",
        json={"facts": {"diverted_by": "other_person"}},
        headers=world.as_consumer(),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "facts.diverted_by"
    corrected = client.post(
        f"/api/cases/{case['id']}/facts",
        json={"facts": {"diverted_by": "other_person"}},
        headers=auth("case_handler"),
    )
    assert corrected.status_code == 200
    assert corrected.json()["fact_sources"]["diverted_by"]["source"] == "staff"


def test_a_complaint_over_three_years_after_the_harm_is_marked_time_barred(client, world):
    complaint = s1_complaint(world, knew_of_harm_on="2023-10-01")
    case = client.post("/api/cases", json=complaint, headers=world.as_consumer()).json()
    assert case["resolution"]["time_barred"] is True
    regulator = next(s for s in case["resolution"]["escalation"] if s["body"] == "market_regulator")
    assert regulator["available"] is False and "三年" in regulator["note_zh"]
    assert case["fact_sources"]["knew_of_harm_on"]["source"] == "consumer"
    # her own statement is hers to correct; the answer follows
    corrected = client.post(
        f"/api/cases/{case['id']}/facts",
        json={"facts": {"knew_of_harm_on": "2026-11-20"}},
        headers=world.as_consumer(),
    ).json()
    assert corrected["resolution"]["time_barred"] is False
