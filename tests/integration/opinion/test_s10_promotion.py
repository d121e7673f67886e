"""S10, the "618" report's opinion half, end to end: a promotion's posts come in through
the API as a file; staff read negative posts by category, trends by day, the parties most
named and a spike alert through the API and in the console, and acknowledge the alert."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from liveguard.parties import service as parties_service
from liveguard.parties.schemas import StaffCreate
from liveguard.vocab import StaffRole

SHOP = "暖冬服饰旗舰店"
# (June day or days before it as negatives, how many, text)
FEED = [
    *[(-d, 1, "买的衣服等了四天才发货，有点慢") for d in range(1, 15, 2)],
    (2, 2, "主播说这款面霜七天祛斑，用了一个月一点效果没有，纯属虚假宣传"),
    (4, 2, "收到的口红拿去专柜验了是假货，包装都是歪的"),
    (6, 2, "申请七天无理由退货被驳回，客服已读不回"),
    (9, 1, "直播间说全网最低价，第二天店铺日常价比直播间便宜三十"),
    (11, 1, "直播间抽奖说我中了手机，一个月了奖品都没发"),
    (13, 1, "主播让加微信私下转账更便宜，转了钱就被拉黑了"),
    (15, 1, "主播讲解很专业，衣服也很好看，好评"),
    (18, 8, f"618当晚在{SHOP}下的单，到现在还没发货，物流一动不动，客服也不回"),
]


def _feed() -> str:
    lines = []
    for day, times, text in FEED:
        when = (
            date(2026, 6, 1) + timedelta(days=day - 1)
            if day > 0
            else date(2026, 6, 1) + timedelta(days=day)
        )
        for n in range(times):
            lines.append(
                json.dumps(
                    {
                        "source": "weibo",
                        "external_id": f"{when.isoformat()}-{n}-{len(lines)}",
                        "posted_at": f"{when.isoformat()}T{10 + n:02d}:15:00+08:00",
                        "text": text,
                        "links": [f"https://weibo.example/p/{len(lines)}"],
                        "platform": "星河直播",
                    },
                    ensure_ascii=False,
                )
            )
    return "\n".join(lines)


def _sign_in(client, db, role: StaffRole) -> str:
    with db() as session:
        parties_service.create_staff(
            db_session=session,
            staff_in=StaffCreate(
                username=f"s10-{role.value}",
                display_name=role.value,
                role=role,
                password="correct horse battery",
            ),
        )
    client.cookies.clear()
    client.post(
        "/console/login",
        data={"username": f"s10-{role.value}", "password": "correct horse battery"},
    )
    return f"s10-{role.value}"


def test_a_promotions_posts_become_counts_trends_parties_and_an_alert(client, auth, db):
    imported = client.post(
        "/api/opinion/posts/import",
        content=_feed().encode(),
        headers={**auth(), "Content-Type": "application/x-ndjson"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["errors"] == []
    period = {"start": "2026-06-01", "end": "2026-06-20"}

    # negative posts by category, by day (the report's table and chart)
    trends = client.get("/api/opinion/trends/categories", params=period, headers=auth("regulator"))
    assert trends.status_code == 200
    negative: dict[str, int] = {}
    for row in trends.json():
        negative[row["category"]] = negative.get(row["category"], 0) + row["negative"]
    assert negative["delivery"] == 8
    assert negative["false_advertising"] == 2 and negative["quality_counterfeit"] == 2
    assert negative["after_sales"] == 2
    assert negative.get("other", 0) == 0
    june_18 = [r for r in trends.json() if r["day"] == "2026-06-18"]
    assert june_18 == [{"day": "2026-06-18", "category": "delivery", "negative": 8, "total": 8}]

    # the parties most named: the shop first
    top = client.get("/api/opinion/parties", params=period, headers=auth("regulator")).json()
    assert (top[0]["name"], top[0]["kind"], top[0]["count"]) == (SHOP, "merchant", 8)

    # the spike: delivery complaints and the shop well above their own fortnight
    alerts = client.get("/api/opinion/alerts", headers=auth("regulator")).json()
    spikes = {(a["day"], a["subject"]) for a in alerts}
    assert ("2026-06-18", "delivery") in spikes
    assert ("2026-06-18", f"merchant:{SHOP}") in spikes
    assert all(a["day"] == "2026-06-18" for a in alerts)  # nothing else rose that far

    # the console, as a regulator reads it: Chinese labels, the chart, the shop, the alert
    _sign_in(client, db, StaffRole.regulator)
    page = client.get("/console/opinion/trends", params=period)
    assert page.status_code == 200
    assert "物流配送" in page.text and "虚假宣传" in page.text
    assert page.text.count("<rect") >= 8
    assert re.search(rf'data-party="{SHOP}"', page.text)
    listed = client.get(
        "/console/opinion", params={**period, "category": "delivery", "negative": "yes"}
    )
    assert "共 <b>8</b> 条" in listed.text
    shown = re.sub(r"<[^>]*>", " ", listed.text)  # what a person reads: no internal codes
    assert "物流配送" in shown and "delivery" not in shown
    alerts_page = client.get("/console/opinion/alerts")
    assert "物流配送类负面舆情" in alerts_page.text and f"商家「{SHOP}」被提及" in alerts_page.text
    assert "/acknowledge" not in alerts_page.text  # a regulator reads, and does not act

    # compliance acknowledges the alert from the console
    _sign_in(client, db, StaffRole.compliance)
    alerts_page = client.get("/console/opinion/alerts")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', alerts_page.text).group(1)
    alert_id = re.search(
        r'action="/console/opinion/alerts/(\d+)/acknowledge"', alerts_page.text
    ).group(1)
    done = client.post(
        f"/console/opinion/alerts/{alert_id}/acknowledge",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "notice=saved" in done.headers["location"]
    after = client.get(
        "/api/opinion/alerts", params={"status": "acknowledged"}, headers=auth()
    ).json()
    assert [(a["id"], a["acknowledged_by"]) for a in after] == [(int(alert_id), "s10-compliance")]
