"""S4 in the console, through a real browser against ``liveguard demo``: the air
conditioner shop's page counts its broken delivery promise and links the buyer's case,
which the promise check opened without being asked. Read-only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SHOP = "清凉家电专营店"
ORDER_NO = "YX0501-88231"


def test_s4_the_shop_page_counts_the_broken_promise_and_opens_its_case(page: Page) -> None:
    page.goto("/console/login?next=/console/cases")
    page.get_by_label("User name").fill("cases")
    page.get_by_label("Password").fill("demo-cases")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/cases$"))

    page.goto("/")
    shop_link = page.get_by_role("link", name=SHOP)
    merchant_id = (shop_link.get_attribute("href") or "").rsplit("/", 1)[-1]
    page.goto(f"/console/merchants/{merchant_id}")
    expect(page.get_by_test_id("breach-count")).to_contain_text("1 in all, 1 in the last year")
    row = page.get_by_test_id("breaches").locator("tbody tr", has_text=ORDER_NO)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("cancelled")  # cancelled and refunded after the breach
    expect(row).to_contain_text("¥1,999.00")
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/console/cases/\d+$"))
    expect(page.get_by_text(f"订单 {ORDER_NO}")).to_be_visible()
    expect(page.get_by_test_id("total")).to_contain_text("1,999.00")
