"""The compliance officer's journey on the real demo, as a person new to LiveGuard would
take it: she signs in, finds the S1 room (the WeChat-diversion down-jacket room) from the
rooms list without typing an id, reads its findings, acts on them by choosing (a note in
her own words on the WeChat payment code, then escalating a finding), opens the S1
complaint, reads the answer and the timeline, takes the next steps and closes the case.
Each step is looked at (1366 px and 390 px screenshots, no overflow, axe-core)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journey import look

pytestmark = pytest.mark.browser

S1_ROOM = "暖冬服饰 年货节羽绒服专场"


def test_a_compliance_officer_works_the_s1_room_and_closes_its_case(page: Page) -> None:
    page.goto("/console/login")
    page.get_by_label("User name").fill("compliance")
    page.get_by_label("Password").fill("demo-compliance")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("who")).to_contain_text("compliance")
    look(page, "compliance-signed-in")

    # the rooms list, riskiest first: she finds the S1 room by its title
    page.get_by_role("link", name="直播监控 Live").click()
    look(page, "compliance-rooms")
    page.get_by_role("link", name=S1_ROOM).first.click()
    expect(page.get_by_role("heading", name=S1_ROOM)).to_be_visible()
    expect(page.locator("[data-testid=findings] li").first).to_be_visible()
    # the room has ended: only the actions that still mean something are offered
    expect(page.get_by_role("button", name="观众警示 Warn viewers")).to_have_count(0)
    # the policy's actions read as sentences at the moment each was taken, not the end
    actions = page.get_by_test_id("actions")
    expect(actions.locator("[data-kind=viewer_warning]")).to_contain_text("已向观众发出警示")
    expect(actions.locator("[data-kind=viewer_warning] time")).to_have_text("20:02:30")
    look(page, "compliance-room")

    # she picks the WeChat payment code's finding and notes it in her own words
    finding = page.get_by_test_id("act-finding")
    option = finding.locator("option", has_text="微信收款码").first
    finding.select_option(value=option.get_attribute("value"))
    page.get_by_test_id("act-reason").fill("主播举着微信收款码让观众扫码付款，已核实")
    page.get_by_role("button", name="记录 Note").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    noted = actions.locator("[data-kind=note]", has_text="已核实")
    expect(noted).to_contain_text("已记录在案")
    expect(noted).to_contain_text("主播举着微信收款码让观众扫码付款，已核实")
    expect(noted).to_contain_text("微信收款码")  # the finding she chose, in words

    # then escalates the finding of paying off the platform ("扫码直接付"), again by choosing it
    option = finding.locator("option", has_text="平台外付款").first
    finding.select_option(value=option.get_attribute("value"))
    page.get_by_test_id("act-reason").fill("请法务复核：引导站外付款")
    page.get_by_role("button", name="转人工 Escalate").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(actions.locator("[data-kind=escalate]", has_text="请法务复核")).to_contain_text(
        "已转人工处理"
    )
    look(page, "compliance-room-acted")

    # the S1 complaint, from the cases list
    page.get_by_role("link", name="投诉 Cases").click()
    look(page, "compliance-cases")
    # the demo's S1 complaint (another test may have filed one about a jacket too)
    page.get_by_role("link", name=re.compile("客服说店铺过年不发货")).first.click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "filed")
    parties = page.get_by_test_id("parties")
    expect(parties.locator('li[data-role="account_holder"]')).to_contain_text("收款账户持有人")
    expect(page.get_by_test_id("total")).to_have_text("¥2,676.00")
    timeline = page.get_by_test_id("links")
    expect(timeline.locator('li[data-link="utterance"]').first).to_contain_text("2026-")
    expect(timeline.locator("a.ledger").first).to_have_attribute("href", re.compile(r"item=\d+"))
    assert "session:" not in page.get_by_test_id("answer").inner_text()
    look(page, "compliance-case")

    # the evidence behind a line of the timeline, verified and readable
    with page.expect_navigation():
        timeline.locator('li[data-link="frame"] a.ledger').first.click()
    expect(page.get_by_test_id("verification")).to_contain_text("✔")
    expect(page.get_by_test_id("record")).to_contain_text("XH-880231")
    assert "\\u" not in page.get_by_test_id("record").inner_text()
    look(page, "compliance-evidence")
    page.go_back()

    # next steps: accept, pass to the merchant, record its answer, decide, close
    step = page.get_by_test_id("next-step")
    step.get_by_role("button", name=re.compile("已受理")).click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "accepted")
    step.get_by_role("button", name=re.compile("已转商家处理")).click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "with_merchant")
    form = page.get_by_test_id("answer-form")
    form.get_by_label("答复内容 Their answer").fill("商家称收款微信非本店账号")
    form.get_by_role("button", name="记录答复 Record the answer").click()
    expect(page.get_by_test_id("links")).to_contain_text("商家称收款微信非本店账号")
    look(page, "compliance-case-answered")
    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("处理决定 Decision").fill(
        "平台提供收款人身份信息，支持退货退款并三倍赔偿"
    )
    decision.get_by_role("button", name="记录决定 Record the decision").click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "decided")
    page.get_by_test_id("next-step").get_by_role("button", name=re.compile("已结案")).click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "closed")
    expect(page.get_by_test_id("case-state")).to_contain_text("已结案")
    look(page, "compliance-case-closed")
