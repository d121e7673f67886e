"""S10 in the console, through a real browser against ``liveguard demo``: a regulator
reads the 618 promotion's public opinion (negative posts a day by category, the parties
most named), follows a shop to its complaints, and finds the spike alert. Read-only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from liveguard.cli.demo_opinion import promotion_year
from liveguard.clock import Clock

pytestmark = pytest.mark.browser

SHOP = "暖冬服饰旗舰店"


def test_s10_a_regulator_reads_the_618_posts_and_the_spike(page: Page) -> None:
    page.goto("/console/login?next=/console/opinion")
    page.get_by_label("User name").fill("regulator")
    page.get_by_label("Password").fill("demo-regulator")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/opinion$"))

    year = promotion_year(Clock().today())
    page.goto(f"/console/opinion/trends?start={year}-06-01&end={year}-06-20")
    expect(page.get_by_test_id("period")).to_contain_text(f"{year}-06-01 至 {year}-06-20")
    expect(page.get_by_test_id("trend-chart").locator("rect").first).to_be_visible()
    delivery = page.get_by_test_id("category-totals").locator("tr", has_text="物流配送")
    expect(delivery).to_have_count(1)
    first = page.get_by_test_id("top-parties").locator("tbody tr").first
    expect(first).to_contain_text(SHOP)
    expect(first).to_contain_text("已登记")

    first.get_by_role("link", name=SHOP).click()
    expect(page.get_by_test_id("posts")).to_contain_text("物流配送")
    expect(page.get_by_test_id("posts").locator("tbody tr").first).to_contain_text(SHOP)

    page.get_by_role("link", name="预警 Alerts").click()
    alerts = page.get_by_test_id("alerts")
    expect(alerts).to_contain_text("物流配送类负面舆情")
    expect(alerts).to_contain_text(f"商家「{SHOP}」被提及")
    expect(page.get_by_role("button", name=re.compile("Acknowledge"))).to_have_count(0)
