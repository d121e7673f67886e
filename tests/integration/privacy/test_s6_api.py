"""S6 through the HTTP API: the coupon-for-phone consent recorded as such, the monthly SMS
over the cap and the one after withdrawal refused and counted against the shop, the buyer's
view of who holds her data, her deletion carried out through every store, and her full
number shown only to a role with a stated purpose, every time logged."""

from __future__ import annotations

from tests.integration.privacy.conftest import COUPON_WORDING


def test_the_coupon_consent_is_recorded_with_its_words_room_and_price(client, s6):
    made = client.post("/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers)
    assert made.status_code == 201, made.text
    consent = made.json()
    assert consent["wording"] == COUPON_WORDING
    assert consent["in_exchange_for"] == "20 元无门槛优惠券"
    assert consent["method"] == "coupon_form" and consent["room"].startswith("美妆直播间")
    assert consent["withdrawn_at"] is None


def test_a_shop_cannot_record_a_consent_given_to_another(client, s6):
    other_shop = s6.coupon_consent(holder_id=s6.shop.id + 1000)
    refused = client.post("/api/privacy/consents", json=other_shop, headers=s6.shop.headers)
    assert refused.status_code == 403


def test_sms_over_the_cap_and_after_withdrawal_are_refused_and_counted(client, s6, clock):
    client.post("/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers)
    send = s6.sms(s6.lin)
    answers = [
        client.post("/api/privacy/marketing/send", json=send, headers=s6.shop.headers).json()
        for _ in range(3)
    ]
    assert [a["allowed"] for a in answers] == [1, 1, 0]
    first = answers[0]["decisions"][0]
    assert "/u/" in first["message"] and "退订" in first["message"]
    assert answers[2]["decisions"][0]["reason"] == "cap_reached"
    assert answers[2]["decisions"][0]["reason_zh"]

    stranger = client.post(
        "/api/privacy/marketing/send", json=s6.sms(s6.other), headers=s6.shop.headers
    ).json()
    assert stranger["decisions"][0]["reason"] == "no_consent"

    mine = client.get("/api/privacy/me", headers=s6.lin.headers).json()
    [shop] = [h for h in mine["holders"] if h["kind"] == "merchant"]
    consent_id = shop["consents"][0]["id"]
    withdrawn = client.post(f"/api/privacy/consents/{consent_id}/withdraw", headers=s6.lin.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]

    clock.at = clock.at.replace(month=clock.at.month + 1)  # next month: the cap has room again
    after = client.post("/api/privacy/marketing/send", json=send, headers=s6.shop.headers).json()
    assert after["decisions"][0]["reason"] == "withdrawn"

    counts = client.get(
        f"/api/privacy/merchants/{s6.shop.id}/refused-sends", headers=s6.shop.headers
    ).json()
    assert counts["by_reason"] == {"cap_reached": 1, "no_consent": 1, "withdrawn": 1}
    assert counts["total"] == 3


def test_a_bulk_check_answers_each_recipient_and_records_nothing(client, s6):
    client.post("/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers)
    check = {k: v for k, v in s6.sms(s6.lin, s6.other, s6.lin).items() if k != "text"}
    answer = client.post("/api/privacy/marketing/check", json=check, headers=s6.shop.headers)
    assert answer.status_code == 200, answer.text
    reasons = [d["reason"] for d in answer.json()["decisions"]]
    assert reasons == [None, "no_consent", None]  # twice in one batch: still under the cap
    counts = client.get(
        f"/api/privacy/merchants/{s6.shop.id}/refused-sends", headers=s6.shop.headers
    ).json()
    assert counts["total"] == 0


def test_quiet_hours_refuse_a_send_at_night(client, s6, clock):
    client.post("/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers)
    clock.at = clock.at.replace(hour=22, minute=30)
    night = client.post(
        "/api/privacy/marketing/send", json=s6.sms(s6.lin), headers=s6.shop.headers
    ).json()
    assert night["decisions"][0]["reason"] == "quiet_hours"


def test_the_unsubscribe_link_withdraws_in_one_click(client, s6):
    client.post("/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers)
    sent = client.post(
        "/api/privacy/marketing/send", json=s6.sms(s6.lin), headers=s6.shop.headers
    ).json()
    link = sent["decisions"][0]["message"].split("退订请点 ")[1].split()[0]
    path = link[link.index("/u/") :]
    assert "一键退订" in client.get(path).text
    assert client.post(path).status_code == 200
    again = client.post(
        "/api/privacy/marketing/send", json=s6.sms(s6.lin), headers=s6.shop.headers
    ).json()
    assert again["decisions"][0]["reason"] == "withdrawn"


def test_the_buyer_sees_who_holds_her_data(client, s6):
    client.post("/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers)
    mine = client.get("/api/privacy/me", headers=s6.lin.headers)
    assert mine.status_code == 200, mine.text
    holders = {h["kind"]: h for h in mine.json()["holders"]}
    assert set(holders) == {"liveguard", "merchant"}
    assert holders["merchant"]["purposes"] == ["营销信息"]
    assert holders["merchant"]["consents"][0]["in_exchange_for"]
    assert mine.json()["phone_masked"] == s6.lin_phone[:3] + "****" + s6.lin_phone[-4:]
    assert client.get("/api/privacy/me", headers=s6.shop.headers).status_code == 403


def test_only_a_role_with_a_stated_purpose_sees_the_full_number_and_it_is_logged(client, s6, auth):
    url = f"/api/privacy/consumers/{s6.lin.id}/phone"
    body = {"purpose": "contact_about_case", "note": "案件 12"}
    assert client.post(url, json=body, headers=auth("compliance")).status_code == 403
    assert client.post(url, json=body, headers=auth("regulator")).status_code == 403
    wrong_purpose = client.post(url, json={"purpose": "curiosity"}, headers=auth("case_handler"))
    assert wrong_purpose.status_code == 422
    shown = client.post(url, json=body, headers=auth("case_handler"))
    assert shown.status_code == 200 and shown.json()["phone"] == s6.lin_phone
    looked = client.get("/api/privacy/me", headers=s6.lin.headers).json()["accesses"]
    assert len(looked) == 1 and "就投诉与买家本人联系" in looked[0]["purpose"]
    log = client.get("/api/privacy/access-log", headers=auth("admin")).json()
    assert log["total"] == 1 and log["items"][0]["accessed_by"].startswith("case_handler")


def test_deletion_is_tracked_and_runs_through_every_store(client, s6, auth):
    client.post("/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers)
    client.post("/api/privacy/marketing/send", json=s6.sms(s6.lin), headers=s6.shop.headers)
    asked = client.post(
        "/api/privacy/me/requests", json={"kind": "deletion"}, headers=s6.lin.headers
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "open"
    assert asked.json()["due_on"] > asked.json()["received_at"][:10]
    done = client.post(
        f"/api/privacy/requests/{asked.json()['id']}/decision", json={}, headers=auth("admin")
    )
    assert done.status_code == 200, done.text
    outcome = done.json()["outcome"]
    assert outcome["consents_deleted"] == 1 and outcome["marketing_sends_deleted"] == 1
    assert outcome["party_fields_erased"] == ["nickname", "phone"]
    assert "ledger_key_destroyed" in outcome and "blobs_deleted" in outcome
    me = client.get(f"/api/consumers/{s6.lin.id}", headers=auth()).json()
    assert me["phone_masked"] == "已删除" and s6.lin_phone not in str(me)
    reveal = client.post(
        f"/api/privacy/consumers/{s6.lin.id}/phone",
        json={"purpose": "contact_about_case"},
        headers=auth("case_handler"),
    )
    assert reveal.status_code == 403


def test_a_platform_consent_shows_the_platform_among_the_holders(client, s6, auth):
    platform = s6.coupon_consent(
        holder_kind="platform",
        holder_id=s6.platform_id,
        purpose="order_fulfilment",
        channel=None,
        in_exchange_for=None,
        wording="为完成订单配送，平台需要使用您的手机号码",
    )
    made = client.post("/api/privacy/consents", json=platform, headers=auth())
    assert made.status_code == 201, made.text
    unknown = client.post(
        "/api/privacy/consents", json={**platform, "holder_id": 999999}, headers=auth()
    )
    assert unknown.status_code == 404
    holders = client.get("/api/privacy/me", headers=s6.lin.headers).json()["holders"]
    [held] = [h for h in holders if h["kind"] == "platform"]
    assert held["purposes"] == ["订单履行"] and held["consents"][0]["channel"] is None


def test_numbers_typed_into_a_complaint_are_masked_and_read_in_full_only_with_a_purpose(
    client, s6, auth
):
    typed = f"领券时留了手机号 {s6.lin_phone}，之后每月收到营销短信"
    filed = client.post(
        "/api/cases", json={"summary": typed, "merchant_id": s6.shop.id}, headers=s6.lin.headers
    )
    assert filed.status_code == 201, filed.text
    case = filed.json()
    masked = f"{s6.lin_phone[:3]}****{s6.lin_phone[-4:]}"
    assert masked in case["summary"] and s6.lin_phone not in case["summary"]
    accepted = client.post(
        f"/api/cases/{case['id']}/transition",
        json={"to_state": "accepted"},
        headers=auth("case_handler"),
    )
    assert accepted.status_code == 200, accepted.text
    note = f"我们已按买家留的 {s6.lin_phone} 停发短信"  # the shop's answer repeats it
    noted = client.post(
        f"/api/cases/{case['id']}/answers", json={"text": note}, headers=s6.shop.headers
    )
    assert noted.status_code == 201, noted.text
    assert masked in noted.json()["text"] and s6.lin_phone not in noted.json()["text"]
    staff_view = client.get(f"/api/cases/{case['id']}", headers=auth("compliance")).text
    assert s6.lin_phone not in staff_view and masked in staff_view

    url = f"/api/privacy/cases/{case['id']}/text"
    body = {"purpose": "handle_case", "note": "核对买家原话"}
    assert client.post(url, json=body, headers=auth("compliance")).status_code == 403
    wrong = client.post(url, json={"purpose": "curiosity"}, headers=auth("case_handler"))
    assert wrong.status_code == 422
    shown = client.post(url, json=body, headers=auth("case_handler"))
    assert shown.status_code == 200, shown.text
    texts = {t["source"].split(":")[0]: t for t in shown.json()["texts"]}
    assert texts["case.summary"]["text"] == typed and texts["case.summary"]["masked"] != typed
    assert texts["case_event"]["text"] == note
    looked = client.get("/api/privacy/me", headers=s6.lin.headers).json()["accesses"]
    assert len(looked) == 1 and "核对买家原话" in looked[0]["purpose"]
