"""S1 from the room to the buyer's verified bundle, through the public interfaces only.

A room's speech (加V, 薇信, a number in Chinese digits), a chat message with a WeChat id
and a frame showing a WeChat payment QR code go in over the HTTP API; the viewers' page
shows the warning; the buyer, signed in to the console with her own token, files her
complaint (669 yuan paid by scanning the code) and reads the answer: the person behind
the WeChat account liable, the shop and the platform not the contract party, the
platform bound to hand over the anchor's verified identity, 669 + 2,007 yuan; the case
lists the linked words, frame, findings and the warning with their ledger items; the
bundle she downloads verifies offline and holds the frame's image.

It adds a session, a consumer and a case to the demo: file order runs it after the
read-only console tests.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from liveguard.clock import CHINA
from liveguard.evidence.verify import TrustedKeys, verify_bundle
from tests.e2e.conftest import PAGE_TIMEOUT_MS
from tests.e2e.test_case_console import choose
from tests.e2e.test_live_room import Api, diverting_room, new_session

pytestmark = pytest.mark.browser

WECHAT_PAY = "wxp://f2f0Ht4b7E8cQzX0pLmN3aK9vQ2rT5yW"
SPOKEN = "过年店铺不发货，着急的宝宝加V 薇信 一三八 零零一三 八零零零，扫码付款私聊提前发"


class AdminApi(Api):
    """The API as the platform's administrator calls it (who issues consumers' tokens)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        login = {"username": "admin", "password": "demo-admin"}
        self.token = self.call("POST", "/api/auth/login", login)["token"]


def _buyer_token(base_url: str, compliance: Api) -> str:
    """A new buyer, and the token the platform gives her (as an admin issues it)."""
    buyer = compliance.call(
        "POST", "/api/consumers", {"nickname": "扫码付款的李女士", "phone": "13604319669"}
    )
    issued = AdminApi(base_url).call(
        "POST",
        "/api/auth/tokens",
        {"principal_kind": "consumer", "principal_id": buyer["id"], "label": "e2e S1"},
    )
    return issued["token"]


def test_s1_from_the_room_to_the_buyers_verified_bundle(
    page: Page, browser: Browser, demo_server: str, tmp_path: Path
) -> None:
    api = Api(demo_server)
    session_id = new_session(api, "E2E S1 全程 羽绒服")
    page.goto(f"/live/{session_id}")
    banner = page.get_by_test_id("warning-banner")
    expect(banner).to_be_hidden()

    png = diverting_room(api, session_id, speaker="anchor", spoken=SPOKEN, qr=WECHAT_PAY)
    # the viewers' page warns against paying outside the platform, without a reload
    expect(banner).to_be_visible()
    [warning] = api.call("GET", f"/api/public/live/{session_id}/warnings")
    expect(page.get_by_test_id("warning-text")).to_have_text(warning["text"])

    # the buyer signs in with her token and files her complaint in the console
    buyer = browser.new_context(base_url=demo_server, locale="zh-CN")
    buyer.set_default_timeout(PAGE_TIMEOUT_MS)
    she = buyer.new_page()
    she.goto("/console/consumer-login")
    she.get_by_label("Token").fill(_buyer_token(demo_server, api))
    she.get_by_role("button", name="Sign in").click()
    she.goto("/console/cases/new")
    form = she.get_by_test_id("complaint-form")
    form.get_by_label("What happened").fill(
        "主播让加薇信、扫屏幕上的二维码付款，我付了669元，收到的羽绒服是旧的、有污渍，卖家拒绝退货还拉黑了我。"
    )
    form.get_by_label("Where you paid").select_option("off_platform")
    form.get_by_label("How, if outside").select_option("wechat_qr")
    form.get_by_label("What is wrong").select_option("not_as_described")
    form.get_by_label("Deceived on purpose").select_option("yes")
    form.get_by_label("Amount paid").fill("669")
    choose(form, "pick-room", "E2E S1 全程 羽绒服")
    moment = datetime.now(CHINA).strftime("%Y-%m-%dT%H:%M")
    form.get_by_label("When in the session").fill(moment)
    form.get_by_role("button", name="提交 File").click()
    expect(she.get_by_test_id("case-state")).to_have_attribute("data-state", "filed")
    case_url = she.url

    # the answer: the person behind the WeChat account, not the shop or the platform
    parties = she.get_by_test_id("parties")
    expect(parties.locator('li[data-role="account_holder"]')).to_have_attribute(
        "data-liability", "sole"
    )
    expect(parties.locator('li[data-role="seller"]')).to_have_count(0)
    cleared = she.get_by_test_id("not-liable")
    expect(cleared.locator('li[data-role="seller"]')).to_contain_text("不是这笔交易的当事人")
    expect(cleared.locator('li[data-role="platform"]')).to_have_count(1)
    # the platform's duty: the anchor's verified identity, on her request
    duty = parties.locator('li[data-role="platform"]')
    expect(duty).to_have_attribute("data-liability", "disclose_identity")
    expect(duty).to_contain_text("直播营销平台经营者应当根据消费者的要求提供直播间运营者")
    facts = she.get_by_test_id("facts")
    expect(facts.locator('tr[data-fact="room_operator"]')).to_contain_text("平台登记的主体信息")
    expect(facts.locator('tr[data-fact="diverted_by"]')).to_contain_text("直播间记录")
    remedies = she.get_by_test_id("remedies")
    expect(remedies.locator('li[data-kind="return_refund"]')).to_have_attribute(
        "data-amount", "66900"
    )
    expect(remedies.locator('li[data-kind="fraud_damages"]')).to_have_attribute(
        "data-amount", "200700"
    )
    expect(she.get_by_test_id("total")).to_have_text("¥2,676.00")

    # the case lists what the room recorded, each with its ledger item
    links = she.get_by_test_id("links")
    timeline = api.call("GET", f"/api/sessions/{session_id}/timeline")
    by_kind = {e["kind"]: e for e in timeline["events"]}
    for kind in ("utterance", "chat", "frame"):
        assert by_kind[kind]["findings"], f"the monitor found nothing in the {kind}"
        row = links.locator(f'li[data-link="{kind}"]')
        expect(row).to_have_count(1)
        expect(row).to_contain_text(f"证据第{by_kind[kind]['ledger_seq']}条")
        for finding in by_kind[kind]["findings"]:
            found = links.locator(f'li[data-link="finding"][data-ledger="{finding["ledger_seq"]}"]')
            expect(found).to_contain_text(finding["quote"][:20])
    expect(links.locator('li[data-link="frame"]')).to_contain_text(WECHAT_PAY)
    action = next(a for a in timeline["actions"] if a["kind"] == "viewer_warning")
    expect(links.locator('li[data-link="warning"]')).to_contain_text(
        f"证据第{action['ledger_seq']}条"
    )

    # the anchor's verified identity, handed over and recorded
    she.get_by_test_id("anchor-identity").click()
    expect(she.get_by_test_id("real-name")).to_have_text("陈晓暖")
    she.goto(case_url)

    # her bundle verifies offline and carries the QR frame itself
    with she.expect_download() as download:
        she.get_by_test_id("bundle").click()
    path = tmp_path / "s1-bundle.zip"
    download.value.save_as(path)
    published = api.call("GET", "/api/evidence/public-key")["public_key"]
    report = verify_bundle(path, trusted=TrustedKeys.given_key(published))
    assert report.ok, report.lines()
    digest = hashlib.sha256(png).hexdigest()
    with zipfile.ZipFile(path) as archive:
        assert archive.read(f"blobs/{digest}") == png
        manifest = json.loads(archive.read("manifest.json"))
    kinds = {item["kind"] for item in manifest["items"]}
    assert {"complaint", "utterance", "chat_message", "frame", "finding", "warning"} <= kinds
    buyer.close()
