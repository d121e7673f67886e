"""S10 and S13 end to end, through the API and the console, on both databases: a recorded
world (two live rooms, their findings, complaints filed by a buyer), its month's seven
harms per merchant and anchor, and a report made on demand: stored, its PDF's SHA-256 in
the ledger, read by a regulator as a page whose charts are the PDF's own drawings."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from io import BytesIO

import pytest
from pypdf import PdfReader

from liveguard.live import service as live_service
from liveguard.reports import fonts, harms
from liveguard.reports import render as report_render
from liveguard.reports.schemas import ReportContent
from tests.integration.cases.conftest import s1_complaint, world  # noqa: F401  (fixture)

MONTH = "2026-11"  # the world's rooms ran six days before the tests' fixed day


def _needs_font() -> None:
    try:
        fonts.find()
    except fonts.FontMissing as missing:
        pytest.skip(missing.detail)


def _file_complaints(client, world) -> None:  # noqa: F811
    filed = client.post("/api/cases", json=s1_complaint(world), headers=world.as_consumer())
    assert filed.status_code == 201, filed.text
    zhuanpai = {
        "summary": "主播让拍专拍链接，说和直播间是同一款，收到的是另一件便宜货。",
        "session_id": world.jacket_session,
        "price_paid_fen": 9900,
    }
    filed = client.post("/api/cases", json=zhuanpai, headers=world.as_consumer("other_buyer"))
    assert filed.status_code == 201, filed.text


def _signs_in(client, token_for, role: str) -> None:
    client.cookies.clear()
    token_for(role, username=f"{role}-page")
    signed = client.post(
        "/console/login",
        data={"username": f"{role}-page", "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert signed.status_code == 303


def test_s13_the_months_seven_harms_per_merchant_and_anchor(
    client,
    world,  # noqa: F811
    auth,
    token_for,
    db,
) -> None:
    _file_complaints(client, world)
    with db() as session:  # what the monitor recorded, sorted by the mapping one by one
        recorded = [
            f
            for s in (world.jacket_session, world.nest_session)
            for f in live_service.get_findings(db_session=session, session_id=s)
        ]
    expected = Counter(harms.of_finding(f.category, f.rule) for f in recorded)
    assert expected["off_platform"] >= 2  # the WeChat lines and the QR code

    answer = client.get(
        "/api/reports/harms",
        params={"month": MONTH, "platform_id": world.platform_id},
        headers=auth("regulator"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = {r["harm"]: r for r in body["harms"]["rows"]}
    assert len([h for h in rows if h != harms.OTHER]) == 7
    assert {h: r["findings"] for h, r in rows.items() if r["findings"]} == dict(expected)
    # S1 paid by WeChat QR code; the other buyer bought in the same room, where the
    # monitor recorded the diversion, so intake records her channel as off-platform too
    assert rows["off_platform"]["complaints"] == 2
    assert rows["false_advertising"]["complaints"] == 1  # S1: not as described, knowingly
    assert rows["zhuanpai_links"]["complaints"] == 1  # the "专拍" link
    jacket = next(m for m in body["harms"]["merchants"] if m["party_id"] == world.jacket_shop)
    jacket_findings = Counter(
        harms.of_finding(f.category, f.rule)
        for f in recorded
        if f.session_id == world.jacket_session
    )
    assert jacket["counts"]["off_platform"] == jacket_findings["off_platform"] + 2
    assert jacket["counts"]["zhuanpai_links"] == 1
    anchors = {a["party_id"]: a for a in body["harms"]["anchors"]}
    assert set(anchors) == {world.xiaonuan, world.yanjie}
    assert anchors[world.xiaonuan]["name"] == "小暖穿搭"

    before = client.get("/api/reports/harms", params={"month": "2026-10"}, headers=auth())
    assert all(r["findings"] == r["complaints"] == 0 for r in before.json()["harms"]["rows"])
    wrong = client.get("/api/reports/harms", params={"month": "2026-13"}, headers=auth())
    assert wrong.status_code == 422

    _signs_in(client, token_for, "regulator")
    page = client.get("/console/reports/harms", params={"month": MONTH})
    assert page.status_code == 200
    off = re.search(
        r'<tr data-harm="off_platform"><td>(.*?)</td><td data-testid="findings">(\d+)', page.text
    )
    assert off and off.group(1) == "诱导场外交易" and int(off.group(2)) == expected["off_platform"]
    assert "小暖穿搭" in page.text and "off_platform</td>" not in page.text  # words, not codes


def test_s10_a_report_on_demand_is_stored_hashed_in_the_ledger_and_read_by_a_regulator(
    client,
    world,  # noqa: F811
    auth,
    token_for,
) -> None:
    _needs_font()
    _file_complaints(client, world)
    posts = [
        "在暖冬服饰旗舰店直播间买的羽绒服，客服让加微信转账，收到是穿过的旧衣服，退款没人理！",
        "燕姐的滋补间卖的燕窝就是糖水，配料表写着风味饮品，虚假宣传，要求退一赔三",
        "快递一周了还没到，客服说618单量大让等着，太慢了",
    ]
    for n, text in enumerate(posts):
        posted = {"source": "weibo", "posted_at": f"2026-11-1{n}T12:00:00+08:00", "text": text}
        made = client.post("/api/opinion/posts", json=posted, headers=auth())
        assert made.status_code == 201, made.text
    refused = client.post(
        "/api/reports", json={"start": "2026-11-30", "end": "2026-11-01"}, headers=auth()
    )
    assert refused.status_code == 422 and "截止日期早于起始日期" in refused.text
    asked = {"start": "2026-11-01", "end": "2026-11-30", "title": "11月直播带货消费维权报告"}
    assert client.post("/api/reports", json=asked, headers=auth("regulator")).status_code == 403
    made = client.post("/api/reports", json=asked, headers=auth())
    assert made.status_code == 201, made.text
    report = made.json()

    document = client.get(f"/api/reports/{report['id']}/pdf", headers=auth("regulator"))
    assert document.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(document.content).hexdigest() == report["pdf_sha256"]
    item = client.get(f"/api/evidence/items/{report['ledger_seq']}", headers=auth("regulator"))
    assert item.json()["kind"] == "report" and item.json()["intact"]
    assert item.json()["record"]["data"]["pdf_sha256"] == report["pdf_sha256"]
    reader = PdfReader(BytesIO(document.content))
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in reader.pages))
    assert len(reader.pages) >= 5 and "11月直播带货消费维权报告" in text
    assert "诱导场外交易" in text and "暖冬服饰" in text  # the harms and the shop most found

    read = client.get(f"/api/reports/{report['id']}", headers=auth("regulator")).json()
    content = ReportContent.model_validate(read["content"])
    totals = {c.key: c.count for c in content.totals}
    assert totals["complaints"] == 2 and totals["findings"] > 0
    assert content.examples and all(e.ledger_seq is not None for e in content.examples)
    assert content.opinion is not None and content.opinion.posts_total == 3
    assert content.opinion.negative_total >= 2
    assert sum(c.count for c in content.opinion.negative_by_category) == (
        content.opinion.negative_total
    )
    assert content.opinion.examples and "负面舆情：按类别" in text
    listed = client.get("/api/reports", headers=auth("regulator")).json()
    assert [r["id"] for r in listed["items"]] == [report["id"]] and listed["total"] == 1

    _signs_in(client, token_for, "regulator")
    page = client.get(f"/console/reports/{report['id']}")
    assert page.status_code == 200
    for svg in report_render.charts_for(content).values():
        assert svg in page.text  # the very drawings the PDF holds
    assert f"/console/evidence?item={report['ledger_seq']}" in page.text
    assert "make-report" not in client.get("/console/reports").text  # a regulator reads only

    _signs_in(client, token_for, "compliance")
    page = client.get("/console/reports")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    wrong = client.post(
        "/console/reports",
        data={"csrf": csrf, "start": "2026-11-30", "end": "2026-11-01"},
        follow_redirects=True,
    )
    assert "统计期间" in wrong.text and "截止日期早于起始日期" in wrong.text
