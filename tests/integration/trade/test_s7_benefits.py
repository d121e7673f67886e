"""S7 through the API on each database: red envelopes that never arrive, and a price cut
right after the buyer paid while the shop refuses price protection (seed 004).

The room said "今晚下单抢40个红包，每个1-5元，10个工作日审核到账" on 1 May 2026, the first day
of the Labour Day holiday: ten working days on the official calendar run to 18 May (1-5
May are holidays, Saturday 9 May a make-up working day), so a buyer still unpaid is
flagged on 19 May, and one who got 40 envelopes worth 10 yuan in all is paid short of the
40 yuan the smallest promised envelopes add up to.
"""

from __future__ import annotations

from tests.integration.trade.conftest import at
from tests.integration.trade.test_prices_charged_in_review import on_sale

ENVELOPES = "今晚下单抢40个红包，每个1-5元，10个工作日审核到账"


def check(client, auth, clock, when: str) -> dict:
    clock.at = at(when)
    response = client.post("/api/trade/check-benefits", headers=auth())
    assert response.status_code == 200, response.text
    return response.json()


def place(client, auth, sale, buyer, **changes) -> dict:
    response = client.post("/api/orders", json=sale.order(buyer, **changes), headers=auth())
    assert response.status_code == 201, response.text
    return response.json()


def promise(client, auth, sale, quote: str, **where) -> dict:
    response = client.post(
        "/api/trade/benefit-promises",
        json={
            "quote": quote,
            "merchant_id": sale.shop_id,
            "source": "live_room",
            "said_at": at("2026-05-01 20:00").isoformat(),
            **where,
        },
        headers=auth("case_handler"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_s7_red_envelopes_unpaid_or_short_by_their_working_day_open_the_buyers_cases(
    client, auth, clock, sale, make_buyer
):
    said = promise(client, auth, sale, ENVELOPES, live_session_id=sale.session_id)
    assert (said["kind"], said["count"], said["min_fen"], said["max_fen"]) == (
        "red_envelope",
        40,
        100,
        500,
    )
    assert said["working_days"] == 10
    unpaid, short, paid = make_buyer(), make_buyer(), make_buyer()
    orders = {b.id: place(client, auth, sale, b) for b in (unpaid, short, paid)}
    clock.at = at("2026-05-12 10:00")
    for buyer, count, fen in ((short, 40, 1000), (paid, 40, 6000)):
        payout = client.post(
            f"/api/orders/{orders[buyer.id]['id']}/payouts",
            json={
                "promise_id": said["id"],
                "count": count,
                "amount_fen": fen,
                "paid_at": at("2026-05-12 09:00").isoformat(),
            },
            headers=auth("case_handler"),
        )
        assert payout.status_code == 201, payout.text

    assert check(client, auth, clock, "2026-05-18 23:00")["findings"] == []  # still in time
    report = check(client, auth, clock, "2026-05-19 00:05")
    found = {f["order_id"]: f for f in report["findings"]}
    assert set(found) == {orders[unpaid.id]["id"], orders[short.id]["id"]}
    missing, too_little = found[orders[unpaid.id]["id"]], found[orders[short.id]["id"]]
    assert (missing["kind"], missing["due_on"], missing["found_on"]) == (
        "payout_missing",
        "2026-05-18",
        "2026-05-19",
    )
    assert (too_little["kind"], too_little["owed_fen"]) == ("payout_short", 3000)
    assert check(client, auth, clock, "2026-05-20 00:05")["findings"] == []  # not twice

    case = client.get(f"/api/cases/{missing['case_id']}", headers=unpaid.headers)
    assert case.status_code == 200, case.text
    opened = case.json()
    assert (opened["origin"], opened["kind"]) == ("automatic", "benefit_payout_missing")
    assert "40 个红包" in opened["summary"] and "2026年05月18日" in opened["summary"]

    entry = client.get(f"/api/evidence/items/{missing['ledger_seq']}", headers=auth())
    assert entry.status_code == 200, entry.text
    basis = entry.json()["record"]["data"]["legal_basis"]
    assert {(b["law"], b["article"]) for b in basis} >= {("消费者权益保护法实施条例", 12)}

    shop = client.get(
        f"/api/merchants/{sale.shop_id}/benefit-findings", headers=sale.shop_headers
    ).json()
    assert {f["id"] for f in shop} == {missing["id"], too_little["id"]}
    # they count against the shop's credit, each with its case
    score = client.get(f"/api/credit/scores/merchant/{sale.shop_id}", headers=sale.shop_headers)
    [factor] = [f for f in score.json()["factors"] if f["id"] == "benefit_findings"]
    assert {r["ref"] for r in factor["records"]} == {
        f"benefit_finding:{missing['id']}",
        f"benefit_finding:{too_little['id']}",
    }
    assert all(r["link"].startswith("/console/cases/") for r in factor["records"])
    page = client.get(f"/console/merchants/{sale.shop_id}", headers=auth())
    assert "红包、优惠券、保价未兑现" in page.text and "共 <b>2</b> 项" in page.text


def test_s7_a_price_cut_inside_the_protected_days_is_owed_and_a_refusal_opens_a_case_owing_it(
    client, auth, clock, sale, make_buyer
):
    on_sale(client, sale)
    terms = promise(client, auth, sale, "本店支持保价30天，买贵退差", listing_id=sale.listing_id)
    assert (terms["kind"], terms["protect_days"]) == ("price_protection", 30)
    buyer = make_buyer()
    order = place(client, auth, sale, buyer, paid_at=at("2026-05-01 20:15").isoformat())

    clock.at = at("2026-05-03 10:00")  # two days later the price falls by 200 yuan
    cut = client.patch(
        f"/api/listings/{sale.listing_id}", json={"price_fen": 179900}, headers=sale.shop_headers
    )
    assert cut.status_code == 200, cut.text
    [owed] = check(client, auth, clock, "2026-05-03 12:00")["findings"]
    assert (owed["kind"], owed["owed_fen"]) == ("price_protection_owed", 20000)
    assert owed["case_id"] is None  # owed, not yet refused: no case yet

    clock.at = at("2026-05-04 09:00")
    refused = client.post(
        f"/api/orders/{order['id']}/price-protection/refusal",
        json={
            "promise_id": terms["id"],
            "said_at": at("2026-05-04 08:30").isoformat(),
            "reason": "活动价不参与保价",
        },
        headers=buyer.headers,
    )
    assert refused.status_code == 201, refused.text
    finding = refused.json()
    assert (finding["kind"], finding["owed_fen"]) == ("price_protection_refused", 20000)

    case = client.get(f"/api/cases/{finding['case_id']}", headers=buyer.headers).json()
    remedies = {r["kind"]: r for r in case["resolution"]["remedies"]}
    assert remedies["price_protection"]["amount_fen"] == 20000
    cited = {(b["law"], b["article"]) for b in remedies["price_protection"]["rule"]["legal_basis"]}
    assert ("明码标价和禁止价格欺诈规定", 19) in cited
    page = client.get(f"/console/cases/{finding['case_id']}", headers=auth())
    assert page.status_code == 200 and "200.00" in page.text


def test_words_that_promise_nothing_countable_are_refused_with_the_field_named(client, auth, sale):
    response = client.post(
        "/api/trade/benefit-promises",
        json={
            "quote": "红包雨马上开始",
            "merchant_id": sale.shop_id,
            "live_session_id": sale.session_id,
            "source": "live_room",
            "said_at": at("2026-05-01 20:00").isoformat(),
        },
        headers=auth("case_handler"),
    )
    assert response.status_code == 422, response.text
    assert "quote" in response.text


def test_red_envelopes_the_anchor_promised_in_the_room_are_checked_without_being_filed(
    client, auth, clock, sale, make_buyer
):
    said = {
        "event_id": "s7-envelopes",
        "kind": "utterance",
        "speaker_role": "anchor",
        "text": "家人们，" + ENVELOPES,
        "occurred_at": at("2026-05-01 20:05").isoformat(),
        "data": {"start_ms": 2100000, "end_ms": 2106000},
    }
    stored = client.post(f"/api/sessions/{sale.session_id}/events", json=[said], headers=auth())
    assert stored.status_code == 200 and stored.json()["refused"] == [], stored.text
    order = place(client, auth, sale, make_buyer())

    [missing] = check(client, auth, clock, "2026-05-19 00:05")["findings"]
    assert (missing["order_id"], missing["kind"]) == (order["id"], "payout_missing")
    entry = client.get(f"/api/evidence/items/{missing['ledger_seq']}", headers=auth()).json()
    assert ENVELOPES in entry["record"]["data"]["quote"]  # the anchor's own words, cited
    assert check(client, auth, clock, "2026-05-20 00:05")["findings"] == []  # read once
