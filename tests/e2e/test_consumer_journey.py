"""The buyer's journey on the real demo, as a person new to LiveGuard would take it: from
the home page, with no ids known, she signs up, finds the S1 room (the down jacket sold
through a WeChat QR code), opens the complaint form from the viewer page, gives the room
code, picks the listing by name, writes the amount as she would ("¥199"), reads the answer
(who is liable, the rule, what she is owed, by when) and follows the case in 我的投诉.
A second buyer files without an account, keeps her tracking code and secret link, and
opens the case again with each. ``look`` screenshots every step at 1366 and 390 px and
fails on overflow or a serious accessibility problem."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journey import look

pytestmark = pytest.mark.browser

S1_ROOM_TITLE = "暖冬服饰 年货节羽绒服专场"


def open_the_s1_room_from_home(page: Page) -> str:
    """Home → recent live sessions → the S1 room's viewer page; its room code."""
    page.goto("/")
    page.get_by_test_id("sessions").get_by_role("link", name=S1_ROOM_TITLE).click()
    expect(page).to_have_url(re.compile(r"/live/\d+$"))
    code = page.get_by_test_id("room-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z]{2}-\d{6}", code), code
    return code


def fill_the_complaint(page: Page, room_code: str, amount: str) -> None:
    page.get_by_label("直播间号 Room code").fill(room_code)
    page.get_by_label("买的是哪件商品").fill("羽绒服")
    page.get_by_label("实付金额").fill(amount)
    page.get_by_label("怎么付的款").select_option(label="扫微信收款码")
    page.get_by_label("遇到了什么问题").select_option(label="与宣传不符")
    page.get_by_label("卖家或主播是否故意").select_option(label="是 Yes")
    page.get_by_label("发生了什么").fill(
        "客服让加微信，主播举着二维码让扫码付款。收到的羽绒服是穿过的、有污渍，卖家拒绝退货。"
    )


def read_the_answer(page: Page) -> None:
    answer = page.get_by_test_id("answer")
    expect(answer).to_be_visible()
    liable = page.get_by_test_id("liable")
    expect(liable).to_contain_text("主播")  # off the platform: the anchor, not the shop
    expect(liable.locator("summary").first).to_contain_text("依据")
    liable.locator("summary").first.click()
    expect(liable.locator("blockquote.law").first).to_contain_text("第")
    owed = page.get_by_test_id("owed")
    expect(owed).to_contain_text("欺诈三倍赔偿")  # three times the price, at least 500 yuan
    expect(page.get_by_test_id("total")).not_to_have_text("¥0.00")
    expect(page.get_by_test_id("case-state")).not_to_be_empty()
    expect(page.get_by_test_id("case-events")).to_contain_text("投诉登记")


def test_a_new_buyer_signs_up_files_about_the_s1_room_and_follows_it(page: Page) -> None:
    page.goto("/")
    look(page, "consumer-home")
    page.get_by_role("link", name="我的投诉 My complaints").first.click()
    expect(page).to_have_url(re.compile(r"/my/login"))
    look(page, "consumer-login")
    page.get_by_role("link", name="注册 Create an account").click()
    look(page, "consumer-signup")
    phone = "139" + "".join(secrets.choice("0123456789") for _ in range(8))
    page.get_by_label("昵称").fill("长春的李女士")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill("warm-winter-2026")
    page.get_by_role("button", name="注册").click()
    codes = page.get_by_test_id("recovery-codes").locator("code")
    expect(codes).to_have_count(8)
    look(page, "consumer-recovery-codes")
    page.get_by_test_id("continue").click()
    expect(page).to_have_url(re.compile(r"/my/complaints$"))

    room_code = open_the_s1_room_from_home(page)
    look(page, "consumer-viewer")
    page.get_by_test_id("complain").click()
    expect(page.get_by_test_id("complaint-form")).to_be_visible()
    expect(page.get_by_test_id("room-listings")).to_contain_text("羽绒服")

    # she writes the amount in words first: told how, by the field, nothing lost
    fill_the_complaint(page, room_code, "两百块")
    page.get_by_role("button", name="提交投诉").click()
    expect(page.locator("#amount-error")).to_contain_text("请用数字写金额")
    expect(page.get_by_label("发生了什么")).to_contain_text("主播举着二维码")
    expect(page.get_by_label("直播间号 Room code")).to_have_value(room_code)
    look(page, "consumer-complaint-mistake")

    page.get_by_label("实付金额").fill("¥199")
    look(page, "consumer-complaint-form")
    page.get_by_role("button", name="提交投诉").click()
    expect(page).to_have_url(re.compile(r"/my/complaints/\d+"))
    read_the_answer(page)
    expect(page.get_by_test_id("case-summary")).to_contain_text("¥199.00")
    expect(page.get_by_test_id("case-summary")).to_contain_text(room_code)
    look(page, "consumer-answer")

    page.get_by_role("link", name="我的投诉 My complaints").first.click()
    mine = page.get_by_test_id("my-complaints")
    expect(mine.locator("tbody tr", has_text="主播举着二维码")).to_have_count(1)
    look(page, "consumer-my-complaints")
    mine.get_by_role("link").first.click()
    read_the_answer(page)


def test_a_buyer_without_an_account_files_and_reopens_with_her_code_and_link(
    page: Page,
) -> None:
    room_code = open_the_s1_room_from_home(page)
    page.get_by_test_id("complain").click()
    fill_the_complaint(page, room_code, "669元")
    page.get_by_role("button", name="提交投诉").click()
    keys = page.get_by_test_id("case-keys")
    expect(keys).to_be_visible()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    link = page.get_by_test_id("secret-link").get_attribute("href")
    assert re.fullmatch(r"TS-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", code), code
    assert link and link.startswith("/track/")
    read_the_answer(page)
    look(page, "consumer-anonymous-filed")
    # a reload, and the form sent again from "back", show the same keys and file nothing
    page.reload()
    expect(page.get_by_test_id("tracking-code")).to_have_text(code)
    page.go_back()
    expect(page.get_by_test_id("complaint-form")).to_be_visible()
    page.get_by_role("button", name="提交投诉").click()
    expect(page.get_by_test_id("tracking-code")).to_have_text(code)

    page.goto("/")
    page.get_by_role("link", name="查询投诉 Track").first.click()
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    read_the_answer(page)
    expect(page.get_by_test_id("case-summary")).to_contain_text("¥669.00")
    look(page, "consumer-tracked-by-code")

    page.goto(link)
    read_the_answer(page)
    look(page, "consumer-tracked-by-link")


def test_from_the_viewer_page_she_reaches_the_shops_licence_and_its_goods_on_sale(
    page: Page,
) -> None:
    open_the_s1_room_from_home(page)
    page.get_by_test_id("shop-licence").click()
    expect(page).to_have_url(re.compile(r"/shops/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("暖冬服饰旗舰店")
    look(page, "consumer-shop")
    page.get_by_test_id("shop-listings").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/listings/\d+$"))
    expect(page.get_by_test_id("shop-licence")).to_be_visible()
    look(page, "consumer-listing")
    page.get_by_role("link", name="投诉 Complain").last.click()
    expect(page.get_by_test_id("complaint-form")).to_be_visible()
    page.goto("/complaints")
    look(page, "consumer-public-complaints")


def test_a_missing_page_is_a_chinese_page_with_the_way_back(page: Page) -> None:
    page.goto("/listings/987654")
    expect(page.get_by_test_id("error-page")).to_contain_text("没有找到")
    look(page, "consumer-not-found")
    page.get_by_role("link", name="回到首页 Home").click()
    expect(page).to_have_url(re.compile(r"/$"))
