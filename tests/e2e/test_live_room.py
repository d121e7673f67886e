"""S1 and S3 end to end against the running demo: events posted to the HTTP API, seen in
chromium on the viewers' page (the warning banner arrives without a reload) and on the
staff room page (findings marked on their exact spans, the frame's decoded QR code), and
every item found again in the evidence ledger through its API.

Each test opens its own live session on the demo's platform, anchor and merchant (and S3
its own listing), so nothing here depends on what the other browser tests do. It adds
sessions and a listing, which would change the home page's counts: file order runs it
after test_demo_console.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from liveguard.evidence import merkle
from tests.e2e.conftest import PAGE_TIMEOUT_MS
from tests.frame_images import encoded, frame

pytestmark = pytest.mark.browser

WECHAT_CARD = "https://u.wechat.com/EH2xQ3kC9lXz1aBcDeFg"
SPOKEN = "过年不发货，着急的宝宝加V 薇信 一三八 零零一三 八零零零，私聊给你提前发"
CHAT = "要的加我vx: nuan_jacket888 私聊下单"
DEMO_SESSION_TITLE = "暖冬服饰 年货节羽绒服专场"
_event_ids = count(1)


class Api:
    """The JSON API as an integration would call it: a bearer token from /api/auth/login."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        login = self.call(
            "POST", "/api/auth/login", {"username": "compliance", "password": "demo-compliance"}
        )
        self.token = login["token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if getattr(self, "token", None):
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data, headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def api(demo_server: str) -> Api:
    return Api(demo_server)


def new_session(api: Api, title: str) -> int:
    """A live session like the demo's jacket night, starting now."""
    demo = next(s for s in api.call("GET", "/api/sessions") if s["title"] == DEMO_SESSION_TITLE)
    created = api.call(
        "POST",
        "/api/sessions",
        {
            "platform_id": demo["platform_id"],
            "room_code": f"E2E-{next(_event_ids)}",
            "title": title,
            "anchor_id": demo["anchor_id"],
            "merchant_id": demo["merchant_id"],
            "started_at": datetime.now(UTC).isoformat(),
        },
    )
    return created["id"]


def event(kind: str, **fields: Any) -> dict[str, Any]:
    n = next(_event_ids)
    at = datetime.now(UTC) + timedelta(milliseconds=n)
    return {"event_id": f"e2e-{n}", "kind": kind, "occurred_at": at.isoformat(), **fields}


def post_events(api: Api, session_id: int, events: list[dict[str, Any]]) -> dict[str, Any]:
    answer = api.call("POST", f"/api/sessions/{session_id}/events", events)
    assert answer["refused"] == [], answer["refused"]
    return answer


def diverting_room(api: Api, session_id: int, *, speaker: str, spoken: str, qr: str) -> bytes:
    """S1's moment in a room: the jacket on show, the invitation spoken by ``speaker``, a
    WeChat id in chat from the shop's staff, a frame showing a QR code of ``qr``. Returns
    the frame's PNG."""
    jacket = next(i for i in api.call("GET", "/api/listings") if i["title"].startswith("冬季加厚"))
    png = encoded(frame(qr=qr))
    image = {"image_base64": base64.b64encode(png).decode(), "mime": "image/png"}
    post_events(
        api,
        session_id,
        [
            event("listing_shown", data={"listing_id": jacket["id"]}),
            event(
                "utterance",
                speaker_role=speaker,
                text=spoken,
                data={"start_ms": 150000, "end_ms": 156000},
            ),
            event("chat", speaker_role="assistant", text=CHAT),
            event("frame", data=image),
        ],
    )
    return png


def staff_page(browser: Browser, base_url: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/console/login")
    page.get_by_label("User name").fill("compliance")
    page.get_by_label("Password").fill("demo-compliance")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("who")).to_contain_text("compliance")
    return page


def test_s1_diversion_in_speech_chat_and_a_qr_frame_warns_viewers_live(
    page: Page, browser: Browser, demo_server: str, api: Api
) -> None:
    session_id = new_session(api, "E2E S1 羽绒服 年货节")
    # a viewer is watching before anything happens: no banner yet
    page.goto(f"/live/{session_id}")
    banner = page.get_by_test_id("warning-banner")
    expect(banner).to_be_hidden()
    staff = staff_page(browser, demo_server)
    staff.goto(f"/console/live/{session_id}")
    expect(staff.get_by_test_id("stream-state")).to_have_text("live")

    png = diverting_room(api, session_id, speaker="assistant", spoken=SPOKEN, qr=WECHAT_CARD)

    # the viewer's page shows the warning without being reloaded
    expect(banner).to_be_visible()
    warnings = api.call("GET", f"/api/public/live/{session_id}/warnings")
    assert warnings, "the policy issued no viewer warning"
    expect(page.get_by_test_id("warning-text")).to_have_text(warnings[-1]["text"])
    assert re.search(r"[\u4e00-\u9fff]", warnings[-1]["text"]), "the banner is not in Chinese"

    # the staff page marks each finding's exact span and shows the decoded QR code
    timeline = api.call("GET", f"/api/sessions/{session_id}/timeline")
    by_kind = {e["kind"]: e for e in timeline["events"]}
    for kind in ("utterance", "chat"):
        row = staff.locator(f"[data-testid=event][data-kind={kind}]")
        findings = by_kind[kind]["findings"]
        assert any(f["category"] == "diversion" for f in findings), kind
        text = list(by_kind[kind]["text"])
        expected = {i for f in findings for i in range(f["start"], f["end"])}
        marked = "".join(row.locator("[data-testid=finding-span]").all_inner_texts())
        expect(row.locator("[data-testid=finding-span]").first).to_be_visible()
        assert marked == "".join(text[i] for i in sorted(expected))
        # who said it, beside each finding: the shop's assistant, in speech and in chat
        speakers = row.get_by_test_id("finding-speaker")
        expect(speakers).to_have_count(len(findings))
        expect(speakers.first).to_have_text("助播 assistant")
    frame_row = staff.locator("[data-testid=event][data-kind=frame]")
    expect(frame_row.get_by_test_id("finding-speaker").first).to_have_attribute(
        "data-speaker", "room"
    )
    expect(frame_row.get_by_test_id("qr-payload")).to_have_text(WECHAT_CARD)
    expect(frame_row.get_by_test_id("qr")).to_contain_text("微信加好友码")
    assert any(f["category"] == "diversion" for f in by_kind["frame"]["findings"])
    expect(staff.get_by_test_id("actions").locator("[data-kind=viewer_warning]")).to_have_count(1)
    expect(staff.get_by_test_id("risk-score")).not_to_have_text("0.0")

    # every event, finding and action is in the ledger, intact; the frame by its hash
    items = {}
    for row in timeline["events"]:
        items[row["ledger_seq"]] = row["kind"]
        items.update({f["ledger_seq"]: "finding" for f in row["findings"]})
    items.update({a["ledger_seq"]: a["kind"] for a in timeline["actions"]})
    assert None not in items
    kinds, leaves = set(), {}
    for seq in items:
        item = api.call("GET", f"/api/evidence/items/{seq}")
        assert item["intact"], seq
        leaves[seq] = item["leaf_hash"]
        kinds.add(item["kind"])
        if items[seq] == "frame":
            assert hashlib.sha256(png).hexdigest() in json.dumps(item["record"])
    assert {"utterance", "chat_message", "frame", "finding", "warning"} <= kinds
    # and provably so: each item's inclusion proof leads to a newly signed checkpoint's root
    checkpoint = api.call("POST", "/api/evidence/checkpoints")
    root, size = bytes.fromhex(checkpoint["root_hash"]), checkpoint["tree_size"]
    for seq in items:
        proof = api.call("GET", f"/api/evidence/items/{seq}/inclusion?tree_size={size}")
        path = [bytes.fromhex(p) for p in proof["path"]]
        assert proof["leaf_hash"] == leaves[seq]
        merkle.verify_inclusion(seq, size, bytes.fromhex(leaves[seq]), path, root)
    staff.context.close()


def test_s3_a_listing_changed_mid_stream_is_flagged_on_the_room_page(
    browser: Browser, demo_server: str, api: Api
) -> None:
    session_id = new_session(api, "E2E S3 粉丝福利")
    staff = staff_page(browser, demo_server)
    staff.goto(f"/console/live/{session_id}")
    expect(staff.get_by_test_id("stream-state")).to_have_text("live")
    # a "1 cent" fan-benefit item of the demo's welfare shop, made for this test with free
    # shipping, whose shipping is raised to 999 yuan while it is on show
    welfare = next(i for i in api.call("GET", "/api/listings") if i["title"].startswith("粉丝福利"))
    listing = api.call(
        "POST",
        "/api/listings",
        {
            "merchant_id": welfare["merchant_id"],
            "title": "粉丝福利 1分钱 E2E",
            "category": welfare["category"],
            "price_fen": 1,
            "shipping_fee_fen": 0,
            "stock": 100,
            "description": "拍下即发。",
        },
    )
    post_events(
        api,
        session_id,
        [
            event("listing_shown", data={"listing_id": listing["id"]}),
            event(
                "listing_changed",
                data={
                    "listing_id": listing["id"],
                    "changes": {"shipping_fee_fen": 99900},
                },
            ),
        ],
    )
    changed = staff.locator("[data-testid=event][data-kind=listing_changed]")
    expect(changed.locator("[data-rule='listing.changed_midstream']")).to_be_visible()
    expect(changed).to_contain_text("99900")
    expect(staff.get_by_test_id("actions").locator("[data-kind=pull_listing]")).to_have_count(1)
    staff.context.close()


def test_staff_warn_viewers_from_the_room_page_and_the_banner_follows(
    page: Page, browser: Browser, demo_server: str, api: Api
) -> None:
    session_id = new_session(api, "E2E 人工警示")
    page.goto(f"/live/{session_id}")
    expect(page.get_by_test_id("warning-banner")).to_be_hidden()
    staff = staff_page(browser, demo_server)
    staff.goto(f"/console/live/{session_id}")
    staff.get_by_test_id("act-text").fill("主播引导私下交易，请勿扫码付款")
    staff.get_by_test_id("act-reason").fill("seen on the stream by staff")
    staff.get_by_role("button", name="观众警示 Warn viewers").click()
    expect(staff.get_by_role("status")).to_contain_text("Saved")
    action = staff.get_by_test_id("actions").locator("[data-kind=viewer_warning]")
    expect(action).to_contain_text("主播引导私下交易，请勿扫码付款")
    expect(action).to_contain_text("compliance")
    expect(page.get_by_test_id("warning-text")).to_have_text("主播引导私下交易，请勿扫码付款")
    staff.context.close()


def test_a_caption_on_screen_is_read_and_its_finding_marked_on_the_line(
    browser: Browser, demo_server: str, api: Api
) -> None:
    caption = "加我薇信私聊下单"
    png = encoded(frame(captions=[(caption, (80, 600))], font_size=44))  # skips without a CJK font
    session_id = new_session(api, "E2E 画面文字")
    staff = staff_page(browser, demo_server)
    staff.goto(f"/console/live/{session_id}")
    expect(staff.get_by_test_id("stream-state")).to_have_text("live")
    image = {"image_base64": base64.b64encode(png).decode(), "mime": "image/png"}
    post_events(api, session_id, [event("frame", data=image)])
    line = staff.get_by_test_id("ocr-line")
    expect(line).to_have_text(caption)
    expect(line.get_by_test_id("finding-span").first).to_be_visible()
    [row] = api.call("GET", f"/api/sessions/{session_id}/timeline")["events"]
    assert {f["source"] for f in row["findings"]} == {"screen"}
    staff.context.close()


def test_the_room_list_raises_a_rooms_risk_as_findings_arrive(
    browser: Browser, demo_server: str, api: Api
) -> None:
    session_id = new_session(api, "E2E 风险排序")
    staff = staff_page(browser, demo_server)
    staff.goto("/console/live")
    row = staff.locator(f"tr[data-session='{session_id}']")
    expect(row.get_by_test_id("risk")).to_have_text("0.0")
    spoken = event(
        "utterance", speaker_role="anchor", text=SPOKEN, data={"start_ms": 0, "end_ms": 1}
    )
    post_events(api, session_id, [spoken])
    # no reload: the list polls the rooms API every 3 s
    expect(row.get_by_test_id("risk")).not_to_have_text("0.0", timeout=PAGE_TIMEOUT_MS)
    expect(row.get_by_test_id("open-findings")).not_to_have_text("0")
    expect(row.locator(".status.live")).to_have_text("直播中")  # refreshed in words, not "live"
    staff.context.close()
