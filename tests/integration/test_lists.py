"""The staff lists (cases, merchants, anchors): filters, sorting, keyset pages that stay
stable while rows arrive, bounds, who may read and export, and the CSV a regulator opens
in Excel. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from itertools import count

import pytest
from fastapi.testclient import TestClient

from liveguard import paging
from liveguard.auth import service as auth_service
from liveguard.cases.enums import CaseOrigin, CaseState, PaymentChannel
from liveguard.cases.models import Case
from liveguard.clock import CHINA
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import ConsumerCreate, MerchantCreate, PlatformCreate
from liveguard.vocab import PrincipalKind
from tests import factories

_seq = count(1)
BASE = datetime(2026, 3, 10, 12, 0, tzinfo=CHINA)


@pytest.fixture
def shops(app, db) -> dict[str, int]:
    with db() as session:
        platform = parties_service.create_platform(
            db_session=session, platform_in=PlatformCreate(**factories.platform(name="星河直播"))
        )
        ids = {"platform": platform.id}
        for key, shop in (("warm", "暖冬服饰旗舰店"), ("nest", "燕之初滋补食品店")):
            merchant = parties_service.create_merchant(
                db_session=session,
                merchant_in=MerchantCreate(**factories.merchant(platform.id, shop_name=shop)),
                cipher=app.state.cipher,
                today=factories.TODAY,
            )
            ids[key] = merchant.id
        return ids


def add_case(
    db,
    *,
    merchant_id: int,
    platform_id: int,
    filed_at: datetime,
    state: CaseState = CaseState.filed,
    summary: str = "羽绒服是穿过的",
    price_fen: int | None = 66900,
) -> int:
    with db() as session:
        case = Case(
            origin=CaseOrigin.consumer,
            summary=summary,
            state=state,
            platform_id=platform_id,
            merchant_id=merchant_id,
            payment_channel=PaymentChannel.wechat_qr,
            price_fen=price_fen,
            resolution={"total_fen": 267600},
            ledger_seq=next(_seq),
            filed_at=filed_at,
        )
        session.add(case)
        session.flush()
        return case.id


def every_page(client: TestClient, url: str, headers: dict[str, str], between=None) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        response = client.get(url, params={"after": after} if after else {}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [row["id"] for row in body["items"]]
        if between is not None:
            between()
        after = body["next_cursor"]
        if after is None:
            return seen


def test_cases_filter_by_merchant_state_text_and_beijing_dates(client, db, shops, auth) -> None:
    warm, nest, platform = shops["warm"], shops["nest"], shops["platform"]
    late_night = add_case(  # 23:30 in Beijing on 03-10 is 15:30 UTC the same day
        db,
        merchant_id=warm,
        platform_id=platform,
        filed_at=datetime(2026, 3, 10, 23, 30, tzinfo=CHINA),
    )
    next_morning = add_case(
        db,
        merchant_id=warm,
        platform_id=platform,
        filed_at=datetime(2026, 3, 11, 0, 30, tzinfo=CHINA),
        state=CaseState.closed,
        summary="卖家拉黑了我",
    )
    other_shop = add_case(db, merchant_id=nest, platform_id=platform, filed_at=BASE)
    staff = auth("regulator")

    def ids(**params: str) -> list[int]:
        response = client.get("/api/lists/cases", params=params, headers=staff)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()["items"]]

    assert ids(merchant_id=str(warm)) == [next_morning, late_night]
    assert ids(merchant_id=str(warm), sort="oldest") == [late_night, next_morning]
    assert ids(status="closed") == [next_morning]
    assert ids(q="拉黑") == [next_morning]
    assert ids(q=str(other_shop)) == [other_shop]
    assert ids(since="2026-03-10", until="2026-03-10", merchant_id=str(warm)) == [late_night]
    assert ids(since="2026-03-11") == [next_morning]
    assert ids(q="50%_") == []  # LIKE's wildcards are searched as text


def test_case_pages_never_repeat_or_skip_a_row_while_cases_arrive(client, db, shops, auth) -> None:
    warm, platform = shops["warm"], shops["platform"]
    same_moment = BASE  # ties on the sort column are broken by id
    original = [
        add_case(
            db,
            merchant_id=warm,
            platform_id=platform,
            filed_at=same_moment + timedelta(minutes=i // 3),
        )
        for i in range(10)
    ]
    arriving = iter(range(100))

    def insert_newer_and_older() -> None:
        n = next(arriving)
        add_case(
            db, merchant_id=warm, platform_id=platform, filed_at=BASE + timedelta(days=1, minutes=n)
        )
        add_case(
            db, merchant_id=warm, platform_id=platform, filed_at=same_moment + timedelta(minutes=1)
        )

    for sort in ("newest", "oldest"):
        seen = every_page(
            client,
            f"/api/lists/cases?limit=3&sort={sort}&until=2026-03-10",
            auth("compliance"),
            between=insert_newer_and_older,
        )
        assert len(seen) == len(set(seen)), "a row came twice"
        assert set(original) <= set(seen), "a row present from the start was skipped"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"after": "not-a-cursor"}, "after"),
        ({"status": "bogus"}, "status"),
        ({"since": "2026-13-01"}, "since"),
        ({"since": "1999-12-31"}, "since"),
        ({"merchant_id": "2147483648"}, "merchant_id"),
        ({"sort": "sideways"}, "sort"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),  # PostgreSQL refuses NUL in text: never sent to it
        ({"after": paging.encode_cursor("newest", 7, 1)}, "after"),  # not a moment
        ({"after": paging.encode_cursor("newest", datetime(2026, 1, 1), 1)}, "after"),  # naive
        ({"after": paging.encode_cursor("newest", BASE, 2**31)}, "after"),  # id past the column
    ],
)
def test_a_bad_filter_is_a_422_naming_the_field(client, auth, params, field) -> None:
    for url in ("/api/lists/cases", "/api/lists/cases/export.csv", "/api/lists/merchants"):
        if field == "status" and "merchants" in url:
            continue
        response = client.get(url, params=params, headers=auth("regulator"))
        assert response.status_code == 422, (url, response.text)
        assert field in response.text


def test_a_cursor_from_another_sort_is_refused(client, db, shops, auth) -> None:
    for i in range(3):
        add_case(
            db,
            merchant_id=shops["warm"],
            platform_id=shops["platform"],
            filed_at=BASE + timedelta(hours=i),
        )
    first = client.get("/api/lists/cases?limit=1", headers=auth("regulator")).json()
    response = client.get(
        "/api/lists/cases",
        params={"after": first["next_cursor"], "sort": "oldest"},
        headers=auth("regulator"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "after"


def test_staff_and_the_regulator_read_the_lists_and_buyers_and_shops_do_not(
    app, client, db, shops, auth
) -> None:
    with db() as session:
        consumer = parties_service.create_consumer(
            db_session=session,
            consumer_in=ConsumerCreate(nickname="王女士", phone=factories.phone()),
            cipher=app.state.cipher,
        )
        tokens = {
            kind: auth_service.issue(
                db_session=session, principal_kind=kind, principal_id=pk, label="t"
            )
            for kind, pk in (
                (PrincipalKind.consumer, consumer.id),
                (PrincipalKind.merchant, shops["warm"]),
            )
        }
    for url in (
        "/api/lists/cases",
        "/api/lists/cases/export.csv",
        "/api/lists/merchants",
        "/api/lists/anchors",
    ):
        assert client.get(url, headers=auth("regulator")).status_code == 200
        assert client.get(url).status_code == 401
        for token in tokens.values():
            assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_the_case_export_opens_in_excel_as_chinese_with_labels_beijing_time_and_yuan(
    client, db, shops, auth
) -> None:
    warm = shops["warm"]
    mine = add_case(
        db,
        merchant_id=warm,
        platform_id=shops["platform"],
        filed_at=datetime(2026, 3, 10, 23, 30, tzinfo=CHINA),
    )
    add_case(db, merchant_id=shops["nest"], platform_id=shops["platform"], filed_at=BASE)
    response = client.get(
        f"/api/lists/cases/export.csv?merchant_id={warm}", headers=auth("regulator")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["编号"] for row in rows] == [str(mine)]
    row = rows[0]
    assert row["提交时间（北京时间）"] == "2026-03-10 23:30:00"
    assert row["状态"] == "已登记待受理"
    assert row["支付方式"] == "扫微信收款码"  # the catalogue's words (labels.yaml)
    assert row["支付金额（元）"] == "669.00"
    assert row["应付金额（元）"] == "2676.00"
    assert row["商家店铺"] == "暖冬服饰旗舰店"
    assert row["平台"] == "星河直播"


def test_the_export_walks_every_page_of_a_long_list(client, db, shops, auth) -> None:
    for i in range(12):
        add_case(
            db,
            merchant_id=shops["warm"],
            platform_id=shops["platform"],
            filed_at=BASE + timedelta(minutes=i),
        )
    old, paging.EXPORT_CHUNK = paging.EXPORT_CHUNK, 5
    try:
        response = client.get("/api/lists/cases/export.csv", headers=auth("regulator"))
    finally:
        paging.EXPORT_CHUNK = old
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 12


def test_merchants_are_found_by_shop_name_and_filtered_by_status(client, shops, auth) -> None:
    response = client.get("/api/lists/merchants", params={"q": "暖冬"}, headers=auth("regulator"))
    assert [m["id"] for m in response.json()["items"]] == [shops["warm"]]
    pending = client.get(
        "/api/lists/merchants", params={"status": "pending"}, headers=auth("regulator")
    )
    assert {m["id"] for m in pending.json()["items"]} == {shops["warm"], shops["nest"]}
    active = client.get(
        "/api/lists/merchants", params={"status": "active"}, headers=auth("regulator")
    )
    assert active.json()["items"] == []
    staff = auth("regulator")
    apparel = client.get("/api/lists/merchants", params={"category": "apparel"}, headers=staff)
    assert {m["id"] for m in apparel.json()["items"]} == {shops["warm"], shops["nest"]}
    food = client.get("/api/lists/merchants", params={"category": "food"}, headers=staff)
    assert food.json()["items"] == []
    bad = client.get(
        "/api/lists/merchants", params={"category": "rockets"}, headers=auth("regulator")
    )
    assert bad.status_code == 422


def test_the_console_list_keeps_what_was_typed_and_says_what_is_wrong_in_chinese(
    client, db, shops, auth, token_for
) -> None:
    from liveguard.web.deps import SESSION_COOKIE

    client.cookies.set(SESSION_COOKIE, token_for("regulator"))
    response = client.get("/console/cases", params={"q": "羽绒服", "since": "2026-02-30"})
    assert response.status_code == 422
    assert 'value="羽绒服"' in response.text
    assert "请按 2026-12-07 的格式填写日期" in response.text
    assert "Traceback" not in response.text

    for i in range(3):
        add_case(
            db,
            merchant_id=shops["warm"],
            platform_id=shops["platform"],
            filed_at=BASE + timedelta(minutes=i),
        )
    page = client.get("/console/cases", params={"merchant_id": shops["warm"], "limit": "2"})
    assert page.status_code == 200
    assert "下一页" in page.text and "after=" in page.text
    assert f"/console/cases/export.csv?merchant_id={shops['warm']}" in page.text
    bad_export = client.get("/console/cases/export.csv?status=bogus", follow_redirects=False)
    assert bad_export.status_code == 303
    client.cookies.clear()


# --- listings, rooms and findings -------------------------------------------------------------


@pytest.fixture
def rooms(app, db, shops) -> dict[str, int]:
    """Two rooms of the warm shop's anchor (one ended, one on air), a listing on sale and
    a draft, and a finding of each severity in the ended room."""
    from liveguard.catalog.models import Listing, ListingStatus
    from liveguard.live.enums import EventKind, FindingSource, FindingSpeaker
    from liveguard.live.models import LiveEvent, LiveFinding, LiveSession
    from liveguard.parties.schemas import AnchorCreate

    with db() as session:
        anchor = parties_service.create_anchor(
            db_session=session,
            anchor_in=AnchorCreate(**factories.anchor(shops["platform"], nickname="小暖穿搭")),
            cipher=app.state.cipher,
        )
        ids = {"anchor": anchor.id}
        for key, title, category, status in (
            ("coat", "冬季加厚羽绒服", "apparel", ListingStatus.on_sale),
            ("draft", "即食燕窝礼盒", "food", ListingStatus.draft),
        ):
            row = Listing(
                merchant_id=shops["warm"],
                title=title,
                category=category,
                price_fen=66900,
                status=status,
            )
            session.add(row)
            session.flush()
            ids[key] = row.id
        for key, title, started, ended in (
            ("ended", "年货节羽绒服专场", BASE, BASE + timedelta(hours=2)),
            ("on_air", "燕窝滋补专场", BASE + timedelta(days=1), None),
        ):
            room = LiveSession(
                platform_id=shops["platform"],
                room_code=f"XH-{key}",
                title=title,
                anchor_id=anchor.id,
                merchant_id=shops["warm"],
                started_at=started,
                ended_at=ended,
            )
            session.add(room)
            session.flush()
            ids[key] = room.id
        event = LiveEvent(
            session_id=ids["ended"],
            seq=1,
            kind=EventKind.utterance,
            occurred_at=BASE,
            text="加微信",
        )
        session.add(event)
        session.flush()
        for severity in ("low", "high"):
            finding = LiveFinding(
                session_id=ids["ended"],
                event_pk=event.id,
                speaker_role=FindingSpeaker.anchor,
                source=FindingSource.text,
                rule=f"diversion.wechat_{severity}",
                category="diversion",
                severity=severity,
                message="引导私下交易",
                quote="加微信",
                created_at=BASE + timedelta(minutes=5),
            )
            session.add(finding)
            session.flush()
            ids[severity] = finding.id
        return ids


def test_listings_rooms_and_findings_filter_by_what_staff_ask(client, rooms, shops, auth) -> None:
    staff = auth("regulator")

    def ids(url: str, **params: str) -> list[int]:
        response = client.get(url, params=params, headers=staff)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()["items"]]

    assert ids("/api/lists/listings", status="on_sale") == [rooms["coat"]]
    assert ids("/api/lists/listings", category="food") == [rooms["draft"]]
    assert ids("/api/lists/listings", q="羽绒") == [rooms["coat"]]
    assert ids("/api/lists/rooms", status="ended") == [rooms["ended"]]
    assert ids("/api/lists/rooms", status="live") == [rooms["on_air"]]
    assert ids("/api/lists/rooms", q="XH-on_air") == [rooms["on_air"]]
    assert ids("/api/lists/rooms", anchor_id=str(rooms["anchor"])) == [
        rooms["on_air"],
        rooms["ended"],
    ]
    assert ids("/api/lists/findings", severity="high") == [rooms["high"]]
    assert ids("/api/lists/findings", merchant_id=str(shops["warm"]), sort="oldest") == [
        rooms["low"],
        rooms["high"],
    ]
    assert ids("/api/lists/findings", merchant_id=str(shops["nest"])) == []
    assert ids("/api/lists/findings", since="2026-03-11") == []
    for url, params in (
        ("/api/lists/listings", {"status": "sold_out"}),
        ("/api/lists/listings", {"category": "rockets"}),
        ("/api/lists/rooms", {"status": "paused"}),
        ("/api/lists/findings", {"severity": "huge"}),
    ):
        assert client.get(url, params=params, headers=staff).status_code == 422


def test_the_findings_export_reads_in_chinese(client, rooms, auth) -> None:
    response = client.get("/api/lists/findings/export.csv?severity=high", headers=auth("regulator"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["编号"] for r in rows] == [str(rooms["high"])]
    assert rows[0]["类别"] == "引导私下交易"
    assert rows[0]["严重程度"] == "高"
    assert rows[0]["状态"] == "待处理"
    assert rows[0]["发现时间（北京时间）"] == "2026-03-10 12:05:00"


def test_the_console_shows_each_generic_list_and_the_profiles(
    client, rooms, shops, token_for
) -> None:
    from liveguard.web.deps import SESSION_COOKIE

    client.cookies.set(SESSION_COOKIE, token_for("regulator"))
    for name in ("listings", "rooms", "findings", "integrity"):
        page = client.get(f"/console/lists/{name}")
        assert page.status_code == 200, page.text
        assert f'data-testid="list-{name}"' in page.text
    assert client.get("/console/lists/orders").status_code == 404
    bad = client.get("/console/lists/findings", params={"severity": "huge"})
    assert bad.status_code == 422 and "没有这种严重程度" in bad.text
    anchor = client.get(f"/console/anchors/{rooms['anchor']}")
    assert anchor.status_code == 200
    assert "小暖穿搭" in anchor.text and "年货节羽绒服专场" in anchor.text
    assert f"/console/cases?anchor_id={rooms['anchor']}" in anchor.text
    merchant = client.get(f"/console/merchants/{shops['warm']}")
    assert f"/console/cases?merchant_id={shops['warm']}" in merchant.text
    assert 'data-testid="profile-credit"' in merchant.text
    client.cookies.clear()


def test_trade_integrity_findings_list_filters_and_exports(client, db, shops, auth) -> None:
    from liveguard.integrity.enums import FindingKind
    from liveguard.integrity.models import IntegrityFinding
    from liveguard.vocab import Severity

    with db() as session:
        made = {}
        for kind, severity, merchant in (
            (FindingKind.brushing, Severity.high, shops["warm"]),
            (FindingKind.lockstep, Severity.medium, shops["nest"]),
        ):
            row = IntegrityFinding(
                kind=kind,
                merchant_id=merchant,
                severity=severity,
                score=0.9,
                first_at=BASE,
                last_at=BASE + timedelta(hours=1),
                summary=f"{kind.value} 订单集中",
                evidence={},
                group_key=kind.value,
                fingerprint=kind.value,
                found_at=BASE + timedelta(hours=2),
                ledger_seq=next(_seq),
            )
            session.add(row)
            session.flush()
            made[kind] = row.id
    staff = auth("regulator")
    found = client.get("/api/lists/integrity", params={"kind": "brushing"}, headers=staff)
    assert [f["id"] for f in found.json()["items"]] == [made[FindingKind.brushing]]
    shop = client.get("/api/lists/integrity", params={"merchant_id": shops["nest"]}, headers=staff)
    assert [f["id"] for f in shop.json()["items"]] == [made[FindingKind.lockstep]]
    assert client.get("/api/lists/integrity?kind=fraud", headers=staff).status_code == 422
    exported = client.get("/api/lists/integrity/export.csv?severity=high", headers=staff)
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["类型"], r["严重程度"], r["商家店铺"]) for r in rows] == [
        ("刷单", "高", "暖冬服饰旗舰店")
    ]
