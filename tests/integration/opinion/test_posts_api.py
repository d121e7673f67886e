"""Posts in through the API, one at a time and as a file; what a report reads back."""

from __future__ import annotations

import json
from datetime import date

from liveguard.opinion import service
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import PlatformCreate
from tests import factories

JUNE = "2026-06-{:02d}T{:02d}:30:00+08:00"


def _post(day: int, text: str, hour: int = 20, **extra: object) -> dict[str, object]:
    return {"source": "weibo", "posted_at": JUNE.format(day, hour), "text": text, **extra}


def test_a_post_is_stored_classified_and_its_platform_linked(client, auth, db):
    with db() as session:
        platform = parties_service.create_platform(
            db_session=session, platform_in=PlatformCreate(**factories.platform(name="抖音"))
        )
        platform_id = platform.id
    response = client.post(
        "/api/opinion/posts",
        json=_post(3, "在抖音直播间买的，下单十天了还没发货，客服一直说在排单，气死了"),
        headers=auth(),
    )
    assert response.status_code == 201, response.text
    post = response.json()
    assert post["category"] == "delivery"
    assert post["negative"] is True
    assert post["sentiment"] < 0
    platforms = [m for m in post["mentions"] if m["kind"] == "platform"]
    assert platforms == [
        {"name": "抖音", "written": "抖音", "kind": "platform", "party_id": platform_id}
    ]
    read = client.get(f"/api/opinion/posts/{post['id']}", headers=auth("regulator"))
    assert read.json()["text"] == post["text"]


def test_a_file_of_posts_stores_the_good_lines_and_names_the_bad_ones(client, auth, db):
    lines = [
        json.dumps(_post(1, "说好的七天无理由，退货申请被驳回三次", external_id="w1")),
        "{not json",
        json.dumps(_post(1, "", external_id="w2")),
        json.dumps(_post(2, "收到的口红是假货，专柜验过了", external_id="w3")),
        json.dumps(_post(2, "收到的口红是假货，专柜验过了", external_id="w3")),
        json.dumps({**_post(2, "好用"), "links": ["ftp://x"]}),
    ]
    response = client.post(
        "/api/opinion/posts/import",
        content="\n".join(lines).encode(),
        headers={**auth(), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert len(result["created"]) == 2
    assert result["skipped"] == 1
    assert [(e["line"], e["field"]) for e in result["errors"]] == [
        (2, "line"),
        (3, "text"),
        (6, "links"),
    ]
    with db() as session:
        assert service.posts_total(session, start=date(2026, 6, 1), end=date(2026, 6, 2)) == 2
        assert service.posts_total(session, start=date(2026, 6, 2), end=date(2026, 6, 2)) == 1
        counts = service.daily_counts(session, start=date(2026, 6, 1), end=date(2026, 6, 20))
        assert {(c.day.day, c.category.value, c.negative) for c in counts} == {
            (1, "after_sales", 1),
            (2, "quality_counterfeit", 1),
        }
        shown = service.examples(
            session, start=date(2026, 6, 1), end=date(2026, 6, 20), category="after_sales"
        )
        assert [p.text for p in shown] == ["说好的七天无理由，退货申请被驳回三次"]


def test_a_csv_import_counts_lines_from_the_header(client, auth):
    csv = "\n".join(
        [
            "source,posted_at,text,author,platform",
            f"heimao,{JUNE.format(5, 9)},主播让加微信私下转账，钱转了人就拉黑了,小王,快手",
            "heimao,not a time,直播间抽奖中了不给发奖品,小李,快手",
        ]
    )
    response = client.post(
        "/api/opinion/posts/import",
        content=csv.encode(),
        headers={**auth(), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert len(result["created"]) == 1
    assert [(e["line"], e["field"]) for e in result["errors"]] == [(3, "posted_at")]
    posts = client.get("/api/opinion/posts", headers=auth("regulator")).json()
    assert posts["total"] == 1
    assert posts["items"][0]["author"] == "小王"


def test_the_parties_most_named_are_counted_by_post(client, auth, db):
    texts = [
        "在pdd买的华为耳机是假的",
        "拼多多上的华为充电器用两天就坏了",
        "淘宝买的东西发货太慢",
    ]
    for n, text in enumerate(texts, start=1):
        client.post("/api/opinion/posts", json=_post(n, text), headers=auth())
    with db() as session:
        top = service.top_parties(session, start=date(2026, 6, 1), end=date(2026, 6, 30))
    counts = {(p.kind.value, p.name): p.count for p in top}
    assert counts[("platform", "拼多多")] == 2
    assert counts[("brand", "华为")] == 2
    assert counts[("platform", "淘宝")] == 1
