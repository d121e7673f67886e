"""The merchant's own console (signed in with its token), the public listing page, the
sampling form, and staff decisions and appeals as ledger items a dispute can cite."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from urllib.parse import unquote_plus

from tests.integration.catalog.conftest import GOOD_FOOD, listing, s3_listing

ADDRESS_MISSING = {"producer_address": None}
SAMPLE_FORM = {
    "kind": "sampling",
    "bought_at": "2026-11-20T20:30",
    "bought_by": "某市市场监督管理局",
    "tested_by": "某市食品药品检验所",
    "test": "微生物指标",
    "standard": "GB 19300-2014",
    "outcome": "failed",
    "batch": "B-1108",
    "failed": "霉菌 | 85 CFU/g | ≤ 25 CFU/g",
}


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def sign_in_merchant(client, shop) -> None:
    token = shop.headers["Authorization"].removeprefix("Bearer ")
    signed = client.post("/console/merchant/login", data={"token": token}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/console/merchant"
    assert (
        "HttpOnly" in signed.headers["set-cookie"]
        and "SameSite=strict" in signed.headers["set-cookie"]
    )
    assert token not in signed.headers["set-cookie"]  # a session, not the API token


def test_a_decision_and_an_appeal_are_each_a_ledger_item(client, shop, auth):
    lid = client.post(
        "/api/listings", json=listing(shop, label=ADDRESS_MISSING), headers=shop.headers
    ).json()["id"]
    statement = "生产者地址印在外箱上，已补充照片，请复核。"
    appeal = client.post(
        f"/api/listings/{lid}/appeal", json={"statement": statement}, headers=shop.headers
    ).json()
    item = client.get(f"/api/evidence/items/{appeal['ledger_seq']}", headers=auth()).json()
    assert item["kind"] == "listing_appeal" and item["intact"] is True
    data = item["record"]["data"]
    assert (data["listing_id"], data["version"], data["status"]) == (lid, 1, "appealed")
    assert data["statement"] == statement
    assert item["record"]["who"] == {"merchant_id": shop.id, "submitted_by": f"merchant:{shop.id}"}

    reason = "商品页必须写明生产者地址。"
    decided = client.post(
        f"/api/listings/{lid}/decision",
        json={"decision": "reject", "reason": reason},
        headers=auth(),
    ).json()["review"]
    item = client.get(f"/api/evidence/items/{decided['ledger_seq']}", headers=auth()).json()
    assert item["kind"] == "listing_decision"
    data = item["record"]["data"]
    assert (data["decision"], data["reason"], data["status"]) == ("reject", reason, "rejected")
    assert data["answers_appeal_id"] == appeal["id"]
    assert item["record"]["who"]["decided_by"].startswith("compliance")
    # the automatic review stays inside its version's item: no item of its own
    reviews = client.get(f"/api/listings/{lid}/reviews", headers=shop.headers).json()
    assert [r["ledger_seq"] is None for r in reviews] == [True, False]


def test_a_merchant_signs_in_with_its_token_sees_why_and_appeals_from_the_page(
    client, shop, make_shop, auth
):
    refused = client.post(
        "/api/listings", json=listing(shop, label=ADDRESS_MISSING), headers=shop.headers
    ).json()
    other = make_shop()
    theirs = client.post("/api/listings", json=listing(other), headers=other.headers).json()
    assert client.get("/console/merchant", follow_redirects=False).headers["location"] == (
        "/console/merchant/login"
    )
    sign_in_merchant(client, shop)
    page = client.get("/console/merchant")
    assert page.status_code == 200
    assert f'data-listing="{refused["id"]}"' in page.text
    assert f'data-listing="{theirs["id"]}"' not in page.text  # only its own
    row = page.text[page.text.index(f'data-listing="{refused["id"]}"') :]
    assert 'data-check="three_no.missing_field"' in row
    assert "生产者地址" in row and "《食品安全法》第67条" in row  # the rule, its quote, the fix
    assert "请在标签信息中补充" in row

    csrf = csrf_of(page)
    url = f"/console/merchant/listings/{refused['id']}/appeal"
    forged = client.post(url, data={"statement": "请复核，谢谢。", "csrf": "0" * 64})
    assert forged.status_code == 403
    assert (
        client.post(
            f"/console/merchant/listings/{theirs['id']}/appeal",
            data={"statement": "请复核，谢谢。", "csrf": csrf},
        ).status_code
        == 403
    )
    short = client.post(url, data={"statement": "复核", "csrf": csrf}, follow_redirects=False)
    assert "error=" in short.headers["location"]
    done = client.post(
        url, data={"statement": "地址已印在外箱，请复核。", "csrf": csrf}, follow_redirects=False
    )
    assert done.headers["location"] == "/console/merchant?notice=saved"
    assert client.get(f"/api/listings/{refused['id']}", headers=auth()).json()["status"] == (
        "appealed"
    )
    assert 'data-testid="appeal-waiting"' in client.get("/console/merchant").text
    # a merchant session is not a staff session
    assert client.get("/console/listings", follow_redirects=False).status_code == 303
    # and it ends when the merchant signs out
    out = client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/console/merchant", follow_redirects=False).status_code == 303


def test_a_merchant_lists_its_own_listings_over_the_api(client, shop, make_shop, auth):
    mine = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()["id"]
    other = make_shop()
    client.post("/api/listings", json=listing(other), headers=other.headers)
    assert [i["id"] for i in client.get("/api/listings", headers=shop.headers).json()] == [mine]
    theirs = client.get("/api/listings", params={"merchant_id": other.id}, headers=shop.headers)
    assert theirs.status_code == 403
    assert len(client.get("/api/listings", headers=auth("regulator")).json()) == 2


def test_staff_tokens_and_unknown_tokens_do_not_open_a_merchant_session(client, token_for):
    staff = client.post("/console/merchant/login", data={"token": token_for("admin")})
    assert staff.status_code == 401 and "这不是商家的令牌" in staff.text
    unknown = client.post("/console/merchant/login", data={"token": "lg_nothing"})
    assert unknown.status_code == 401 and "lg_session" not in unknown.headers.get("set-cookie", "")


def test_the_public_page_shows_price_label_licence_and_review_status(client, shop):
    lid = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()["id"]
    assert client.get(f"/listings/{lid}").status_code == 404  # not on sale: the merchant's draft
    client.post(f"/api/listings/{lid}/publish", headers=shop.headers)
    page = client.get(f"/listings/{lid}")
    assert page.status_code == 200
    assert GOOD_FOOD["title"] in page.text and "¥99.00" in page.text and "包邮" in page.text
    assert "生产者地址" in page.text and GOOD_FOOD["label"]["producer_address"] in page.text
    assert "SC11834020300567" in page.text
    assert "电子商务法" in page.text and "JY13301060012345" in page.text  # the seller's permit
    assert "在售" in page.text and "已通过上架审核" in page.text


def test_a_regulator_records_a_failed_sample_from_the_console(client, shop, auth, token_for):
    lid = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()["id"]
    client.post(f"/api/listings/{lid}/publish", headers=shop.headers)
    token_for("regulator", username="sampler")
    client.post("/console/login", data={"username": "sampler", "password": "correct horse battery"})
    page = client.get("/console/samples")
    assert page.status_code == 200 and 'data-testid="sample-form"' in page.text
    form = {**SAMPLE_FORM, "csrf": csrf_of(page), "listing_id": str(lid)}
    bad = client.post(
        "/console/samples", data={**form, "failed": "霉菌 85"}, follow_redirects=False
    )
    assert "error=" in bad.headers["location"]
    assert "第 1 行" in unquote_plus(bad.headers["location"])
    done = client.post("/console/samples", data=form, follow_redirects=False)
    assert "notice=saved" in done.headers["location"], done.headers["location"]
    listed = client.get("/console/samples").text
    assert "霉菌：实测 85 CFU/g，标准要求 ≤ 25 CFU/g" in listed and "pulled" in listed
    assert client.get(f"/api/listings/{lid}", headers=auth()).json()["status"] == "pulled"
    # the merchant sees it too
    client.cookies.clear()
    sign_in_merchant(client, shop)
    mine = client.get("/console/merchant").text
    assert "霉菌：实测 85 CFU/g" in mine and "sampling.failed" in mine


def test_a_case_handler_reads_samples_but_has_no_form(client, token_for):
    token_for("case_handler", username="handler")
    client.post("/console/login", data={"username": "handler", "password": "correct horse battery"})
    page = client.get("/console/samples")
    assert page.status_code == 200 and 'data-testid="sample-form"' not in page.text
    form = {**SAMPLE_FORM, "csrf": csrf_of(page), "listing_id": "1"}
    assert client.post("/console/samples", data=form).status_code == 403


def test_the_done_when_cases_are_refused_with_their_rule_in_both_consoles(
    client, shop, token_for, clock
):
    """Issue 7's "done when", through the console: S3, no producer address, an expired SC
    licence and a fake original price, each refused with its rule for staff and merchant."""
    expired = str((clock.at - timedelta(days=1)).date())
    bodies = [
        s3_listing(shop),
        listing(shop, label=ADDRESS_MISSING),
        listing(shop, label={"licence_valid_to": expired}),
    ]
    ids = [client.post("/api/listings", json=b, headers=shop.headers).json()["id"] for b in bodies]
    faked = client.post("/api/listings", json=listing(shop), headers=shop.headers).json()["id"]
    client.post(f"/api/listings/{faked}/publish", headers=shop.headers)
    clock.at += timedelta(days=1)
    client.patch(
        f"/api/listings/{faked}",
        json={"price_fen": 8900, "original_price_fen": 15900},
        headers=shop.headers,
    )
    expected = dict(
        zip(
            [*ids, faked],
            [
                "shipping.excessive",
                "three_no.missing_field",
                "three_no.licence_expired",
                "price.fake_original",
            ],
            strict=True,
        )
    )

    def row_of(page: str, listing_id: int, end: str) -> str:
        start = page.index(f'data-listing="{listing_id}"')
        return page[start : page.index(end, start)]

    token_for("compliance", username="reviewer")
    client.post(
        "/console/login", data={"username": "reviewer", "password": "correct horse battery"}
    )
    staff_page = client.get("/console/listings").text
    client.cookies.clear()
    sign_in_merchant(client, shop)
    merchant_page = client.get("/console/merchant").text
    for listing_id, check in expected.items():
        for page, end in ((staff_page, "</tr>"), (merchant_page, "</section>")):
            row = row_of(page, listing_id, end)
            assert "rejected" in row, (listing_id, row[:300])
            assert f'data-check="{check}"' in row, (listing_id, check)


def test_a_short_appeal_is_refused_in_chinese_with_the_statement_kept(client, shop):
    refused = client.post(
        "/api/listings", json=listing(shop, label=ADDRESS_MISSING), headers=shop.headers
    ).json()
    sign_in_merchant(client, shop)
    csrf = csrf_of(client.get("/console/merchant"))
    page = client.post(
        f"/console/merchant/listings/{refused['id']}/appeal",
        data={"statement": "复核", "csrf": csrf},
    )
    assert page.status_code == 200
    assert "申诉理由要写 5 至 5000 字：请写明哪里审错了" in page.text
    assert 'name="statement" value="复核"' in page.text
    assert "characters" not in page.text


def test_a_refused_statement_comes_back_once_in_a_cookie_never_in_the_address(client, shop):
    """What was typed may hold a buyer's phone: the address (history, access logs, Referer)
    carries only the refusal; the statement rides in a short-lived cookie for the form's page,
    is shown once and cleared, and a bad cookie is ignored."""
    rejected = client.post(
        "/api/listings", json=listing(shop, label=ADDRESS_MISSING), headers=shop.headers
    ).json()
    sign_in_merchant(client, shop)
    csrf = csrf_of(client.get("/console/merchant"))
    typed = "买家电话13912345678，" + "地址已印在外箱" * 800  # over 5000 characters: refused
    answer = client.post(
        f"/console/merchant/listings/{rejected['id']}/appeal",
        data={"statement": typed, "csrf": csrf},
        follow_redirects=False,
    )
    location = unquote_plus(answer.headers["location"])
    assert answer.status_code == 303 and location.startswith("/console/merchant?error=")
    assert "13912345678" not in location and "kept" not in location
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("lg_kept=") and len(cookie.split(";")[0]) < 4096
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/console/merchant", "Max-Age=300"):
        assert attribute in cookie

    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and "申诉理由要写 5 至 5000 字" in page.text
    assert 'name="statement" value="买家电话13912345678，地址已印在外箱' in page.text  # cut
    assert 'lg_kept=""' in page.headers["set-cookie"]  # cleared once shown
    assert "13912345678" not in client.get("/console/merchant").text  # a reload: empty

    not_json = base64.urlsafe_b64encode(b"{not json").decode()
    a_list = base64.urlsafe_b64encode(json.dumps(["13912345678"]).encode()).decode()
    for garbage in ("%%%not-base64", "e30", not_json, a_list):
        client.cookies.set("lg_kept", garbage, path="/console/merchant")
        shown = client.get("/console/merchant")
        assert shown.status_code == 200 and "13912345678" not in shown.text
