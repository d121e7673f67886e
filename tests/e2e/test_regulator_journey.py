"""The regulator's journey on the real demo, as a person would take it: sign in from the
home page, find the S1 shop by name in the merchants list, open its profile, go to all its
cases, filter them, export them to CSV, and never meet a button that would refuse her
(a regulator reads and exports; she changes nothing).

The CSV is read as Excel would: UTF-8 with its byte-order mark, Chinese headers, labels
not codes, and exactly the shop's cases, no more, no fewer.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journey import look

pytestmark = pytest.mark.browser

SHOP = "暖冬服饰旗舰店"  # the S1 room's shop in the demo (cli/data/demo.yaml: jacket)
# Buttons a regulator may press on these pages: filtering is a GET form.
ALLOWED_BUTTONS = re.compile(r"筛选|Filter|退出|Sign out")


def no_refused_buttons(page: Page) -> None:
    """No form on the page would send a change; every button there is one she may use."""
    expect(page.locator("main form[method=post]")).to_have_count(0)
    for button in page.locator("main button, main input[type=submit]").all():
        assert ALLOWED_BUTTONS.search(button.inner_text() or ""), button.inner_text()


def shop_case_ids_in_the_whole_list(page: Page) -> set[int]:
    """Every case the unfiltered list says is the shop's, across all its pages."""
    page.goto("/console/cases")
    found: set[int] = set()
    while True:
        for row in page.get_by_test_id("cases").locator("tbody tr[data-case]").all():
            if SHOP in row.inner_text():
                found.add(int(row.get_attribute("data-case") or 0))
        following = page.get_by_test_id("next-page")
        if following.count() == 0:
            return found
        following.click()


def test_a_regulator_finds_a_shop_reads_its_profile_and_exports_all_its_cases(
    page: Page,
) -> None:
    page.goto("/")
    page.get_by_role("link", name=re.compile("工作人员登录")).click()  # not the buyers' login
    page.get_by_label("User name").fill("regulator")
    page.get_by_label("Password").fill("demo-regulator")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("who")).to_contain_text("regulator")

    # The merchants list, searched by a part of the shop's name.
    page.get_by_role("link", name=re.compile("商家 Merchants")).click()
    expect(page).to_have_url(re.compile(r"/console/merchants$"))
    page.get_by_label(re.compile("搜索")).fill("暖冬")
    page.get_by_role("button", name=re.compile("筛选")).click()
    expect(page.get_by_label(re.compile("搜索"))).to_have_value("暖冬")  # kept as typed
    rows = page.get_by_test_id("merchants").locator("tbody tr[data-merchant]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(SHOP)
    look(page, "regulator-merchants-found")
    no_refused_buttons(page)

    # Its profile: cases and credit in one place, each linking into its list.
    rows.first.get_by_role("link", name=SHOP).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SHOP)
    expect(page.get_by_test_id("profile-cases")).to_be_visible()
    expect(page.get_by_test_id("profile-credit")).to_be_visible()
    merchant_id = re.search(r"/console/merchants/(\d+)", page.url).group(1)  # type: ignore[union-attr]
    look(page, "regulator-merchant-profile")
    no_refused_buttons(page)

    # All its cases, then filtered by state and back to all of them.
    page.get_by_test_id("all-cases").click()
    expect(page).to_have_url(re.compile(rf"/console/cases\?merchant_id={merchant_id}$"))
    expect(page.get_by_test_id("filter-merchant")).to_have_text(SHOP)
    listed = page.get_by_test_id("cases").locator("tbody tr[data-case]")
    all_ids = {int(r.get_attribute("data-case") or 0) for r in listed.all()}
    assert all_ids, "the S1 shop has cases in the demo"
    look(page, "regulator-shop-cases")
    no_refused_buttons(page)

    state = page.get_by_label(re.compile("状态"))
    state.select_option(label="已登记待受理")
    page.get_by_role("button", name=re.compile("筛选")).click()
    expect(page).to_have_url(re.compile(rf"merchant_id={merchant_id}"))
    expect(page.get_by_label(re.compile("状态"))).to_have_value("filed")  # kept as chosen
    for row in listed.all():
        expect(row).to_contain_text("已登记待受理")
        assert int(row.get_attribute("data-case") or 0) in all_ids
    look(page, "regulator-shop-cases-filtered")

    page.get_by_label(re.compile("状态")).select_option(value="")
    page.get_by_role("button", name=re.compile("筛选")).click()
    expect(listed).to_have_count(len(all_ids))

    # The export: what the list shows, as Excel reads it.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    raw = open(download.path(), "rb").read()  # noqa: SIM115
    assert raw.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8 Chinese"
    rows_in_csv = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {"编号", "提交时间（北京时间）", "状态", "商家店铺", "支付金额（元）"} <= set(
        rows_in_csv[0]
    )
    exported = {int(r["编号"]) for r in rows_in_csv}
    assert exported == all_ids
    assert all(r["商家店铺"] == SHOP for r in rows_in_csv)
    assert not any(re.fullmatch(r"[a-z_]+", r["状态"]) for r in rows_in_csv), "a bare code"

    # Exactly the shop's cases: the same ones the whole, unfiltered list says are its.
    assert exported == shop_case_ids_in_the_whole_list(page)


def test_a_regulator_reads_the_shops_findings_rooms_and_anchor(page: Page) -> None:
    page.goto("/console/login?next=/console/merchants")
    page.get_by_label("User name").fill("regulator")
    page.get_by_label("Password").fill("demo-regulator")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("merchants").get_by_role("link", name=SHOP).click()

    page.get_by_role("link", name=re.compile("直播发现 Findings")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("直播发现")
    page.get_by_label(re.compile("严重程度")).select_option(label="高")
    page.get_by_role("button", name=re.compile("筛选")).click()
    rows = page.get_by_test_id("list-findings").locator("tbody tr[data-row]")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        expect(row).to_contain_text("高")
    look(page, "regulator-shop-findings")
    no_refused_buttons(page)

    page.go_back()
    page.go_back()
    page.get_by_role("link", name=re.compile("全部直播 Rooms")).click()
    rooms = page.get_by_test_id("list-rooms").locator("tbody tr[data-row]")
    expect(rooms.first).to_be_visible()
    look(page, "regulator-shop-rooms")

    page.goto("/console/anchors")
    page.get_by_label(re.compile("搜索")).fill("小暖")
    page.get_by_role("button", name=re.compile("筛选")).click()
    page.get_by_test_id("anchors").get_by_role("link").first.click()
    expect(page.get_by_test_id("profile-cases")).to_be_visible()
    expect(page.get_by_test_id("anchor-rooms").get_by_role("link").first).to_be_visible()
    look(page, "regulator-anchor-profile")
    no_refused_buttons(page)
