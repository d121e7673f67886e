"""S9 through the API on each database: a shop with repeated substantiated findings is
proposed, notified, objects, is decided on, appears on the public lookup, applies for
repair and is lifted, each step in the ledger; and S4's broken promise counts against
the shop's score, with the history saying why."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from tests.integration.catalog.conftest import Shop, listing
from tests.integration.trade.conftest import at
from tests.integration.trade.test_s4_promises import check, move_to_30_may, paid_with_promise

LINES = ["加我 wx：lucky_shop2026", "微信号是 meili_888", "加我 wx: meilishop"]
_ids = count(1)


def say(client, auth, clock, sale, line: str) -> None:
    clock.at += timedelta(minutes=1)
    event = {
        "event_id": f"credit-{next(_ids)}",
        "kind": "utterance",
        "occurred_at": clock.at.isoformat(),
        "speaker_role": "anchor",
        "text": line,
        "data": {"start_ms": 0, "end_ms": 3000},
    }
    sent = client.post(f"/api/sessions/{sale.session_id}/events", json=[event], headers=auth())
    assert sent.status_code == 200, sent.text
    assert len(sent.json()["accepted"]) == 1, sent.text


def proceedings_of(client, auth, kind: str, subject_id: int) -> list[dict]:
    found = client.get("/api/credit/proceedings", headers=auth()).json()
    return [p for p in found if (p["subject_kind"], p["subject_id"]) == (kind, subject_id)]


def ledger_kind(client, auth, seq: int) -> str:
    item = client.get(f"/api/evidence/items/{seq}", headers=auth())
    assert item.status_code == 200, item.text
    return item.json()["kind"]


def test_s9_a_shop_is_proposed_objects_is_listed_shown_repaired_and_lifted(
    client, auth, clock, sale
):
    shop = client.get(f"/api/merchants/{sale.shop_id}", headers=auth()).json()
    deposit_before = client.get(f"/api/merchants/{sale.shop_id}/deposit", headers=auth()).json()
    clock.at = at("2026-06-01 20:00")
    say(client, auth, clock, sale, LINES[0])
    assert proceedings_of(client, auth, "merchant", sale.shop_id) == []  # once is not repeated
    for line in LINES[1:]:
        say(client, auth, clock, sale, line)

    # LiveGuard proposes the shop and its anchor (not the platform), and notifies them
    [proposal] = proceedings_of(client, auth, "merchant", sale.shop_id)
    assert len(proceedings_of(client, auth, "anchor", sale.anchor_id)) == 1
    assert proceedings_of(client, auth, "platform", sale.platform_id) == []
    assert proposal["state"] == "proposed" and proposal["list_kind"] == "black"
    assert proposal["reasons_zh"] == ["近两年内经核实的严重直播违规达到 3 次"]
    assert len(proposal["evidence"]) == 3
    assert all(e["ref"].startswith("live_finding:") for e in proposal["evidence"])
    url = f"/api/credit/proceedings/{proposal['id']}"
    seen = client.get(url, headers=sale.shop_headers)  # the shop reads its own notice
    assert seen.status_code == 200, seen.text
    notified = seen.json()["steps"][1]
    assert notified["kind"] == "notified"
    assert "严重失信名单" in notified["text"] and "提出异议" in notified["text"]
    due = seen.json()["objection_due_on"]
    assert due == "2026-06-15"  # ten working days on the official calendar (Dragon Boat)

    # a person decides, not before the party could object
    early = client.post(
        f"{url}/decision", json={"decision": "list", "reason": "多次引导站外交易"}, headers=auth()
    )
    assert early.status_code == 409, early.text
    objected = client.post(
        f"{url}/objection", json={"text": "主播已被辞退，已整改"}, headers=sale.shop_headers
    )
    assert objected.status_code == 200, objected.text
    assert objected.json()["state"] == "objected"
    decided = client.post(
        f"{url}/decision",
        json={
            "decision": "list",
            "reason": "三次公开站外联系方式，证据确凿；异议所称整改可在修复时提出",
        },
        headers=auth(),
    )
    assert decided.status_code == 200, decided.text
    listed = decided.json()
    assert listed["state"] == "listed" and listed["listed_on"] == "2026-06-01"

    # the public sees it, by credit code or by name, with no personal data
    public = client.get("/api/public/credit", params={"q": shop["credit_code"]})
    [entry] = public.json()
    assert entry["status_zh"] == "在列" and entry["list_name_zh"] == "严重失信名单（黑名单）"
    assert entry["evidence_summary_zh"] == ["直播间违规（经核实，不含已驳回的）：3 条记录"]
    assert [
        e["id"] for e in client.get("/api/public/credit", params={"q": shop["shop_name"]}).json()
    ] == [entry["id"]]
    anchor_public = client.get("/api/public/credit", params={"q": "主播"}).json()
    assert all("*" in e["name"] for e in anchor_public if e["subject_kind"] == "anchor")

    # the public page, the live room and the complaint form show it, in words
    page = client.get("/credit", params={"q": shop["credit_code"]})
    assert page.status_code == 200 and "严重失信名单（黑名单）" in page.text
    assert "近两年内经核实的严重直播违规达到 3 次" in page.text
    assert 'data-list="black"' in client.get(f"/credit/{entry['id']}").text
    room = client.get(f"/live/{sale.session_id}").text
    assert 'data-testid="credit-badge"' in room and "请谨慎交易" in room
    form = client.get(f"/console/cases/new?session_id={sale.session_id}", headers=auth())
    assert 'data-list="black"' in form.text
    console = client.get(f"/console/credit/{proposal['id']}", headers=auth())
    assert console.status_code == 200 and "主播已被辞退" in console.text
    assert "直播间违规记录 #" in console.text  # the history's cause, in words

    # consequences: the deposit doubles, a new listing waits for a person
    deposit = client.get(f"/api/merchants/{sale.shop_id}/deposit", headers=auth()).json()
    assert deposit["required_fen"] == 2 * deposit_before["required_fen"]
    new = client.post(
        "/api/listings",
        json=listing(
            Shop(sale.shop_id, sale.shop_headers), label={"production_date": "2026-05-20"}
        ),
        headers=sale.shop_headers,
    )
    assert new.status_code == 201, new.text
    reviews = client.get(f"/api/listings/{new.json()['id']}/reviews", headers=auth()).json()
    assert new.json()["status"] == "changes_requested", [p["check"] for p in reviews[0]["problems"]]
    queue = client.get("/api/listings/review-queue", headers=auth()).json()
    assert new.json()["id"] in [item["listing"]["id"] for item in queue]

    # repair: refused before the clean period, accepted after it, then lifted
    repair = {"text": "已辞退涉事主播，完成全员合规培训，90 天无新违规"}
    refused = client.post(f"{url}/repair", json=repair, headers=sale.shop_headers)
    assert refused.status_code == 409, refused.text
    clock.at = at("2026-09-05 10:00")
    applied = client.post(f"{url}/repair", json=repair, headers=sale.shop_headers)
    assert applied.status_code == 200, applied.text
    lifted = client.post(
        f"{url}/decision",
        json={"decision": "lift", "reason": "整改到位，期满无新违规"},
        headers=auth(),
    )
    assert lifted.status_code == 200, lifted.text
    done = lifted.json()
    assert done["state"] == "lifted" and done["repaired"] is True
    [shown] = client.get("/api/public/credit", params={"q": shop["credit_code"]}).json()
    assert shown["status_zh"] == "已信用修复，移出名单" and shown["lifted_on"] == "2026-09-05"
    after = client.get(f"/api/merchants/{sale.shop_id}/deposit", headers=auth()).json()
    assert after["required_fen"] == deposit_before["required_fen"]
    say(client, auth, clock, sale, LINES[0])  # one new finding: repaired records stay repaired
    assert [p["state"] for p in proceedings_of(client, auth, "merchant", sale.shop_id)] == [
        "lifted"
    ]

    # every step, in order, is its own ledger item
    kinds = [s["kind"] for s in done["steps"]]
    assert kinds == [
        "proposed",
        "notified",
        "objected",
        "decided",
        "repair_applied",
        "repair_decided",
    ]
    assert {ledger_kind(client, auth, s["ledger_seq"]) for s in done["steps"]} == {"credit_step"}
    assert len({s["ledger_seq"] for s in done["steps"]}) == len(kinds)


def test_s4_a_broken_promise_counts_against_the_shop_and_the_history_says_when(
    client, auth, clock, sale, make_buyer
):
    order = paid_with_promise(client, auth, sale, make_buyer())
    clock.at = at("2026-05-28 16:00")
    move_to_30_may(client, sale, order, "2026-05-28 16:00")
    [breach] = check(client, auth, clock, "2026-05-31 00:05")["breaches"]

    score = client.get(f"/api/credit/scores/merchant/{sale.shop_id}", headers=sale.shop_headers)
    assert score.status_code == 200, score.text
    [factor] = [f for f in score.json()["factors"] if f["id"] == "delivery_breaches"]
    assert factor["weight"] == 3 and factor["deduction"] == 3
    [record] = factor["records"]
    assert record["ref"] == f"breach:{breach['id']}"
    assert record["ledger_seq"] == breach["ledger_seq"]
    assert score.json()["score"] == 97.0

    history = client.get(
        f"/api/credit/scores/merchant/{sale.shop_id}/history", headers=sale.shop_headers
    ).json()
    assert [(h["score"], h["previous"], h["cause"]) for h in history] == [
        (97.0, None, f"breach:{breach['id']}")
    ]
    assert history[0]["computed_at"].startswith("2026-05-30T16:05")  # 31 May, Beijing
    other = client.get(f"/api/credit/scores/merchant/{sale.shop_id + 999}", headers=auth())
    assert other.status_code == 404
