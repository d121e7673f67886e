"""A report's "红黑名单变化" section: the period's proposals, decisions and liftings as the
credit capability recorded them, on the page and in the PDF, each with its ledger item."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

from liveguard.clock import CHINA
from liveguard.reports.schemas import ReportContent
from tests.integration.cases.conftest import world  # noqa: F401  (fixture)
from tests.integration.reports.test_reports import _needs_font, _signs_in
from tests.integration.trade.conftest import at


def _report(client, auth, start: str, end: str) -> tuple[dict, ReportContent]:
    made = client.post("/api/reports", json={"start": start, "end": end}, headers=auth())
    assert made.status_code == 201, made.text
    report = made.json()
    read = client.get(f"/api/reports/{report['id']}", headers=auth("regulator")).json()
    return report, ReportContent.model_validate(read["content"])


def test_a_report_shows_the_periods_changes_to_the_red_and_black_lists(
    client,
    world,  # noqa: F811
    auth,
    token_for,
    clock,
) -> None:
    _needs_font()
    # the world's repeated diversion lines made LiveGuard propose the shop and its anchor
    proposals = client.get("/api/credit/proceedings", headers=auth()).json()
    shop = next(p for p in proposals if p["subject_kind"] == "merchant")
    assert {p["subject_kind"] for p in proposals} == {"merchant", "anchor"}

    report, content = _report(client, auth, "2026-11-01", "2026-11-30")
    assert len(content.list_changes) == len(proposals)
    row = next(c for c in content.list_changes if c.party_kind == "商家")
    assert (row.party, row.change) == (shop["subject_name"], "拟列入，已书面告知当事人")
    assert row.list_name == "严重失信名单（黑名单）" and "严重直播违规" in row.reason
    item = client.get(f"/api/evidence/items/{row.ledger_seq}", headers=auth("regulator")).json()
    assert item["kind"] == "credit_step" and item["intact"]
    assert item["record"]["data"]["proceeding_id"] == shop["id"]

    # the PDF: the section in its outline, the changes (their Beijing times) on its pages
    document = client.get(f"/api/reports/{report['id']}/pdf", headers=auth("regulator"))
    reader = PdfReader(BytesIO(document.content))
    assert "七、红黑名单变化" in [entry.title for entry in reader.outline]
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in reader.pages))
    proposed_at = row.at.astimezone(CHINA).strftime("%Y-%m-%d%H:%M")
    assert text.count(proposed_at) == len(proposals)

    _signs_in(client, token_for, "regulator")
    page = client.get(f"/console/reports/{report['id']}").text
    section = page[page.index('id="credit"') : page.index('id="examples"')]
    assert "红黑名单变化" in section and f"商家：{shop['subject_name']}" in section
    assert f"/console/evidence?item={row.ledger_seq}" in section
    assert "merchant" not in section and "proposed" not in section  # words, not codes

    # after the objection period staff list the shop: December's report shows the decision
    # (and not November's proposals)
    clock.at = at("2026-12-02 10:00")
    decided = client.post(
        f"/api/credit/proceedings/{shop['id']}/decision",
        json={"decision": "list", "reason": "多次引导站外交易，逾期未提出异议"},
        headers=auth(),
    )
    assert decided.status_code == 200, decided.text
    _, december = _report(client, auth, "2026-12-01", "2026-12-02")
    [listed] = december.list_changes
    assert (listed.party, listed.change) == (shop["subject_name"], "决定列入")
    assert listed.reason == "多次引导站外交易，逾期未提出异议"
    _, october = _report(client, auth, "2026-10-01", "2026-10-31")
    assert october.list_changes == []
