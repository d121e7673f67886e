"""S6 end to end on the real demo, through the API and the browser: a shop records the
coupon-for-phone consent; its third SMS in a month is refused over the cap; the buyer signs
in, sees the shop among those who hold her data with the consent marked as the price of a
coupon, withdraws it in one click and asks for deletion; the shop's next SMS is refused and
counted; a compliance officer cannot see her full number; the admin's page shows the
request and its due date.

Sends are scheduled for 10:00 Beijing time tomorrow, so the quiet hours never decide the
test whatever time it runs.
"""

from __future__ import annotations

import json
import urllib.error
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from liveguard.clock import CHINA
from tests.e2e.conftest import PAGE_TIMEOUT_MS
from tests.e2e.test_live_room import Api
from tests.e2e.test_s1_end_to_end import AdminApi

pytestmark = pytest.mark.browser

PHONE = "13912340606"


class TokenApi(Api):
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token


def _issued(admin: Api, kind: str, principal_id: int) -> str:
    body = {"principal_kind": kind, "principal_id": principal_id, "label": "e2e S6"}
    return admin.call("POST", "/api/auth/tokens", body)["token"]


def test_s6_coupon_consent_cap_withdrawal_and_deletion(
    page: Page, browser: Browser, demo_server: str
) -> None:
    compliance, admin = Api(demo_server), AdminApi(demo_server)
    [shop] = [
        m
        for m in compliance.call("GET", "/api/merchants")["items"]
        if m["shop_name"] == "暖冬服饰旗舰店"
    ]
    buyer = compliance.call("POST", "/api/consumers", {"nickname": "领券的周女士", "phone": PHONE})
    merchant = TokenApi(demo_server, _issued(admin, "merchant", shop["id"]))
    consent = merchant.call(
        "POST",
        "/api/privacy/consents",
        {
            "consumer_id": buyer["id"],
            "holder_kind": "merchant",
            "holder_id": shop["id"],
            "purpose": "marketing",
            "channel": "sms",
            "scope": "手机号码",
            "method": "coupon_form",
            "room": "暖冬服饰直播间",
            "wording": "留下手机号即领 20 元无门槛券，并同意接收本店会员活动短信",
            "in_exchange_for": "20 元无门槛优惠券",
        },
    )
    tomorrow = datetime.combine(datetime.now(CHINA).date() + timedelta(days=1), time(10), CHINA)
    sms = {
        "merchant_id": shop["id"],
        "channel": "sms",
        "consumer_ids": [buyer["id"]],
        "text": "会员日全场 8 折",
        "at": tomorrow.isoformat(),
    }
    refused_url = f"/api/privacy/merchants/{shop['id']}/refused-sends"
    before = merchant.call("GET", refused_url)["total"]
    answers = [merchant.call("POST", "/api/privacy/marketing/send", sms) for _ in range(3)]
    assert [a["decisions"][0]["reason"] for a in answers] == [None, None, "cap_reached"]
    assert "退订" in answers[0]["decisions"][0]["message"]

    # she signs in with her token and sees who holds her data
    context = browser.new_context(base_url=demo_server, locale="zh-CN")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    she = context.new_page()
    she.goto("/console/consumer-login")
    she.get_by_label("Token").fill(_issued(admin, "consumer", buyer["id"]))
    she.get_by_role("button", name="Sign in").click()
    she.get_by_role("link", name="我的信息 My data").click()
    expect(she.get_by_test_id("my-phone")).to_have_text("139****0606")
    holders = she.get_by_test_id("holders")
    expect(holders.locator('tr[data-holder="liveguard"]')).to_have_count(1)
    shop_row = holders.locator('tr[data-holder="merchant"]')
    expect(shop_row).to_contain_text("暖冬服饰旗舰店")
    expect(shop_row.get_by_test_id("for-benefit")).to_contain_text("20 元无门槛优惠券")

    # one click withdraws; the shop's next SMS is refused and counted
    she.get_by_test_id(f"withdraw-{consent['id']}").click()
    expect(shop_row.get_by_test_id("withdrawn")).to_be_visible()
    sms["at"] = (tomorrow + timedelta(days=31)).isoformat()  # a new month: the cap has room
    after = merchant.call("POST", "/api/privacy/marketing/send", sms)
    assert after["decisions"][0]["reason"] == "withdrawn"
    assert merchant.call("GET", refused_url)["total"] == before + 2

    # she asks for deletion; the request shows with its statutory due date
    she.get_by_test_id("ask-deletion").click()
    request_row = she.get_by_test_id("requests").locator('tr[data-kind="deletion"]')
    expect(request_row).to_have_attribute("data-status", "open")
    expect(request_row).to_contain_text("15 个工作日内")
    expect(she.locator("body")).not_to_contain_text(PHONE)
    context.close()

    # compliance sees her only masked, and cannot have the full number
    record = compliance.call("GET", f"/api/consumers/{buyer['id']}")
    assert record["phone_masked"] == "139****0606" and PHONE not in json.dumps(record)
    with pytest.raises(urllib.error.HTTPError) as refused:
        compliance.call(
            "POST",
            f"/api/privacy/consumers/{buyer['id']}/phone",
            {"purpose": "contact_about_case"},
        )
    assert refused.value.code == 403

    # the admin's page lists her open request
    page.goto("/console/login?next=/console/privacy")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("demo-admin")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("requests")).to_contain_text(f"买家 {buyer['id']}")
