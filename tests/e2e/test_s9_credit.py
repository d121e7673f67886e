"""S9 in a real browser against ``liveguard demo``: the public lookup shows the demo's
black-listed anchor (real name masked) and red-listed shop; the S1 shop, proposed by
LiveGuard as its room's findings came in, reads the notice and objects from its own
console; compliance staff read the records and decide with a written reason; the shop
then appears on the public lookup and its live room warns viewers. A shop the demo
black-listed more than the 90-day clean period ago (every step a ledger item on its own
day) applies for credit repair from its console with what it rectified; compliance staff
lift it with a written reason, and the public lookup shows it repaired and when."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_demo_listings import (
    JACKET_SHOP,
    admin_token,
    api,
    merchant_sign_in,
    merchant_token,
)

pytestmark = pytest.mark.browser

JACKET_CODE = "91320507MA1W7LYB36"
OLD_SHOP = "好物优品小店"  # black-listed long ago by the demo (cli/demo_credit.py)
OLD_CODE = "91330106MA2H3K5P7M"


def staff_sign_in(page: Page) -> None:
    page.context.clear_cookies()
    page.goto("/console/login?next=/console/credit")
    page.get_by_label("User name").fill("compliance")
    page.get_by_label("Password").fill("demo-compliance")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/credit$"))


def test_s9_the_public_sees_the_lists_and_a_proposed_shop_objects_and_is_decided_on(
    page: Page, demo_server: str
) -> None:
    page.goto("/credit")
    entries = page.get_by_test_id("credit-entries")
    anchor = entries.locator("tr", has_text="小暖穿搭")
    expect(anchor).to_have_attribute("data-list", "black")
    expect(anchor).to_contain_text("陈**")  # the real name only masked
    expect(entries).not_to_contain_text("陈晓暖")
    expect(entries.locator("tr", has_text="鲜果直供农场")).to_have_attribute("data-list", "red")
    expect(entries).not_to_contain_text(JACKET_SHOP)  # proposed only: not public yet

    # the shop reads its notice in its console and objects
    _, token = merchant_token(demo_server, JACKET_SHOP)
    merchant_sign_in(page, token)
    notice = page.get_by_test_id("my-credit")
    expect(notice).to_have_attribute("data-state", "proposed")
    expect(notice.get_by_test_id("credit-notice")).to_contain_text("严重失信名单")
    expect(notice.get_by_test_id("credit-notice")).to_contain_text("前提出异议")
    expect(notice).to_contain_text("微信")  # the records behind it
    notice.get_by_label("objection reason").fill("涉事主播已停播，本店已整改，请求不予列入。")
    notice.get_by_role("button", name="提出异议 Object").click()
    expect(page.get_by_test_id("my-credit")).to_have_attribute("data-state", "objected")

    # compliance staff decide, with a written reason
    staff_sign_in(page)
    row = page.get_by_test_id("proceedings").locator("tr", has_text=JACKET_SHOP)
    expect(row).to_have_attribute("data-state", "objected")
    row.get_by_role("link", name=re.compile(JACKET_SHOP)).click()
    steps = page.get_by_test_id("proceeding-steps")
    expect(steps.locator("li")).to_have_count(3)  # proposed, notified, objected
    expect(steps).to_contain_text("涉事主播已停播")
    expect(page.get_by_test_id("proceeding-evidence").locator("tbody tr")).to_have_count(3)
    form = page.get_by_test_id("decision-form")
    form.get_by_label("列入 / 维持").check()
    form.get_by_test_id("decision-reason").fill(
        "三次公开站外联系方式，证据确凿；整改情况可在信用修复时提出。"
    )
    form.get_by_role("button", name="记录决定 Record the decision").click()
    expect(page.get_by_test_id("proceeding-state")).to_have_attribute("data-state", "listed")
    expect(steps.locator("li")).to_have_count(4)
    expect(steps.locator('li[data-step="decided"]')).to_contain_text("账本 #")

    # the public lookup shows it, and the shop's live room warns viewers
    page.context.clear_cookies()
    page.goto(f"/credit?q={JACKET_CODE}")
    listed = page.get_by_test_id("credit-entries").locator("tr", has_text=JACKET_SHOP)
    expect(listed.get_by_test_id("credit-status")).to_have_text("在列")
    expect(listed).to_contain_text("近两年内经核实的严重直播违规达到 3 次")
    sessions = api(demo_server, "GET", "/api/sessions", admin_token(demo_server))
    items = sessions["items"] if isinstance(sessions, dict) else sessions
    [room] = [s for s in items if s["title"] == "暖冬服饰 年货节羽绒服专场"]
    page.goto(f"/live/{room['id']}")
    badge = page.get_by_test_id("credit-badge")
    expect(badge).to_have_attribute("data-list", "black")
    expect(badge).to_contain_text("请谨慎交易")


def test_s9_a_shop_listed_long_ago_applies_for_repair_and_is_lifted(
    page: Page, demo_server: str
) -> None:
    page.goto(f"/credit?q={OLD_CODE}")
    row = page.get_by_test_id("credit-entries").locator("tr", has_text=OLD_SHOP)
    expect(row).to_have_attribute("data-list", "black")
    expect(row.get_by_test_id("credit-status")).to_have_text("在列")

    # the shop, clean since its listing, applies for repair with what it rectified
    _, token = merchant_token(demo_server, OLD_SHOP)
    merchant_sign_in(page, token)
    notice = page.get_by_test_id("my-credit")
    expect(notice).to_have_attribute("data-state", "listed")
    expect(notice).to_contain_text("已列入")
    notice.get_by_label("repair statement").fill(
        "已辞退涉事主播，全员完成合规培训，上架前逐条核对话术；列入以来无新违规。"
    )
    notice.get_by_role("button", name="申请信用修复 Apply for repair").click()
    expect(page.get_by_test_id("my-credit")).to_have_attribute("data-state", "repair_applied")
    expect(page.get_by_test_id("my-credit")).to_contain_text("信用修复审查中")

    # the public sees the review under way
    page.context.clear_cookies()
    page.goto(f"/credit?q={OLD_CODE}")
    row = page.get_by_test_id("credit-entries").locator("tr", has_text=OLD_SHOP)
    expect(row.get_by_test_id("credit-status")).to_have_text("在列（信用修复审查中）")

    # compliance staff read the history and lift it, with a written reason
    staff_sign_in(page)
    row = page.get_by_test_id("proceedings").locator("tr", has_text=OLD_SHOP)
    expect(row).to_have_attribute("data-state", "repair_applied")
    row.get_by_role("link", name=re.compile(OLD_SHOP)).click()
    steps = page.get_by_test_id("proceeding-steps")
    # proposed, notified, objected, decided (months ago), then the repair application
    expect(steps.locator("li")).to_have_count(5)
    expect(steps.locator('li[data-step="decided"]')).to_contain_text("列入 / 维持")
    expect(steps.locator('li[data-step="repair_applied"]')).to_contain_text("已辞退涉事主播")
    form = page.get_by_test_id("decision-form")
    form.get_by_label("准予修复，移出名单").check()
    form.get_by_test_id("decision-reason").fill(
        "列入满 90 天无新违规，整改措施已落实，准予信用修复。"
    )
    form.get_by_role("button", name="记录决定 Record the decision").click()
    expect(page.get_by_test_id("proceeding-state")).to_have_attribute("data-state", "lifted")
    expect(steps.locator("li")).to_have_count(6)
    decided = steps.locator('li[data-step="repair_decided"]')
    expect(decided).to_contain_text("信用修复决定")
    expect(decided).to_contain_text("准予修复，移出名单")
    expect(decided).to_contain_text("账本 #")

    # the public lookup shows it repaired, and its record says when it was listed and lifted
    page.context.clear_cookies()
    page.goto(f"/credit?q={OLD_CODE}")
    row = page.get_by_test_id("credit-entries").locator("tr", has_text=OLD_SHOP)
    expect(row.get_by_test_id("credit-status")).to_have_text("已信用修复，移出名单")
    row.get_by_role("link", name=OLD_SHOP).click()
    record = page.get_by_test_id("credit-record")
    expect(record.get_by_test_id("credit-status")).to_have_text("已信用修复，移出名单")
    expect(record).to_contain_text("列入日期")
    expect(record).to_contain_text("（信用修复）")
