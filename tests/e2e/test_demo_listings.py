"""End-to-end: listing review as a merchant and a buyer see it, in a real browser against
``liveguard demo``: the merchant signs in with its token, reads why a listing was refused
(rule, law, fix) and appeals from the page; a buyer opens the public listing page; a
regulator records a failed sample in the console and the listing leaves sale at once.

Runs after test_demo_console.py on the same demo server and touches only the jacket and
bird's-nest listings, which that file only reads.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_demo_console import sign_in

pytestmark = pytest.mark.browser

JACKET_SHOP = "暖冬服饰旗舰店"
BIRDSNEST_SHOP = "燕之初滋补食品店"
BIRDSNEST = "即食燕窝 滋补礼盒 6瓶装"
# the title that matches its own label (燕窝风味饮品): "即食燕窝" is refused against it (S2)
BIRDSNEST_FIXED = "燕窝风味饮品 礼盒 6瓶装"


def api(base: str, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json"}
        | ({"authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def admin_token(base: str) -> str:
    return api(
        base, "POST", "/api/auth/login", body={"username": "admin", "password": "demo-admin"}
    )["token"]


def merchant_token(base: str, shop_name: str) -> tuple[int, str]:
    """What an admin does for a shop that wants to sign in: issue it a token."""
    admin = admin_token(base)
    merchants = api(base, "GET", "/api/merchants?limit=100", admin)
    items = merchants["items"] if isinstance(merchants, dict) else merchants
    [merchant] = [m for m in items if m["shop_name"] == shop_name]
    body = {"principal_kind": "merchant", "principal_id": merchant["id"], "label": "e2e"}
    return merchant["id"], api(base, "POST", "/api/auth/tokens", admin, body)["token"]


def merchant_sign_in(page: Page, token: str) -> None:
    page.goto("/console/login")
    page.get_by_role("link", name="Merchant sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merchant sign-in")
    page.get_by_label("Merchant token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/merchant$"))


def birdsnest_on_sale(base: str) -> int:
    """The bird's-nest listing fixed by its merchant (no unproven original price, a title
    its label bears out), approved by review and put on sale, as the merchant would
    through the API."""
    _, token = merchant_token(base, BIRDSNEST_SHOP)
    [item] = [
        i
        for i in api(base, "GET", "/api/listings", admin_token(base))
        if i["title"] in (BIRDSNEST, BIRDSNEST_FIXED)
    ]
    if item["status"] != "on_sale":
        changes = {"original_price_fen": None, "title": BIRDSNEST_FIXED}
        fixed = api(base, "PATCH", f"/api/listings/{item['id']}", token, changes)
        assert fixed["status"] == "approved", fixed["review"]
        api(base, "POST", f"/api/listings/{item['id']}/publish", token)
    return item["id"]


def test_a_merchant_sees_why_its_listing_waits_and_appeals_from_the_page(
    page: Page, demo_server: str
) -> None:
    _, token = merchant_token(demo_server, JACKET_SHOP)
    merchant_sign_in(page, token)
    expect(page.get_by_test_id("who")).to_contain_text(JACKET_SHOP)
    # its own listings, no one else's: the jacket and the vest on sale (cli/demo_consumer.py)
    listings = page.get_by_test_id("my-listing")
    expect(listings).to_have_count(2)
    expect(listings.filter(has_text="轻薄白鸭绒羽绒马甲")).to_have_count(1)
    mine = listings.filter(has_text="冬季加厚白鸭绒羽绒服")
    expect(mine).to_have_count(1)
    expect(mine.get_by_test_id("status")).to_have_text("需修改后重新提交")  # not the code
    problem = mine.locator('[data-check="price.original_unproven"]')
    expect(problem).to_contain_text("1299.00")  # what is wrong and what to do
    expect(problem).to_contain_text("请去掉划线价")
    expect(problem).to_contain_text("明码标价和禁止价格欺诈规定")  # the law, quoted

    mine.get_by_label("appeal reason").fill("划线价为吊牌价，附吊牌照片，请复核。")
    mine.get_by_role("button", name="Appeal").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_test_id("appeal-waiting")).to_contain_text("吊牌价")
    jacket = page.get_by_test_id("my-listing").filter(has_text="冬季加厚白鸭绒羽绒服")
    expect(jacket.get_by_test_id("status")).to_have_text("商家已申诉")


def test_a_buyer_sees_the_listing_with_its_label_licence_and_status(
    page: Page, demo_server: str
) -> None:
    listing_id = birdsnest_on_sale(demo_server)
    page.goto(f"/listings/{listing_id}")
    expect(page.get_by_test_id("listing-title")).to_have_text(BIRDSNEST_FIXED)
    expect(page.get_by_test_id("review-status")).to_contain_text("在售")
    price = page.get_by_test_id("price")
    expect(price).to_contain_text("¥299.00")
    expect(price).to_contain_text("包邮")
    label = page.get_by_test_id("label")
    expect(label).to_contain_text("生产者地址")
    expect(label).to_contain_text("北京市大兴区经济技术开发区科创十三街8号")
    expect(label).to_contain_text("SC10611011500123")
    expect(page.get_by_test_id("licence")).to_contain_text("91110105MA01R9TK5T")
    expect(page.get_by_test_id("permits")).to_contain_text("JY11105050123456")
    expect(page.get_by_test_id("who")).to_have_count(0)  # nobody signed in


def test_a_failed_sample_from_the_console_takes_the_listing_off_sale(
    page: Page, demo_server: str
) -> None:
    listing_id = birdsnest_on_sale(demo_server)
    sign_in(page, "regulator", "demo-regulator")
    page.get_by_role("link", name="Samples").click()
    form = page.get_by_test_id("sample-form")
    form.get_by_label("Listing").select_option(str(listing_id))
    form.get_by_label("Kind").select_option("mystery_shopping")
    form.get_by_label("Batch").fill("YW20261101")
    form.get_by_label("Bought at").fill("2026-11-01T20:15")
    form.get_by_label("Bought by").fill("某市消费者协会")
    form.get_by_label("Tested by").fill("某市食品检验所")
    form.get_by_label("检验项目 Test", exact=True).fill("唾液酸含量检验")
    form.get_by_label("Standard").fill("GH/T 1092-2014")
    form.get_by_label("Result").select_option("failed")
    form.get_by_label("Failed items").fill("唾液酸 | 0.02 g/100g | ≥ 0.5 g/100g")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    row = page.get_by_test_id("samples").locator("tbody tr", has_text="YW20261101")
    expect(row).to_contain_text("不合格")
    expect(row.locator(".status.pulled")).to_have_text("已下架")

    page.goto(f"/listings/{listing_id}")  # what a buyer now sees
    expect(page.get_by_test_id("review-status")).to_contain_text("已下架")
    expect(page.get_by_test_id("review-status")).to_contain_text("唾液酸实测 0.02 g/100g")
    expect(page.get_by_test_id("samples")).to_contain_text("GH/T 1092-2014")

    page.context.clear_cookies()
    _, token = merchant_token(demo_server, BIRDSNEST_SHOP)
    merchant_sign_in(page, token)
    mine = page.get_by_test_id("my-listing")
    expect(mine.get_by_test_id("status")).to_have_text("已下架")
    expect(mine.locator('[data-check="sampling.failed"]')).to_contain_text("产品质量法")
    expect(mine.get_by_test_id("samples")).to_contain_text("唾液酸")
