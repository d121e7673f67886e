"""S11 in a real browser against ``liveguard demo``: the bird's-nest shop paid a star's
agency for a joint session; signed in with its own token, the shop opens the room from
its console and sees the per-minute chart, the signs of bought traffic and the agency
named as having run the room. Read-only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from liveguard.cli.demo_s7_s11 import S11_TITLE
from tests.e2e.test_demo_listings import BIRDSNEST_SHOP, merchant_sign_in, merchant_token

pytestmark = pytest.mark.browser


def test_s11_the_shop_sees_its_rooms_real_picture(page: Page, demo_server: str) -> None:
    _, token = merchant_token(demo_server, BIRDSNEST_SHOP)
    merchant_sign_in(page, token)
    page.get_by_test_id("my-rooms").get_by_role("link", name=S11_TITLE).click()
    expect(page).to_have_url(re.compile(r"/console/live/\d+/picture$"))

    chart = page.get_by_test_id("picture-chart")
    expect(chart).to_be_visible()
    points = page.get_by_test_id("viewers-line").get_attribute("points") or ""
    minutes = len(points.split())
    assert minutes >= 30  # one point a minute of the half-hour session
    expect(chart.locator("rect.talk")).to_have_count(minutes)  # and one bar
    signals = page.get_by_test_id("picture-signals")
    expect(signals).to_contain_text("观看人数从")
    expect(signals).to_contain_text("注册的账号")
    expect(page.get_by_test_id("picture-controllers")).to_contain_text("北京星光传媒有限公司")
    expect(page.get_by_test_id("conversion")).to_contain_text("‰")
    expect(page.get_by_test_id("picture-findings")).to_have_text(re.compile(r"^[1-9]\d* 条$"))
